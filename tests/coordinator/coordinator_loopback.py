"""A real coordinator on loopback: provisioned kits, HTTPS with mutual TLS, a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save

from coordinator.client import ConnectionParams, CoordinatorClient
from coordinator.protocol import FederationPlan, RoundState
from coordinator.provisioning import load_site_kit, provision
from coordinator.settings import ClientDefaults

REPO = Path(__file__).resolve().parents[2]
SITES = ["a", "b", "c"]
FAST_RETRIES = ClientDefaults(max_retries=2, backoff_base_s=0.05, read_timeout_s=30.0)
LAYOUT = {"conv.weight": (4, 3), "fc.bias": (3,)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def model(seed: int, scale: float = 1.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: (rng.normal(size=s) * scale).astype(np.float32) for k, s in LAYOUT.items()}


def blob(arrays: dict[str, np.ndarray]) -> bytes:
    return save(arrays)


@dataclass
class Federation:
    root: Path
    plan: FederationPlan
    port: int
    kit_dir: Path
    site_kits: dict[str, Path]
    state_dir: Path
    process: subprocess.Popen[bytes] | None = None
    clients: list[CoordinatorClient] = field(default_factory=list)
    # What runs the coordinator: the reliability tests swap in a launcher with fault hooks.
    launcher: tuple[str, ...] = ("-m", "coordinator.cli")

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, *self.launcher, "serve", "--kit", str(self.kit_dir),
             "--state", str(self.state_dir), "--port", str(self.port)],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        end = time.monotonic() + 20
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode() if self.process.stderr else "")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("coordinator did not start")

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def client(self, site: str, **kwargs: Any) -> CoordinatorClient:
        kit = load_site_kit(self.site_kits[site])
        c = CoordinatorClient(kit, tls_dir=self.root / "tls" / site, defaults=FAST_RETRIES, **kwargs)
        self.clients.append(c)
        return c

    def client_with(self, params: ConnectionParams) -> CoordinatorClient:
        c = CoordinatorClient(params, defaults=FAST_RETRIES)
        self.clients.append(c)
        return c


@pytest.fixture
def make_federation(tmp_path: Path) -> Iterator[Callable[..., Federation]]:
    made: list[Federation] = []

    def _make(start: bool = True, **plan_fields: Any) -> Federation:
        port = free_port()
        root = tmp_path / f"fed{len(made)}"
        fields: dict[str, Any] = {"federation": "test", "sites": SITES, "min_sites": 2, "rounds": 2}
        fields.update(plan_fields)
        plan = FederationPlan.model_validate(fields)
        result = provision(plan, root / "prov", f"https://127.0.0.1:{port}")
        fed = Federation(root, plan, port, result.coordinator_dir, result.site_kits, root / "state")
        made.append(fed)
        if start:
            fed.start()
        return fed

    yield _make
    for fed in made:
        fed.stop()


def wait_published(client: CoordinatorClient, round_number: int, timeout_s: float = 20) -> RoundState:
    return client.wait_for_round(
        lambda s: s.last_published >= round_number or s.phase == "failed", timeout_s, poll_s=0.05
    )
