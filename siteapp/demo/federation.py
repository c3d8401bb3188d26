"""The demo federation: provision it, start the coordinator and the sites, follow rounds.

Everything runs on loopback: the coordinator (``medfed-coordinator serve``, HTTPS with
mutual TLS) and one :mod:`siteapp.demo.site_worker` process per site, each in its own
data folder, enrolled with its own kit. The demo only reads what the sites print about
themselves; it never reaches into a site's data.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coordinator.loopback import free_port, serve_args
from coordinator.protocol import FederatedStatistics, FederationPlan
from coordinator.task_definition import PercentileScope
from siteapp.demo.live import LiveConsole
from siteapp.demo.processes import Child, ChildProcessError, ChildProcesses
from siteapp.demo.settings import FEDERATION_DIRNAME, FEDERATION_NAME, DemoSettings

COORDINATOR = "coordinator"
# Extra seconds on top of the sites' own round wait before the demo stops waiting.
FOLLOW_MARGIN_S = 60.0


@dataclass
class FederationRun:
    """What the sites reported: one event dict per round and site, and the totals."""

    plan: FederationPlan
    rounds: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    started_at: float = 0.0  # wall clock (epoch s) when the coordinator was ready
    kit: Path | None = None  # the coordinator's kit folder
    state: Path | None = None  # the coordinator's state folder

    def final_epsilon(self) -> dict[str, float]:
        return {site: float(event["epsilon"]) for site, event in self.done.items()}


def train_patients(settings: DemoSettings, data_dirs: dict[str, Path]) -> dict[str, int]:
    from siteapp.training.datasets import site_dataset

    task = settings.working_task()
    return {site: len(site_dataset(d, task, "train")) for site, d in data_dirs.items()}


def per_round_epsilon(settings: DemoSettings, patients: dict[str, int]) -> float:
    """The plan's epsilon per round such that ``settings.rounds`` rounds compose to at
    most the cap at EVERY site (sites differ in size, so in sampling rate and steps).

    For each site: the noise multiplier that makes all rounds fit the cap, then what one
    round at that noise costs; the plan asks for the smallest of these, so each site's
    own calibration lands at that noise or more.
    """
    from siteapp.privacy.accountant import MechanismRun, epsilon_of
    from siteapp.privacy.calibration import calibrate_noise_multiplier
    from siteapp.statistics.release import release_mechanism
    from siteapp.training.trainer import plan_round

    # A task windowed with the federation's percentiles pays for the statistics first.
    spent = []
    if settings.windowing_scope == PercentileScope.FEDERATION:
        spent.append(release_mechanism(FederatedStatistics.model_validate({}).noise_multiplier))
    costs = []
    for records in patients.values():
        rate, steps = plan_round(records, settings.epochs_per_round, settings.batch_patients)
        sigma = calibrate_noise_multiplier(settings.epsilon_cap, settings.delta, rate, steps,
                                           settings.rounds, spent=spent)
        costs.append(epsilon_of([MechanismRun(sigma, rate, steps)], settings.delta))
    return min(costs)


def make_plan(settings: DemoSettings, epsilon_per_round: float) -> FederationPlan:
    from coordinator.pretrained import describe_weights_file
    from siteapp.training.weights import frozen_state_digest, update_length

    # The demo trains at the task's demo working resolution unless --full-resolution; the
    # plan says so (``reduced_from``), so a demo model is never mistaken for a
    # full-resolution one.
    task = settings.working_task()
    model = settings.starting_model()
    frozen = frozen_state_digest(model)
    pretrained = None
    if settings.pretrained_weights is not None:
        pretrained = describe_weights_file(settings.pretrained_weights, settings.frozen_stages)
    return FederationPlan.model_validate({
        "pretrained": pretrained.model_dump() if pretrained is not None else None,
        "federation": FEDERATION_NAME,
        "sites": settings.site_names(),
        "task": task,
        "model": settings.model,
        "init_seed": settings.seed,
        "rounds": settings.rounds,
        "strategy": settings.strategy,
        "mode": settings.mode,
        "min_sites": settings.sites,
        "round_deadline_s": settings.round_wait_s,
        "frozen_weights_sha256": frozen,
        "update_length": update_length(model),
        "local": {
            "epochs_per_round": settings.epochs_per_round,
            "optimizer": settings.optimizer,
            "learning_rate": settings.learning_rate,
            "learning_rate_schedule": settings.learning_rate_schedule,
            "batch_size": settings.batch_patients,
            "max_grad_norm": settings.max_grad_norm,
            "target_epsilon_per_round": epsilon_per_round,
            "target_delta": settings.delta,
            "update_clip_norm": settings.update_clip_norm,
        },
    })


def provision_and_enroll(run_dir: Path, data_dirs: dict[str, Path], plan: FederationPlan,
                         port: int, pretrained_weights: Path | None = None) -> Path:
    """Provision the federation into ``run_dir/federation`` and enrol every site as a real
    one would: the site makes its key and a certificate request, the operator signs it
    into a kit, the site imports it. Returns the coordinator's kit folder."""
    import shutil

    from coordinator.provisioning import provision, sign_site_request
    from siteapp.federation.enrolment import enroll
    from siteapp.federation.site_keys import request_enrolment

    folder = run_dir / FEDERATION_DIRNAME
    shutil.rmtree(folder, ignore_errors=True)
    result = provision(plan, folder, f"https://127.0.0.1:{port}",
                       pretrained_weights=pretrained_weights)
    for site, data_dir in data_dirs.items():
        kit = sign_site_request(folder, request_enrolment(data_dir, site)).path
        enroll(data_dir, kit, result.ca_fingerprint)
    return result.coordinator_dir


def run_federation(settings: DemoSettings, run_dir: Path, data_dirs: dict[str, Path],
                   children: ChildProcesses, console: LiveConsole,
                   on_event: Callable[[str, dict[str, Any]], None] | None = None) -> FederationRun:
    """Provision, start the coordinator and the sites, and follow them to the end."""
    started = time.perf_counter()
    patients = train_patients(settings, data_dirs)
    plan = make_plan(settings, per_round_epsilon(settings, patients))
    port = free_port()
    kit = provision_and_enroll(run_dir, data_dirs, plan, port, settings.pretrained_weights)
    state = run_dir / FEDERATION_DIRNAME / "state"
    coordinator = children.start(COORDINATOR, serve_args(kit, state, port))
    children.wait_for_port(coordinator, port)
    run = FederationRun(plan, started_at=time.time(), kit=kit, state=state)
    console.line(f"coordinator on https://127.0.0.1:{port} (mutual TLS, {plan.mode} mode, "
                 f"{plan.strategy}); {len(data_dirs)} sites joining for {plan.rounds} rounds")
    events: queue.Queue[tuple[str, dict[str, Any] | None]] = queue.Queue()
    sites: dict[str, Child] = {}
    for site, data_dir in data_dirs.items():
        sites[site] = children.start(site, [
            "-m", "siteapp.demo.site_worker", str(data_dir),
            "--insecure-fixed-dp-seed", str(settings.seed),
            "--wait-s", str(settings.round_wait_s),
        ], read_stdout=True)
        threading.Thread(target=_pump, args=(sites[site], events), daemon=True).start()
    _follow(run, sites, coordinator, events, console, on_event,
            deadline=time.monotonic() + settings.rounds * settings.round_wait_s + FOLLOW_MARGIN_S)
    run.seconds = time.perf_counter() - started
    return run


def _pump(child: Child, events: queue.Queue[tuple[str, dict[str, Any] | None]]) -> None:
    """Forward a site's JSON lines (also copied to its log); ``None`` marks its end."""
    assert child.process.stdout is not None
    for line in child.process.stdout:
        child.log.write(line)
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            events.put((child.name, event))
    events.put((child.name, None))


def _follow(run: FederationRun, sites: dict[str, Child], coordinator: Child,
            events: queue.Queue[tuple[str, dict[str, Any] | None]], console: LiveConsole,
            on_event: Callable[[str, dict[str, Any]], None] | None, deadline: float) -> None:
    ended: set[str] = set()
    while len(ended) < len(sites):
        if time.monotonic() > deadline:
            raise ChildProcessError("the federation took longer than its rounds allow; "
                                    f"see the logs in {coordinator.log_path.parent}")
        if not coordinator.running():
            raise ChildProcessError(f"the coordinator stopped (log {coordinator.log_path}):\n"
                                    f"{coordinator.log_tail()}")
        try:
            site, event = events.get(timeout=0.5)
        except queue.Empty:
            continue
        if event is None:
            ended.add(site)
            if site not in run.done:
                child = sites[site]
                child.process.wait()
                raise ChildProcessError(f"{site} stopped before the end (log {child.log_path}):\n"
                                        f"{child.log_tail()}")
            continue
        if on_event is not None:
            on_event(site, event)
        kind = event.get("event")
        if kind == "progress":
            console.progress(site, event)
        elif kind == "round":
            run.rounds.setdefault(int(event["round"]), {})[site] = event
            console.round_done(site, event)
        elif kind == "done":
            run.done[site] = event
        elif kind == "error":
            raise ChildProcessError(f"{site}: {event.get('message')} (log {sites[site].log_path})")
    console.close()
