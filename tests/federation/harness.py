"""A real federation on loopback for the integration tests: a provisioned coordinator
served over HTTPS with mutual TLS in a subprocess, and site data folders with phantom
patients, each enrolled with its kit and driven by a real :class:`RoundRunner`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coordinator.protocol import FederationPlan
from coordinator.provisioning import provision
from coordinator.settings import ClientDefaults
from siteapp.federation.enrolment import enroll
from siteapp.federation.runner import JoinReport, Progress, RoundRunner, RunnerOptions
from siteapp.federation.settings import RunnerDefaults

REPO = Path(__file__).resolve().parents[2]
SITES = ("a", "b", "c")
FAST = RunnerOptions(
    device="cpu",
    waits=RunnerDefaults(poll_interval_s=0.05, unreachable_patience_s=20.0,
                         unreachable_pause_s=0.2, round_wait_timeout_s=90.0),
    client=ClientDefaults(max_retries=2, backoff_base_s=0.05, backoff_max_s=0.5, read_timeout_s=30.0),
    deterministic_seed=7,
)
# Small local rounds: a few DP steps of the compact CNN on 64x64 phantom slices.
LOCAL = {"epochs_per_round": 1, "batch_size": 4, "learning_rate": 0.05,
         "target_epsilon_per_round": 2.0, "target_delta": 1e-3}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LoopbackFederation:
    root: Path
    plan: FederationPlan
    port: int
    kit_dir: Path
    site_kits: dict[str, Path]
    data_dirs: dict[str, Path]
    process: subprocess.Popen[bytes] | None = None
    reports: dict[str, JoinReport] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coordinator.cli", "serve", "--kit", str(self.kit_dir),
             "--state", str(self.root / "state"), "--port", str(self.port)],
            cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode() if self.process.stderr else "")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the coordinator did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def runner(self, site: str, **kwargs: Any) -> RoundRunner:
        kwargs.setdefault("options", FAST)
        return RoundRunner(self.data_dirs[site], **kwargs)


def import_sites(phantom_root: Path, dest: Path, task: str = "lung-ct-nodule") -> dict[str, Path]:
    """Import and label phantom sites 1-3 as sites a, b, c (one data folder each)."""
    from siteapp.dicom.importer import import_paths
    from siteapp.dicom.labels import import_labels
    from siteapp.dicom.phantom import LABELS_FILENAME

    out = {}
    for index, site in enumerate(SITES, start=1):
        source = phantom_root / f"site-{index}"
        out[site] = dest / site
        import_paths(out[site], [source])
        import_labels(out[site], source / LABELS_FILENAME, task)
    return out


def copy_sites(templates: dict[str, Path], dest: Path) -> dict[str, Path]:
    out = {}
    for site, template in templates.items():
        out[site] = dest / f"{site}-data"
        shutil.copytree(template, out[site])
    return out


def make_federation(root: Path, templates: dict[str, Path], start: bool = True, **plan_fields: Any) -> LoopbackFederation:
    port = free_port()
    fields: dict[str, Any] = {"federation": "loopback", "sites": list(SITES), "min_sites": 2,
                              "rounds": 1, "round_deadline_s": 60.0, "local": LOCAL}
    fields.update(plan_fields)
    plan = FederationPlan.model_validate(fields)
    result = provision(plan, root / "prov", f"https://127.0.0.1:{port}")
    data_dirs = copy_sites(templates, root)
    for site, data_dir in data_dirs.items():
        enroll(data_dir, result.site_kits[site])
    fed = LoopbackFederation(root, plan, port, result.coordinator_dir, result.site_kits, data_dirs)
    if start:
        fed.start()
    return fed


def start_sites(
    fed: LoopbackFederation,
    sites: tuple[str, ...],
    max_rounds: int | None = None,
    on_progress: dict[str, Callable[[Progress], None]] | None = None,
) -> list[threading.Thread]:
    """Start one RoundRunner thread per site; join them with :func:`join_sites`."""

    def work(site: str) -> None:
        try:
            runner = fed.runner(site, on_progress=(on_progress or {}).get(site))
            fed.reports[site] = runner.run(max_rounds=max_rounds)
        except BaseException as exc:
            fed.errors[site] = exc

    threads = [threading.Thread(target=work, args=(s,), daemon=True) for s in sites]
    for t in threads:
        t.start()
    return threads


def join_sites(threads: list[threading.Thread], timeout_s: float = 120.0) -> None:
    end = time.monotonic() + timeout_s
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a site did not finish in time"


def site_state(fed: LoopbackFederation, site: str) -> Path:
    return fed.data_dirs[site] / "federation" / fed.plan.federation


def global_weights(fed: LoopbackFederation, site: str, after_round: int) -> dict[str, Any]:
    """The global model as ``site`` holds it after ``after_round`` (downloaded or computed)."""
    from siteapp.federation.global_model import GlobalModelHistory
    from siteapp.tasks import load_task
    from siteapp.training.models import build_model
    from siteapp.training.weights import WeightLayout, trainable_state

    layout = WeightLayout.of(trainable_state(build_model(fed.plan.model, load_task(fed.plan.task))))
    return GlobalModelHistory(site_state(fed, site) / "global").weights(after_round, layout)


def uploaded_update(fed: LoopbackFederation, site: str, round_number: int) -> Any:
    import numpy as np

    return np.load(site_state(fed, site) / f"round-{round_number:04d}.update.npy")


class SimulatedCrashError(RuntimeError):
    """Raised from a progress callback to stop a site as a power cut would."""


def crash_at(phase: str, after_fraction: float = 0.0) -> Callable[[Progress], None]:
    def hook(progress: Progress) -> None:
        if progress.phase == phase and (progress.fraction or 0.0) >= after_fraction:
            raise SimulatedCrashError(f"simulated crash at {phase}")

    return hook


def run_sites(fed: LoopbackFederation, sites: tuple[str, ...] = SITES, **kwargs: Any) -> None:
    join_sites(start_sites(fed, sites, **kwargs))
    assert not fed.errors, fed.errors
