"""Is the phantom task learnable under DP, and does pooling the sites' data help?

The measured proof behind the federation demo's claims. It generates the phantom sites
(``siteapp.dicom.phantom``), preprocesses every slice with the production pipeline
(``siteapp.dicom.pixels.preprocess``), splits each site's patients into train and
validation the way the site store does (stratified by label, ``VAL_FRACTION``), and
trains with the real trainer (``siteapp.training.trainer``: Poisson sampling over
patients, per-patient clipping, Opacus noise; noise calibrated with
``siteapp.privacy.calibration`` so each whole plan lands at or below the target epsilon):

* ``local_dp``: each site alone, DP, ``--rounds`` rounds (the demo's local-only baseline);
* ``fedavg_dp``: every round each site trains one DP round from the global weights on its
  own patients and the updates are averaged, weighted by patient count (what the
  secure aggregation computes; here in plaintext, without a coordinator);
* ``pooled_dp``: one DP model on all sites' training patients (the same guarantee with all
  data in one place, which FedAvg approaches);
* ``central``: one model on the pooled patients without DP (the centralized baseline);
  by default it trains the same parameters as the DP models (``--central head``).

Every model starts from ``siteapp.training.initial_model.initial_model``: the task's
frozen public backbone and a seeded head (``--from-scratch``: every layer from the seed;
pass ``--optimizer adam --lr 0.005`` with it, the defaults are tuned for the head).

Every model is scored on each site's own validation patients (patient-level ROC AUC).
Run: ``python benchmarks/phantom_learnability.py [--seeds 2] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from siteapp.dicom.phantom import generate_phantom_sites
from siteapp.federation.update_encoding import clip_update
from siteapp.privacy.calibration import calibrate_noise_multiplier
from siteapp.privacy.ledger import default_delta
from siteapp.tasks import TaskPreset, demo_task
from siteapp.training.config import (
    DEFAULT_GRAD_SAMPLE_MODE,
    EVALUATION,
    LEARNING_RATE_SCHEDULES,
    TRAINING,
)
from siteapp.training.datasets import PatientDataset
from siteapp.training.evaluation import evaluate_patients
from siteapp.training.initial_model import initial_model
from siteapp.training.models import MODEL_BUILDERS, ZooModel
from siteapp.training.pretrain import load_phantom_patients, split_patients
from siteapp.training.trainer import RoundPlan, plan_round, train_round
from siteapp.training.weights import (
    WeightLayout,
    add,
    flatten,
    load_state,
    trainable_state,
    unflatten,
)

Patient = tuple[str, int, list[np.ndarray]]
DEMO_SITES = 3
# Seed streams (see Experiment.plan): sites alone use their index, in the federation
# FEDERATED_STREAM + index, the pooled models POOLED_STREAM and the next one.
FEDERATED_STREAM = 30
POOLED_STREAM = 60
# compact_cnn's design (four strided 3x3 conv + GroupNorm blocks, average pool, linear)
# at a tenth of its parameters (~6k): DP noise grows with the square root of the
# parameter count, so this measures how much a smaller zoo model would buy.
NARROW_CNN = "narrow_cnn"
NARROW_WIDTHS = (8, 16, 16, 16)


def narrow_cnn(channels: int, num_classes: int) -> ZooModel:
    layers: list[nn.Module] = []
    c_in = channels
    for width in NARROW_WIDTHS:
        layers += [nn.Conv2d(c_in, width, 3, stride=2, padding=1, bias=False),
                   nn.GroupNorm(min(8, width // 4) or 1, width), nn.ReLU()]
        c_in = width
    head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, num_classes))
    return ZooModel(nn.Sequential(*layers), head, c_in)


class Experiment:
    """One training configuration applied to the same sites, splits and seed."""

    def __init__(self, args: argparse.Namespace, task: TaskPreset, seed: int) -> None:
        self.args, self.task, self.seed = args, task, seed

    def model(self) -> ZooModel:
        if self.args.model != NARROW_CNN:
            return initial_model(
                self.task, self.args.model, self.seed, pretrained=not self.args.from_scratch
            )
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            return narrow_cnn(self.task.channels, self.task.num_classes)

    def plan(
        self, records: int, sigma: float, round_number: int, stream: int, dp: bool = True
    ) -> RoundPlan:
        """``stream`` (< 100) tells runs apart within a round: each site, alone or in
        the federation, and each pooled model draws its own sampling and noise."""
        sample_rate, steps = plan_round(records, self.args.epochs_per_round, self.args.batch)
        salt = self.seed * 100_000 + round_number * 100 + stream
        return RoundPlan(
            steps=steps, sample_rate=sample_rate, noise_multiplier=sigma,
            max_grad_norm=self.args.max_grad_norm, learning_rate=self.args.lr,
            optimizer=self.args.optimizer, dp=dp, sampling_seed=salt, noise_seed=salt,
            grad_sample_mode=self.args.grad_sample_mode,
            learning_rate_schedule=self.args.schedule,
        )

    def sigma(self, records: int) -> float:
        """Noise for ``--rounds`` rounds of this shape at ``--epsilon`` (delta 1/(10 n))."""
        sample_rate, steps = plan_round(records, self.args.epochs_per_round, self.args.batch)
        return calibrate_noise_multiplier(
            self.args.epsilon, default_delta(records), sample_rate, steps, self.args.rounds
        )

    def train_alone(
        self, patients: list[Patient], dp: bool, stream: int, finetune_all: bool = False
    ) -> ZooModel:
        model, data = self.model(), PatientDataset.from_arrays(patients, seed=self.seed)
        if finetune_all:
            model.requires_grad_(True)
        sigma = self.sigma(len(data)) if dp else 0.0
        for round_number in range(self.args.rounds):
            plan = self.plan(len(data), sigma, round_number, stream, dp)
            load_state(model, train_round(model, data, plan, device="cpu").local_weights)
        return model

    def train_fedavg(self, sites: list[list[Patient]]) -> ZooModel:
        model = self.model()
        data = [PatientDataset.from_arrays(p, seed=self.seed + i) for i, p in enumerate(sites)]
        sigmas = [self.sigma(len(d)) for d in data]
        total = sum(len(d) for d in data)
        for round_number in range(self.args.rounds):
            global_weights = trainable_state(model)
            layout = WeightLayout.of(global_weights)
            mean = np.zeros(layout.size, dtype=np.float64)
            for index, (site_data, sigma) in enumerate(zip(data, sigmas, strict=True)):
                plan = self.plan(len(site_data), sigma, round_number, FEDERATED_STREAM + index)
                update = train_round(model, site_data, plan, device="cpu").update
                # The plan's client-level clipping, as a site applies it before encrypting.
                vector, _norm = clip_update(flatten(update, layout), self.args.update_clip)
                mean += vector * (len(site_data) / total)
            load_state(model, add(global_weights, unflatten(mean, layout)))
        return model

    def auc(self, model: ZooModel, val: list[Patient]) -> float:
        data = PatientDataset.from_arrays(val, seed=self.seed)
        auc = evaluate_patients(model, data, self.task, EVALUATION).auc
        return float("nan") if auc is None else auc  # None: one class only in val


def run_seed(
    args: argparse.Namespace, task: TaskPreset, sites: list[list[Patient]], seed: int,
    log: Callable[[str], None],
) -> dict[str, list[float]]:
    exp = Experiment(args, task, seed)
    splits = [split_patients(site) for site in sites]
    trains, vals = [s[0] for s in splits], [s[1] for s in splits]
    pooled = [p for t in trains for p in t]
    scores: dict[str, list[float]] = {}
    started = time.perf_counter()
    untrained = exp.model()
    scores["untrained"] = [exp.auc(untrained, v) for v in vals]
    scores["local_dp"] = [
        exp.auc(exp.train_alone(t, dp=True, stream=i), v)
        for i, (t, v) in enumerate(zip(trains, vals, strict=True))
    ]
    fed = exp.train_fedavg(trains)
    scores["fedavg_dp"] = [exp.auc(fed, v) for v in vals]
    pooled_dp = exp.train_alone(pooled, dp=True, stream=POOLED_STREAM)
    scores["pooled_dp"] = [exp.auc(pooled_dp, v) for v in vals]
    central = exp.train_alone(pooled, dp=False, stream=POOLED_STREAM + 1,
                              finetune_all=args.central == "all")
    scores["central"] = [exp.auc(central, v) for v in vals]
    log(f"seed {seed}: {time.perf_counter() - started:.0f} s of training")
    return scores


def _model_auc(value: object) -> float:
    return round(float(np.mean(value)), 3)  # type: ignore[call-overload]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", default="lung-ct-nodule")
    parser.add_argument("--patients", type=int, default=120, help="patients of a full-size site")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs-per-round", type=float, default=TRAINING.epochs_per_round)
    parser.add_argument("--batch", type=int, default=TRAINING.expected_batch_patients,
                        help="expected patients per Poisson batch")
    parser.add_argument("--lr", type=float, default=TRAINING.learning_rate)
    parser.add_argument("--schedule", choices=LEARNING_RATE_SCHEDULES, default="constant",
                        help="step size within a round (the demo anneals: cosine)")
    parser.add_argument("--update-clip", type=float, default=None,
                        help="L2 bound on a site's FedAvg update (the demo's update_clip_norm)")
    parser.add_argument("--slices", type=int, default=None,
                        help="CT slices per patient (default: the phantom's; the demo uses 1)")
    parser.add_argument("--phantom-seed", type=int, default=0,
                        help="seed of the generated sites (--seeds varies training only)")
    parser.add_argument("--optimizer", default=TRAINING.optimizer)
    parser.add_argument("--max-grad-norm", type=float, default=TRAINING.max_grad_norm)
    parser.add_argument("--epsilon", type=float, default=8.0, help="per-site target epsilon")
    parser.add_argument("--model", default="compact_cnn", choices=[*MODEL_BUILDERS, NARROW_CNN])
    parser.add_argument("--grad-sample-mode", default=DEFAULT_GRAD_SAMPLE_MODE)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--from-scratch", action="store_true",
                        help="ignore the preset's pretrained public backbone")
    parser.add_argument("--central", choices=("head", "all"), default="head",
                        help="what the non-DP centralized baseline trains: the same "
                        "trainable parameters as the DP models, or the whole network")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args()
    torch.set_num_threads(1)
    log: Callable[[str], None] = (lambda _m: None) if args.json else print
    task = demo_task(args.task)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        site_dirs = generate_phantom_sites(
            Path(tmp), DEMO_SITES, args.patients, args.phantom_seed, args.task, slices=args.slices
        )
        generate_s = time.perf_counter() - t0
        sites = [load_phantom_patients(site, task) for site in site_dirs]
    prepare_s = time.perf_counter() - t0
    log(f"phantom: {sum(map(len, sites))} patients generated in {generate_s:.1f} s, "
        f"preprocessed in {prepare_s - generate_s:.1f} s")
    per_seed = [run_seed(args, task, sites, seed, log) for seed in range(args.seeds)]
    names = ("untrained", "local_dp", "fedavg_dp", "pooled_dp", "central")
    per_site = {n: [round(float(np.mean([s[n][i] for s in per_seed])), 3)
                    for i in range(DEMO_SITES)] for n in names}
    summary: dict[str, object] = {
        "task": args.task, "matrix": task.matrix, "pixel_spacing_mm": task.pixel_spacing_mm,
        "model": args.model, "pretrained": not args.from_scratch, "central": args.central,
        "epsilon": args.epsilon, "rounds": args.rounds,
        "epochs_per_round": args.epochs_per_round, "expected_batch_patients": args.batch,
        "learning_rate": args.lr, "optimizer": args.optimizer,
        "max_grad_norm": args.max_grad_norm, "seeds": args.seeds,
        "schedule": args.schedule, "update_clip": args.update_clip, "slices": args.slices,
        "phantom_seed": args.phantom_seed,
        "train_patients": [len(split_patients(s)[0]) for s in sites],
        "val_patients": [len(split_patients(s)[1]) for s in sites],
        "per_site_auc": per_site,
        "mean_auc": {n: _model_auc(per_site[n]) for n in names},
        "fedavg_minus_local": _model_auc(np.subtract(per_site["fedavg_dp"], per_site["local_dp"])),
        "central_minus_fedavg": _model_auc(np.subtract(per_site["central"], per_site["fedavg_dp"])),
        "generate_s": round(generate_s, 1),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    log(f"{'model':<12}" + "".join(f"{'site ' + str(i + 1):>9}" for i in range(DEMO_SITES))
        + f"{'mean':>9}")
    for n in names:
        log(f"{n:<12}" + "".join(f"{v:>9.3f}" for v in per_site[n])
            + f"{summary['mean_auc'][n]:>9.3f}")  # type: ignore[index]
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
