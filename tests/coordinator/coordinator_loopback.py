"""A real coordinator on loopback: provisioned kits, HTTPS with mutual TLS, a subprocess."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save

from coordinator.client import ConnectionParams, CoordinatorClient
from coordinator.kits import SiteKit, load_site_kit
from coordinator.loopback import NotListeningError, free_port, serve_args, wait_for_port
from coordinator.protocol import MIN_SECURE_SITES, FederationPlan, RoundState
from coordinator.provisioning import provision, sign_site_request
from coordinator.round_state import MaskingStep
from coordinator.settings import ClientDefaults
from siteapp.federation.round_polling import at_masking_step, masking_step_reached, wait_for_round

REPO = Path(__file__).resolve().parents[2]
SITES = ["a", "b", "c"]
FAST_RETRIES = ClientDefaults(max_retries=2, backoff_base_s=0.05, read_timeout_s=30.0)
LAYOUT = {"conv.weight": (4, 3), "fc.bias": (3,)}
# Generous: on a loaded machine a coordinator (several workers) can take long to start;
# a coordinator that dies is noticed at once, not after this.
START_TIMEOUT_S = 60.0
# Values in one encrypted or masked update of the tests' ckks and masking federations.
UPDATE_LENGTH = 50
STOP_GRACE_S = 2.0


def spawn_coordinator(
    launcher: Sequence[str], kit_dir: Path, state_dir: Path, port: int,
    database_url: str | None = None, workers: int = 1,
) -> subprocess.Popen[bytes]:
    """``python <launcher> serve`` on 127.0.0.1:``port`` in a subprocess (stderr kept for
    the failure message), on SQLite in ``state_dir`` or on ``database_url``. The
    federation tests' harness starts its coordinator here too. It leads a process group
    of its own, so that its worker processes can be stopped with it."""
    return subprocess.Popen(
        [sys.executable, *serve_args(kit_dir, state_dir, port, program=launcher,
                                     database_url=database_url, workers=workers)],
        cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )


def wait_until_listening(process: subprocess.Popen[bytes], port: int, timeout_s: float) -> None:
    """Return once the coordinator accepts connections; raise with its stderr if it exits
    first, or after ``timeout_s`` (the caller still holds the process to stop)."""
    try:
        wait_for_port(process, port, timeout_s)
    except NotListeningError as exc:
        if exc.returncode is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else str(exc)) from exc
        raise RuntimeError(f"the coordinator did not start within {timeout_s:.0f} s") from exc


def stop_coordinator(process: subprocess.Popen[bytes] | None, grace_s: float) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL if it is still running after ``grace_s``;
    then SIGKILL to whatever is left of its process group (worker processes)."""
    if process is None:
        return
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


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
    # Each site's own private key (PEM), made with its certificate request: kits hold none.
    site_keys: dict[str, bytes] = field(default_factory=dict)
    # None: the coordinator's SQLite file in ``state_dir``; else a PostgreSQL URL.
    database_url: str | None = None
    workers: int = 1
    process: subprocess.Popen[bytes] | None = None
    clients: list[CoordinatorClient] = field(default_factory=list)
    # What runs the coordinator: the reliability tests swap in a launcher with fault hooks.
    launcher: tuple[str, ...] = ("-m", "coordinator.cli")

    def start(self) -> None:
        self.process = spawn_coordinator(
            self.launcher, self.kit_dir, self.state_dir, self.port, self.database_url, self.workers
        )
        wait_until_listening(self.process, self.port, START_TIMEOUT_S)

    def store_args(self) -> list[str]:
        """The ``--state``/``--database-url`` arguments of the operator's commands."""
        store = ["--database-url", self.database_url] if self.database_url else []
        return ["--state", str(self.state_dir), *store]

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        stop_coordinator(self.process, STOP_GRACE_S)

    def kit(self, site: str) -> SiteKit:
        """``site``'s kit with its own key, as the site app loads it."""
        return load_site_kit(self.site_kits[site], key_pem=self.site_keys[site])

    def client(self, site: str, **kwargs: Any) -> CoordinatorClient:
        kit = self.kit(site)
        c = CoordinatorClient(kit, tls_dir=self.root / "tls" / site, defaults=FAST_RETRIES, **kwargs)
        self.clients.append(c)
        return c

    def ckks_keys(self, site: str) -> Any:
        """``site``'s CKKS keys as the site app keeps them (here under ``root/ckks``)."""
        from siteapp.federation.ckks_keys import SiteCkksKeys

        return SiteCkksKeys(self.client(site), self.kit(site), self.root / "ckks" / site)

    def share_ckks_key(self, sites: Sequence[str] | None = None, timeout_s: float = 30.0) -> str:
        """Run the sites' part of sharing the CKKS key (the holder makes and seals it,
        the others ask and open their copy) until ``sites`` all hold it; returns its
        fingerprint."""
        keys = {s: self.ckks_keys(s) for s in (sites or self.plan.sites)}
        end = time.monotonic() + timeout_s
        while True:
            state = next(iter(keys.values())).client.ckks_key_state()
            held = [k.step(state) for k in keys.values()]
            if state.ready and all(held) and state.fingerprint is not None:
                return state.fingerprint
            if time.monotonic() > end:
                raise AssertionError(f"the CKKS key was not shared in {timeout_s:.0f} s: {state}")
            time.sleep(0.05)

    def ckks_secret(self, site: str) -> bytes:
        """The CKKS secret context ``site`` holds for the current key (after sharing)."""
        keys = self.ckks_keys(site)
        fingerprint = keys.client.ckks_key_state().fingerprint
        secret = keys.held(fingerprint) if fingerprint else None
        assert secret is not None, f"site {site} holds no current CKKS key; share it first"
        return bytes(secret)

    def ckks_upload(self, site: str, round_number: int, vector: np.ndarray, num_examples: int) -> bytes:
        """What an honest CKKS site uploads: encrypted with the federation's key, signed."""
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        from coordinator.secure.ckks_contributions import sign_upload

        kit = self.kit(site)
        return sign_upload(
            self.ckks_secret(site), vector, num_examples, federation=kit.federation,
            round_number=round_number, site=site,
            signing_key=load_pem_private_key(kit.key_pem, password=None),  # type: ignore[arg-type]
            certificate_pem=kit.cert_pem,
        )

    def client_with(self, params: ConnectionParams) -> CoordinatorClient:
        c = CoordinatorClient(params, defaults=FAST_RETRIES)
        self.clients.append(c)
        return c


def enrol_sites(prov: Path, sites: Sequence[str]) -> tuple[dict[str, Path], dict[str, bytes]]:
    """Each site makes its key and a certificate request; the operator signs it into a
    kit in ``prov/sites``. Returns the kits and the sites' keys."""
    from siteapp.federation.site_keys import make_request

    kits, keys = {}, {}
    for site in sites:
        keys[site], request = make_request(site)
        kits[site] = sign_site_request(prov, request).path
    return kits, keys


@pytest.fixture
def make_federation(
    tmp_path: Path, coordinator_database: str | None
) -> Iterator[Callable[..., Federation]]:
    """Provision (and by default start) a federation on the store ``coordinator_database``
    names. A second federation of the same test gets SQLite: one database is one state."""
    made: list[Federation] = []

    def _make(start: bool = True, share_ckks_key: bool = True, **plan_fields: Any) -> Federation:
        port = free_port()
        root = tmp_path / f"fed{len(made)}"
        secure = plan_fields.get("mode", "none") != "none"
        fields: dict[str, Any] = {"federation": "test", "sites": SITES, "rounds": 2,
                                  "min_sites": MIN_SECURE_SITES if secure else 2}
        fields.update(plan_fields)
        if fields.get("mode", "none") != "none":
            fields.setdefault("update_length", UPDATE_LENGTH)
        plan = FederationPlan.model_validate(fields)
        result = provision(plan, root / "prov", f"https://127.0.0.1:{port}")
        kits, keys = enrol_sites(root / "prov", plan.sites)
        fed = Federation(
            root, plan, port, result.coordinator_dir, kits, root / "state", keys,
            database_url=coordinator_database if not made else None,
        )
        made.append(fed)
        if start:
            fed.start()
            if plan.mode.value == "ckks" and share_ckks_key:
                fed.share_ckks_key()
        return fed

    yield _make
    for fed in made:
        fed.stop()


def wait_published(client: CoordinatorClient, round_number: int, timeout_s: float = 20) -> RoundState:
    return wait_for_round(
        client.round_state, lambda s: s.last_published >= round_number or s.phase == "failed",
        timeout_s=timeout_s, poll_s=0.05
    )


def sum_waiter(client: CoordinatorClient, round_number: int = 1,
               timeout_s: float = 60) -> Callable[[int, MaskingStep], bool]:
    """A site's ``reach(secure_sum, step)`` for ``BisectionRound``: wait until round
    ``round_number`` is at that sum's step or past it; True when exactly there."""

    def reach(secure_sum: int, step: MaskingStep) -> bool:
        state = wait_for_round(
            client.round_state, lambda s: masking_step_reached(s, round_number, secure_sum, step),
            timeout_s=timeout_s, poll_s=0.05,
        )
        return at_masking_step(state, round_number, secure_sum, step)

    return reach
