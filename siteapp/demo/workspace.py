"""A three-hospital demo for ``make screenshots``: real rounds, real numbers.

Builds (once) three phantom sites (secure aggregation needs at least three), a local-only
baseline at site 1, and a CKKS federation of all of them run to completion against a real coordinator (its own binary, HTTPS with
mutual TLS on loopback), started, provisioned and stopped with the demo's own code
(:mod:`siteapp.demo.federation`, :mod:`siteapp.demo.processes`). Every figure the screenshots show was computed by the real
layers; nothing is drawn from made-up data. Reruns reuse the finished workspace while it
was built with the same settings, phantom generator and public backbone, and rebuild it
otherwise.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from coordinator.loopback import free_port, serve_args
from siteapp.demo.processes import ChildProcesses
from siteapp.errors import UserFacingError

DONE_STAMP = "workspace.done"
SITES = ("site-1", "site-2", "site-3")


@dataclass(frozen=True)
class WorkspaceSpec:
    # Enough patients that the DP head learns in a few rounds (at 120 per site with the
    # current phantom every model stayed near chance, which is a true but dull picture).
    patients: int = 400
    slices: int = 2
    seed: int = 11
    task: str = "lung-ct-nodule"
    local_rounds: int = 2
    local_epsilon: float = 2.0
    federated_rounds: int = 3
    epsilon_per_round: float = 2.0
    sites: int = len(SITES)


WORKSPACE = WorkspaceSpec()


def workspace_fingerprint(spec: WorkspaceSpec) -> str:
    """What a finished workspace depends on: its spec, the phantom generator (as the demo's
    phantom cache keys it) and the bytes of the task's public backbone (the models in it
    were trained on top of that file)."""
    from siteapp.demo.sites import generator_version
    from siteapp.tasks import demo_task
    from siteapp.training.initial_model import pretrained_weights_path

    path = pretrained_weights_path(demo_task(spec.task))
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None
    return json.dumps(
        {"spec": asdict(spec), "generator": generator_version(), "pretrained_sha256": digest},
        sort_keys=True,
    )


def reuse_or_clear(root: Path, fingerprint: str, log=print) -> bool:
    """True if ``root`` holds a workspace finished with ``fingerprint``. One finished with
    anything else (an older backbone, other settings) is deleted so it is rebuilt: reusing
    it would put stale figures in the screenshots. Anything else in ``root`` is refused."""
    stamp = root / DONE_STAMP
    if stamp.is_file():
        if stamp.read_text(encoding="utf-8").strip() == fingerprint:
            return True
        log(f"{root} was built with other settings, phantoms or backbone; rebuilding it…")
        shutil.rmtree(root)
        return False
    if root.exists() and any(root.iterdir()):
        raise UserFacingError(f"{root} holds an unfinished demo workspace; delete it and run again")
    return False


def build_workspace(root: Path, spec: WorkspaceSpec = WORKSPACE, log=print) -> Path:
    """Build the workspace under ``root`` (reused when complete); returns site 1's data folder."""
    root = Path(root)
    site_dirs = {name: root / f"{name}-data" for name in SITES}
    fingerprint = workspace_fingerprint(spec)
    if reuse_or_clear(root, fingerprint, log):
        return site_dirs[SITES[0]]
    from coordinator.protocol import FederationPlan
    from siteapp.demo.federation import provision_and_enroll
    from siteapp.dicom.importer import import_paths
    from siteapp.dicom.labels import import_labels
    from siteapp.dicom.phantom import LABELS_FILENAME, generate_phantom_sites
    from siteapp.federation.run_options import RunnerOptions
    from siteapp.federation.runner import RoundRunner
    from siteapp.tasks import demo_task
    from siteapp.training.initial_model import plan_update_length
    from siteapp.training.local import LocalTrainingOptions, train_local

    log("generating phantom studies for three hospitals…")
    phantoms = generate_phantom_sites(root / "phantom", sites=len(SITES), patients=spec.patients,
                                      seed=spec.seed, task=spec.task, slices=spec.slices)
    for name, source in zip(SITES, phantoms, strict=True):
        import_paths(site_dirs[name], [source])
        import_labels(site_dirs[name], source / LABELS_FILENAME, spec.task)
    log("training the local-only baseline at site 1…")
    train_local(site_dirs[SITES[0]], LocalTrainingOptions(
        rounds=spec.local_rounds, task=demo_task(spec.task), device="cpu", target_epsilon=spec.local_epsilon))

    port = free_port()
    plan = FederationPlan.model_validate({
        "federation": "demo-hospitals", "sites": list(SITES), "min_sites": len(SITES),
        "rounds": spec.federated_rounds, "mode": "ckks", "task": demo_task(spec.task),
        "update_length": plan_update_length(demo_task(spec.task)),
        # Head-only DP on the task's frozen public backbone (siteapp/training/config.py).
        "local": {"epochs_per_round": 2, "batch_size": 32, "optimizer": "sgd",
                  "learning_rate": 1.0, "learning_rate_schedule": "cosine",
                  "target_epsilon_per_round": spec.epsilon_per_round, "target_delta": 1e-5},
    })
    kit = provision_and_enroll(root, site_dirs, plan, port)
    log(f"running {spec.federated_rounds} encrypted rounds against a local coordinator…")
    errors: dict[str, BaseException] = {}
    with ChildProcesses(root / "logs") as children:
        coordinator = children.start("coordinator", serve_args(kit, root / "coordinator-state", port))
        children.wait_for_port(coordinator, port)

        def take_part(name: str) -> None:
            try:
                RoundRunner(site_dirs[name], options=RunnerOptions(device="cpu")).run()
            except BaseException as exc:  # reported below, with the site's name
                errors[name] = exc

        threads = [threading.Thread(target=take_part, args=(n,), daemon=True) for n in SITES]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        name, exc = next(iter(errors.items()))
        raise UserFacingError(f"the demo federation failed at {name}: {exc}") from exc
    (root / DONE_STAMP).write_text(fingerprint + "\n", encoding="utf-8")
    return site_dirs[SITES[0]]
