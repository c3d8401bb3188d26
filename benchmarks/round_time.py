"""End-to-end round time of the demo federation, split by what each site does, and the
price of each privacy choice, measured side by side in the same run.

Runs the demo federation (three phantom sites as processes, a coordinator over mutual
TLS on loopback, DP-SGD) twice on the same data: in CKKS mode (MedFed's default) and in
plaintext mode over TLS only. From the sites' own step clocks it reports, per site and
round: ``train``, ``encrypt``, ``upload``, ``wait`` (for the other sites), ``aggregate``
(at the coordinator: end of the last upload to publication; about 0 when the coordinator
sums inside the last upload request), ``decrypt`` (download, decrypt, apply the server
rule) and ``evaluate``; and the time to the first useful model (mean AUC on the sites'
held-out patients at least ``--useful-auc``; ``None`` when no round gets there). Then, as ratios:

- **cost of DP**: a DP-SGD round's training time over the same round without DP (same
  model, data, steps), measured on site 1;
- **cost of our CKKS parameters**: the ring-8192, 60/40/40/60-bit TenSEAL setup a user
  would otherwise pick over MedFed's compact context, for an update of the demo model's
  size (encrypt, aggregate, decrypt, bytes), and the round time with it substituted;
- **cost of privacy**: the CKKS + DP round over a plaintext FedAvg round without DP. The
  latter is the measured plaintext round with its DP training time replaced by the
  measured non-DP training time (the site runner never trains without DP).

Run: ``.venv/bin/python benchmarks/round_time.py --json`` (about 3 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coordinator.protocol import SecureMode
from siteapp.demo.federation import FederationRun, run_federation
from siteapp.demo.live import LiveConsole
from siteapp.demo.processes import ChildProcesses
from siteapp.demo.settings import LOGS_DIRNAME, DemoSettings
from siteapp.demo.sites import prepare_sites

USEFUL_AUC = 0.8
STEPS = {  # site step clock name -> reported split
    "training": "train", "encrypting": "encrypt", "uploading": "upload",
    "waiting for others": "wait", "decrypting": "decrypt", "evaluating": "evaluate",
}


def federate(settings: DemoSettings, root: Path) -> FederationRun:
    """One demo federation on fresh site folders (phantom files reused)."""
    from siteapp.privacy.ledger import PrivacyLedger

    dirs = prepare_sites(root, settings.sites, settings.patients, settings.seed,
                         slices=settings.slices, fresh=True, say=lambda _line: None)
    for data_dir in dirs:
        PrivacyLedger(data_dir).set_cap(settings.epsilon_cap, settings.delta)
    with ChildProcesses(root / LOGS_DIRNAME / str(settings.mode)) as children:
        return run_federation(settings, root, dict(zip(settings.site_names(), dirs, strict=True)),
                              children, LiveConsole(stream=io.StringIO()))


def published_at(run: FederationRun) -> dict[int, float]:
    from coordinator.kits import load_coordinator_kit
    from coordinator.server.serving import open_service

    assert run.kit is not None and run.state is not None
    service = open_service(load_coordinator_kit(run.kit), run.state, recover=False)
    return {r.number: float(r.published_at) for r in service.status().rounds if r.published_at}


def splits(run: FederationRun) -> dict[str, Any]:
    """Mean seconds per round of each split, per site, and the mean round wall time."""
    published = published_at(run)
    per_site: dict[str, dict[str, list[float]]] = {}
    round_s = []
    for number, events in sorted(run.rounds.items()):
        uploads = [e["uploaded_at"] for e in events.values() if e.get("uploaded_at")]
        aggregate = max(0.0, published[number] - max(uploads)) if uploads and number in published else 0.0
        for site, event in events.items():
            times = per_site.setdefault(site, {})
            seconds = event.get("seconds") or {}
            for clock, name in STEPS.items():
                times.setdefault(name, []).append(float(seconds.get(clock, 0.0)))
            # the coordinator's aggregation is part of what the site waited for
            times["wait"][-1] = max(0.0, times["wait"][-1] - aggregate)
            times.setdefault("aggregate", []).append(aggregate)
            round_s.append(sum(float(v) for k, v in seconds.items() if k != "waiting"))
    return {
        "per_site": {site: {k: round(statistics.mean(v), 3) for k, v in t.items()}
                     for site, t in per_site.items()},
        "round_s": round(statistics.mean(round_s), 3) if round_s else None,
    }


def first_useful(run: FederationRun, threshold: float) -> dict[str, Any]:
    """The first round whose global model reaches ``threshold`` (mean AUC over the sites'
    held-out patients), seconds from the coordinator's start until every site had it;
    and the best round, so a run that never gets there still says how far it got."""
    found: dict[str, Any] = {"round": None, "seconds": None, "mean_auc": None}
    best: dict[str, Any] = {"round": None, "seconds": None, "mean_auc": -1.0}
    for number, events in sorted(run.rounds.items()):
        aucs = [e["auc"] for e in events.values() if e.get("auc") is not None]
        if not aucs:
            continue
        figure = {"round": number, "mean_auc": round(statistics.mean(aucs), 3),
                  "seconds": round(max(e["at"] for e in events.values()) - run.started_at, 1)}
        if figure["mean_auc"] > best["mean_auc"]:
            best = figure
        if found["round"] is None and figure["mean_auc"] >= threshold:
            found = figure
    return {**found, "best": best}


def training_cost(settings: DemoSettings, data_dir: Path, sigma: float) -> dict[str, float]:
    """Seconds of one local round with and without DP on ``data_dir`` (same steps)."""
    import torch

    from siteapp.tasks import demo_task
    from siteapp.training.datasets import site_dataset
    from siteapp.training.initial_model import initial_model
    from siteapp.training.trainer import RoundPlan, plan_round, train_round

    torch.set_num_threads(1)
    task = demo_task(settings.task)
    train = site_dataset(data_dir, task, "train")
    rate, steps = plan_round(len(train), settings.epochs_per_round, settings.batch_patients)
    model = initial_model(task, settings.model, settings.seed)  # what the sites train
    out = {}
    for name, dp in (("warm-up", False), ("non_dp_s", False), ("dp_s", True)):
        plan = RoundPlan(steps=steps, sample_rate=rate, noise_multiplier=sigma if dp else 0.0,
                         dp=dp, max_grad_norm=settings.max_grad_norm,
                         optimizer=settings.optimizer, learning_rate=settings.learning_rate, sampling_seed=1, noise_seed=1)
        start = time.perf_counter()
        train_round(model, train, plan, device="cpu")
        out[name] = time.perf_counter() - start
    out.pop("warm-up")
    return {k: round(v, 3) for k, v in out.items()}


def ckks_parameters(settings: DemoSettings, sites: int) -> dict[str, Any]:
    """MedFed's CKKS context against the ring-8192 60/40/40/60 setup, at the model's size."""
    import secure_aggregation as sa

    from siteapp.tasks import demo_task
    from siteapp.training.initial_model import initial_model
    from siteapp.training.weights import flatten, trainable_state

    # the update's size: the trainable parameters only (a frozen backbone is not sent)
    model = initial_model(demo_task(settings.task), settings.model, settings.seed)
    size = flatten(trainable_state(model)).size
    rng = np.random.default_rng(0)
    updates = [(rng.normal(0, 0.01, size).astype(np.float32), 40 + 10 * i) for i in range(sites)]
    ours, baseline = sa.bench_medfed_ckks(updates, 3), sa.bench_baseline_ckks(updates, 3)
    keys = ("encrypt_s", "aggregate_s_per_site", "decrypt_s", "bytes_per_param")
    return {
        "parameters": size,
        "medfed": {k: ours[k] for k in (*keys, "ring", "log2_q")},
        "ring_8192": {k: baseline[k] for k in (*keys, "ring", "log2_q")},
        "ratio_8192_over_medfed": {k: round(baseline[k] / ours[k], 2) for k in keys if ours[k]},
    }


def run(settings: DemoSettings, root: Path, useful_auc: float) -> dict[str, Any]:
    started = time.perf_counter()
    ckks_run = federate(settings.with_changes(mode=SecureMode.CKKS), root)
    ckks = splits(ckks_run)
    plain_run = federate(settings.with_changes(mode=SecureMode.NONE), root)
    plain = splits(plain_run)
    sigma = max(float(e["noise_multiplier"]) for e in ckks_run.rounds[1].values())
    train = training_cost(settings, root / "site-1", sigma)
    params = ckks_parameters(settings, settings.sites)
    site1 = ckks["per_site"]["site-1"]
    ours_crypto = site1["encrypt"] + site1["decrypt"] + site1["aggregate"]
    b = params["ring_8192"]
    m = params["medfed"]
    crypto_8192 = ours_crypto + (b["encrypt_s"] - m["encrypt_s"]) + (b["decrypt_s"] - m["decrypt_s"]) \
        + settings.sites * (b["aggregate_s_per_site"] - m["aggregate_s_per_site"])
    round_8192 = ckks["round_s"] - ours_crypto + crypto_8192
    plain_no_dp = plain["round_s"] - train["dp_s"] + train["non_dp_s"]
    return {
        "settings": {"sites": settings.sites, "patients": settings.patients,
                     "rounds": settings.rounds, "epochs_per_round": settings.epochs_per_round,
                     "model": settings.model, "strategy": str(settings.strategy)},
        "ckks_dp": {**ckks, "first_useful_auc": first_useful(ckks_run, useful_auc)},
        "plaintext_dp": {**plain, "first_useful_auc": first_useful(plain_run, useful_auc)},
        "training_round_site_1": train,
        "ckks_parameters": params,
        "ratios": {
            "cost_of_dp_training": round(train["dp_s"] / train["non_dp_s"], 2),
            "cost_of_encryption_round": round(ckks["round_s"] / plain["round_s"], 2),
            "cost_of_privacy_round": round(ckks["round_s"] / plain_no_dp, 2),
            "ring_8192_round_over_ours": round(round_8192 / ckks["round_s"], 2),
        },
        "useful_auc": useful_auc,
        "seconds": round(time.perf_counter() - started, 1),
    }


def print_table(report: dict[str, Any]) -> None:
    names = ["train", "encrypt", "upload", "wait", "aggregate", "decrypt", "evaluate"]
    for label, key in (("CKKS + DP", "ckks_dp"), ("plaintext (TLS) + DP", "plaintext_dp")):
        part = report[key]
        print(f"{label}: mean round {part['round_s']} s; first useful AUC "
              f"{part['first_useful_auc']}")
        print(f"  {'site':<8}" + "".join(f"{n:>10}" for n in names))
        for site, t in part["per_site"].items():
            print(f"  {site:<8}" + "".join(f"{t.get(n, 0.0):>10.2f}" for n in names))
    print("ratios:", json.dumps(report["ratios"]))


def main(argv: list[str] | None = None) -> int:
    defaults = DemoSettings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--patients", type=int, default=defaults.patients)
    parser.add_argument("--useful-auc", type=float, default=USEFUL_AUC)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    settings = defaults.with_changes(rounds=args.rounds, patients=args.patients)
    with tempfile.TemporaryDirectory(prefix="medfed-round-time-") as tmp:
        report = run(settings, Path(tmp), args.useful_auc)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
