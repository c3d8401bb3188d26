"""Does a federated DP generator's synthetic positives help a label-skewed federation?

The measured claim behind ``siteapp.synthesis``. Three phantom hospitals with strong label
skew (80 / 30 / 10 % positive, ``siteapp.demo.settings.STRONG_SKEW_POSITIVE_FRACTIONS``),
the lung-CT nodule task at the demo's grid, and two federations per seed, in process with
the real trainer (Poisson sampling over patients, per-patient clipping, noise), FedAvg
weighted by patients, and the plan's client-level update clipping:

* ``baseline``: the classifier alone, ``--rounds`` FedAvg DP rounds, its noise calibrated
  so the whole plan costs ``--epsilon`` per site;
* ``augmented``: first ``--generator-rounds`` FedAvg DP rounds of the class-conditional VAE
  (``siteapp.synthesis.generator``) at a noise that costs ``--generator-epsilon`` per
  site, then the same classifier rounds with ``--synthetic`` synthetic positives added
  at every site, its noise calibrated so that generator and classifier TOGETHER
  (composed by the same RDP accountant the ledger uses) cost ``--epsilon`` per site.

Both are scored on each site's own validation patients (patient-level ROC AUC). The final
generator is measured too: a classifier two-sample test of its samples against the
sites' held-out real images, per class, and a memorisation check (nearest training image
distances, ``siteapp.synthesis.measures``). Seeds are benchmark-only (a real site's ledger
marks any seeded round as nominal); a seed fixes the initial weights, Poisson sampling and
DP noise (the phantom and its patient split are the same for every seed).

Run: ``python benchmarks/synthetic_augmentation.py [--seeds 3] [--json]``.
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

from siteapp.demo.sites import skewed_profiles
from siteapp.dicom.phantom import generate_phantom_sites
from siteapp.federation.update_encoding import clip_update
from siteapp.privacy.accountant import MechanismRun, epsilon_of
from siteapp.privacy.calibration import calibrate_noise_multiplier
from siteapp.privacy.ledger import default_delta
from siteapp.synthesis.generator import (
    GeneratorShape,
    build_generator,
    sample_images,
    vae_objective,
)
from siteapp.synthesis.measures import memorisation, two_sample_auc
from siteapp.synthesis.synthetic_data import synthetic_patients
from siteapp.tasks import demo_task
from siteapp.training.config import EVALUATION
from siteapp.training.datasets import PatientDataset
from siteapp.training.evaluation import evaluate_patients
from siteapp.training.initial_model import initial_model
from siteapp.training.pretrain import load_phantom_patients, split_patients
from siteapp.training.trainer import Objective, RoundPlan, plan_round, train_round
from siteapp.training.weights import (
    WeightLayout,
    add,
    flatten,
    load_state,
    trainable_state,
    unflatten,
)

Patient = tuple[str, int, list[np.ndarray]]
TASK = "lung-ct-nodule"
SITES = 3
# Classifier recipe: the demo's (siteapp.demo.settings.DemoSettings).
CLASSIFIER = {"epochs": 3, "batch": 32, "lr": 1.0, "optimizer": "sgd", "schedule": "cosine",
              "clip": 1.0, "update_clip": 4.0}
# Generator recipe: the plan defaults (coordinator.protocol.GeneratorTraining).
GENERATOR = {"epochs": 5, "batch": 16, "lr": 5e-3, "optimizer": "adam", "schedule": "constant",
             "clip": 1.0, "update_clip": None}


def sigma_for(records: int, recipe: dict[str, object], epsilon: float, rounds: int,
              spent: list[MechanismRun] | None = None) -> tuple[float, MechanismRun]:
    """The noise for ``rounds`` rounds of ``recipe`` on ``records`` patients that brings
    the site's epsilon (with ``spent`` already) to ``epsilon``; and one round's mechanism."""
    rate, steps = plan_round(records, float(recipe["epochs"]), int(recipe["batch"]))  # type: ignore[call-overload]
    sigma = calibrate_noise_multiplier(epsilon, default_delta(records), rate, steps, rounds, spent=spent or [])
    return sigma, MechanismRun(sigma, rate, steps)


def fedavg(
    model: torch.nn.Module, data: list[PatientDataset], records: list[int], sigmas: list[float],
    rounds: int, recipe: dict[str, object], salt: int, objective: Objective | None = None,
) -> None:
    """``rounds`` FedAvg DP rounds on ``model`` in place; ``records`` are the real patients
    each site's sampling rate is planned for (the ledger's records)."""
    total = sum(records)
    for r in range(rounds):
        global_weights = trainable_state(model)
        layout = WeightLayout.of(global_weights)
        mean = np.zeros(layout.size)
        for i, (site, n, sigma) in enumerate(zip(data, records, sigmas, strict=True)):
            rate, steps = plan_round(len(site), float(recipe["epochs"]), int(recipe["batch"]))  # type: ignore[call-overload]
            seed = salt * 10_000 + r * 10 + i
            plan = RoundPlan(steps=steps, sample_rate=rate, noise_multiplier=sigma,
                             max_grad_norm=float(recipe["clip"]), learning_rate=float(recipe["lr"]),  # type: ignore[arg-type]
                             optimizer=str(recipe["optimizer"]), learning_rate_schedule=str(recipe["schedule"]),
                             sampling_seed=seed, noise_seed=seed)
            update = train_round(model, site, plan, device="cpu", objective=objective).update
            vector, _ = clip_update(flatten(update, layout), recipe["update_clip"])  # type: ignore[arg-type]
            mean += vector * (n / total)
        load_state(model, add(global_weights, unflatten(mean.astype(np.float32), layout)))


def images_of(patients: list[Patient], label: int | None = None) -> np.ndarray:
    return np.stack([img for _, y, imgs in patients for img in imgs if label is None or y == label])


def run_seed(args: argparse.Namespace, sites: list[list[Patient]], seed: int,
             log: Callable[[str], None]) -> dict[str, object]:
    task = demo_task(TASK)
    positive = task.class_index(str(task.positive_class))
    splits = [split_patients(s) for s in sites]
    trains, vals = [s[0] for s in splits], [s[1] for s in splits]
    data = [PatientDataset.from_arrays(t, seed=seed * 10 + i) for i, t in enumerate(trains)]
    records = [len(d) for d in data]
    started = time.perf_counter()

    def classifier(datasets: list[PatientDataset], sigmas: list[float], salt: int) -> list[float]:
        model = initial_model(task, task.default_model, seed)
        fedavg(model, datasets, records, sigmas, args.rounds, CLASSIFIER, salt)
        scores = [evaluate_patients(model, PatientDataset.from_arrays(v, seed=seed), task, EVALUATION).auc
                  for v in vals]
        return [float("nan") if a is None else float(a) for a in scores]

    base_sigmas = [sigma_for(n, CLASSIFIER, args.epsilon, args.rounds)[0] for n in records]
    baseline = classifier(data, base_sigmas, salt=seed * 2)

    shape = GeneratorShape(latent=args.latent, width=args.width)
    generator = build_generator(task.matrix, task.channels, task.num_classes, shape, seed)
    gen = [sigma_for(n, GENERATOR, args.generator_epsilon, args.generator_rounds) for n in records]
    fedavg(generator, data, records, [g[0] for g in gen], args.generator_rounds, GENERATOR,
           salt=seed * 2 + 1, objective=vae_objective(shape.kl_weight))
    augmented_data, aug_sigmas, totals = [], [], []
    for i, (site, n, (_, run)) in enumerate(zip(data, records, gen, strict=True)):
        synthetic = synthetic_patients(generator, task, [str(task.positive_class)], args.synthetic,
                                       seed=seed * 100 + i)
        joined = site.joined(synthetic)
        rate, steps = plan_round(len(joined), CLASSIFIER["epochs"], CLASSIFIER["batch"])  # type: ignore[arg-type]
        spent = [run] * args.generator_rounds
        sigma = calibrate_noise_multiplier(args.epsilon, default_delta(n), rate, steps, args.rounds, spent=spent)
        totals.append(epsilon_of(spent + [MechanismRun(sigma, rate, steps)] * args.rounds, default_delta(n)))
        augmented_data.append(joined)
        aug_sigmas.append(sigma)
    augmented = classifier(augmented_data, aug_sigmas, salt=seed * 2)

    # The final generator against the sites' held-out real images (never trained on).
    held_out = [p for v in vals for p in v]
    train_all = [p for t in trains for p in t]
    quality: dict[str, float] = {}
    for label, name in enumerate(task.classes):
        real = images_of(held_out, label)
        fake = sample_images(generator, [label] * len(real), seed=seed + 7).numpy()[:, 0]
        quality[name] = round(two_sample_auc(real, fake, seed), 3)
    every_class = [label for label in range(task.num_classes) for _ in range(100)]
    synth_all = sample_images(generator, every_class, seed=seed + 11).numpy()[:, 0]
    memo = memorisation(images_of(train_all), images_of(held_out), synth_all).to_dict()
    log(f"seed {seed}: baseline {np.round(baseline, 3).tolist()}, augmented "
        f"{np.round(augmented, 3).tolist()}, two-sample AUC {quality}, "
        f"{time.perf_counter() - started:.0f} s")
    return {"baseline": baseline, "augmented": augmented, "two_sample_auc": quality,
            "memorisation": memo, "classifier_sigma": [round(s, 3) for s in base_sigmas],
            "augmented_sigma": [round(s, 3) for s in aug_sigmas],
            "generator_sigma": [round(g[0], 3) for g in gen],
            "total_epsilon_augmented": [round(t, 3) for t in totals],
            "positives_in_train": [sum(y == positive for _, y, _ in t) for t in trains]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=120, help="patients of a full-size site")
    parser.add_argument("--rounds", type=int, default=4, help="classifier rounds")
    parser.add_argument("--epsilon", type=float, default=8.0, help="total epsilon per site")
    parser.add_argument("--generator-rounds", type=int, default=8)
    parser.add_argument("--generator-epsilon", type=float, default=3.0,
                        help="the generator's share of --epsilon (before composition)")
    parser.add_argument("--synthetic", type=int, default=24, help="synthetic positives per site")
    parser.add_argument("--latent", type=int, default=16)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args()
    torch.set_num_threads(1)
    log: Callable[[str], None] = (lambda _m: None) if args.json else print
    task = demo_task(TASK)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        dirs = generate_phantom_sites(Path(tmp), SITES, args.patients, 0, TASK, slices=1,
                                      profiles=skewed_profiles(1.0))
        sites = [load_phantom_patients(d, task) for d in dirs]
    log(f"phantom: {sum(map(len, sites))} patients in {time.perf_counter() - t0:.0f} s")
    runs = [run_seed(args, sites, seed, log) for seed in range(args.seeds)]

    def mean(name: str) -> list[float]:
        return [round(float(np.mean([r[name][i] for r in runs])), 3) for i in range(SITES)]  # type: ignore[index]

    summary = {
        "task": TASK, "skew": "80/30/10 % positive", "epsilon_per_site": args.epsilon,
        "rounds": args.rounds, "generator_rounds": args.generator_rounds,
        "generator_epsilon": args.generator_epsilon, "synthetic_positives": args.synthetic,
        "seeds": args.seeds, "per_site_auc": {"baseline": mean("baseline"), "augmented": mean("augmented")},
        "mean_auc": {n: round(float(np.mean(mean(n))), 3) for n in ("baseline", "augmented")},
        "runs": runs, "seconds": round(time.perf_counter() - t0, 1),
    }
    log(f"{'AUC':<10}" + "".join(f"{'site ' + str(i + 1):>9}" for i in range(SITES)) + f"{'mean':>9}")
    for name in ("baseline", "augmented"):
        row = summary["per_site_auc"][name]  # type: ignore[index]
        log(f"{name:<10}" + "".join(f"{v:>9.3f}" for v in row) + f"{np.mean(row):>9.3f}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
