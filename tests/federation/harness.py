"""A real federation on loopback for the integration tests: a provisioned coordinator
served over HTTPS with mutual TLS in a subprocess, and site data folders with phantom
patients, each enrolled with its kit and driven by a real :class:`RoundRunner`."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The coordinator tests' loopback helpers start and stop the coordinator here too.
from coordinator_loopback import (
    free_port,
    spawn_coordinator,
    stop_coordinator,
    wait_until_listening,
)

from coordinator.kits import SiteKit
from coordinator.protocol import MIN_SECURE_SITES, FederationPlan
from coordinator.provisioning import provision, sign_site_request
from coordinator.round_state import SiteStep
from coordinator.settings import ClientDefaults
from siteapp.federation.enrolment import enroll, load_enrolled_kit
from siteapp.federation.join_report import JoinReport, Progress
from siteapp.federation.run_options import RunnerOptions
from siteapp.federation.runner import RoundRunner
from siteapp.federation.settings import RunnerDefaults
from siteapp.federation.site_keys import request_enrolment
from siteapp.tasks import demo_task
from siteapp.training.initial_model import plan_update_length

REPO = Path(__file__).resolve().parents[2]
SITES = ("a", "b", "c")
FAST = RunnerOptions(
    device="cpu",
    waits=RunnerDefaults(poll_interval_s=0.05, unreachable_patience_s=20.0, round_wait_timeout_s=90.0),
    client=ClientDefaults(max_retries=2, backoff_base_s=0.05, backoff_max_s=0.5, read_timeout_s=30.0),
    insecure_fixed_dp_seed=7,
)
# Small local rounds: a few DP steps of the compact CNN on 64x64 phantom slices.
LOCAL = {"epochs_per_round": 1, "batch_size": 4, "learning_rate": 0.05,
         "target_epsilon_per_round": 2.0, "target_delta": 1e-3}
COORDINATOR_CLI = ("-m", "coordinator.cli")
START_TIMEOUT_S = 30.0
STOP_GRACE_S = 5.0


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
        self.process = spawn_coordinator(COORDINATOR_CLI, self.kit_dir, self.root / "state", self.port)
        wait_until_listening(self.process, self.port, START_TIMEOUT_S)

    def stop(self) -> None:
        stop_coordinator(self.process, STOP_GRACE_S)

    def kit(self, site: str) -> SiteKit:
        """``site``'s kit with the key its data folder made."""
        return load_enrolled_kit(self.data_dirs[site])[1]

    def ckks_secrets(self, site: str) -> list[bytes]:
        """Every CKKS secret context ``site`` holds (one per key generation it received)."""
        from siteapp.federation.ckks_keys import key_folder

        return [p.read_bytes() for p in sorted(key_folder(self.data_dirs[site]).glob("*.ctx"))]

    def share_ckks_key(self, timeout_s: float = 60.0) -> None:
        """Every site does its part in sharing the CKKS key, as its app does while it
        waits for a round, until all hold it (without taking part in a round)."""
        from coordinator.client import CoordinatorClient
        from siteapp.federation.ckks_keys import SiteCkksKeys, key_folder

        clients = {s: CoordinatorClient(self.kit(s), tls_dir=self.root / "tls-keys" / s) for s in SITES}
        keys = {s: SiteCkksKeys(clients[s], self.kit(s), key_folder(self.data_dirs[s])) for s in SITES}
        end = time.monotonic() + timeout_s
        try:
            while True:
                state = clients[SITES[0]].ckks_key_state()
                if all([keys[s].step(state) for s in SITES]) and state.ready:
                    return
                assert time.monotonic() < end, f"the CKKS key was not shared: {state}"
                time.sleep(0.05)
        finally:
            for client in clients.values():
                client.close()

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


def make_federation(
    root: Path, templates: dict[str, Path], start: bool = True, weights_file: Path | None = None,
    **plan_fields: Any,
) -> LoopbackFederation:
    port = free_port()
    secure = plan_fields.get("mode", "none") != "none"
    fields: dict[str, Any] = {"federation": "loopback", "sites": list(SITES), "rounds": 1,
                              "min_sites": MIN_SECURE_SITES if secure else 2, "round_deadline_s": 60.0, "local": LOCAL,
                              "task": demo_task("lung-ct-nodule")}
    fields.update(plan_fields)
    if fields.get("mode", "none") != "none":
        fields.setdefault("update_length", plan_update_length(
            fields.get("task", "lung-ct-nodule"), fields.get("model"), fields.get("init_seed", 0)))
    plan = FederationPlan.model_validate(fields)
    result = provision(plan, root / "prov", f"https://127.0.0.1:{port}", pretrained_weights=weights_file)
    data_dirs = copy_sites(templates, root)
    kits = {}
    for site, data_dir in data_dirs.items():
        kits[site] = sign_site_request(root / "prov", request_enrolment(data_dir, site)).path
        enroll(data_dir, kits[site])
    fed = LoopbackFederation(root, plan, port, result.coordinator_dir, kits, data_dirs)
    if start:
        fed.start()
    return fed


def start_sites(
    fed: LoopbackFederation,
    sites: tuple[str, ...],
    max_rounds: int | None = None,
    on_progress: dict[str, Callable[[Progress], None]] | None = None,
    options: dict[str, RunnerOptions] | None = None,
) -> list[threading.Thread]:
    """Start one RoundRunner thread per site (with ``options[site]`` where given, else
    :data:`FAST`); join them with :func:`join_sites`."""

    def work(site: str) -> None:
        try:
            runner = fed.runner(site, on_progress=(on_progress or {}).get(site),
                                options=(options or {}).get(site, FAST))
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
    from siteapp.training.initial_model import initial_model
    from siteapp.training.weights import WeightLayout, trainable_state

    layout = WeightLayout.of(trainable_state(initial_model(fed.plan.task, fed.plan.model)))
    return GlobalModelHistory(site_state(fed, site) / "global").weights(after_round, layout)


def uploaded_update(fed: LoopbackFederation, site: str, round_number: int) -> Any:
    import numpy as np

    return np.load(site_state(fed, site) / f"round-{round_number:04d}.update.npy")


class SimulatedCrashError(RuntimeError):
    """Raised from a progress callback to stop a site as a power cut would."""


def crash_at(step: SiteStep, after_fraction: float = 0.0) -> Callable[[Progress], None]:
    def hook(progress: Progress) -> None:
        if progress.step is step and (progress.fraction or 0.0) >= after_fraction:
            raise SimulatedCrashError(f"simulated crash at {step}")

    return hook


def run_sites(fed: LoopbackFederation, sites: tuple[str, ...] = SITES, **kwargs: Any) -> None:
    join_sites(start_sites(fed, sites, **kwargs))
    assert not fed.errors, fed.errors
