"""What a federation is compared with: each site alone (with DP), and all data pooled.

- **Local only**: each site trains the same model for the same rounds x epochs with
  DP-SGD on its own patients, at the epsilon the site spent in the federation, through
  its own privacy ledger (a copy of its data folder made before it joined).
- **Centralized**: one model trained without DP on every site's training patients
  pooled, which no hospital could do legally; the upper bound federation aims at.
- **Centralized with DP**: the same pooled model trained with DP-SGD at the sites'
  epsilon cap: what the privacy guarantee alone costs, with no federation in the way.

Both start from the federation's initial model (:func:`initial_model`: the same seeded
weights, with the task's public pretrained backbone where the model has one) and are
scored on each site's held-out (validation) patients, round by round, exactly as the
federated model is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from siteapp.demo.settings import DemoSettings

if TYPE_CHECKING:
    from siteapp.training.datasets import PatientDataset

Say = Callable[[str], None]


@dataclass
class BaselineCurve:
    """AUC on each site's held-out patients after each round (``None``: undefined)."""

    auc_by_round: list[dict[str, float | None]] = field(default_factory=list)
    epsilon: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    # After the last round: each class's one-vs-rest AUC on each site's held-out patients.
    per_class_auc: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def final(self) -> dict[str, float | None]:
        return self.auc_by_round[-1] if self.auc_by_round else {}


def _auc(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def score(model: object, val: PatientDataset, task: object) -> tuple[float | None, dict[str, float | None]]:
    """The headline figure on ``val`` (AUC, or mean Dice for a segmentation task) and the
    same per class (one-vs-rest AUC, or Dice per region)."""
    from siteapp.tasks import TaskDefinition
    from siteapp.training.evaluation import evaluate_patients
    from siteapp.training.segmentation_data import SegmentationDataset
    from siteapp.training.segmentation_metrics import evaluate_segmentation

    assert isinstance(task, TaskDefinition)
    if isinstance(val, SegmentationDataset):
        dice = evaluate_segmentation(model, val, task)  # type: ignore[arg-type]
        return dice.dice, dict(dice.dice_per_region)
    figures = evaluate_patients(model, val, task)  # type: ignore[arg-type]
    return _auc(figures.auc), {f.name: f.auc for f in figures.per_class}


def local_only(settings: DemoSettings, data_dirs: dict[str, Path], epsilon: dict[str, float],
               say: Say = print) -> BaselineCurve:
    """Each site trains alone with DP at ``epsilon[site]`` (see the module docstring)."""
    import time

    from siteapp.privacy.ledger import EntryStatus, PrivacyLedger
    from siteapp.training.datasets import site_dataset
    from siteapp.training.segmentation_loss import loss_for
    from siteapp.training.trainer import RoundPlan, plan_round, train_round
    from siteapp.training.weights import load_state

    started = time.perf_counter()
    task = settings.working_task()
    curve = BaselineCurve(auc_by_round=[{} for _ in range(settings.rounds)])
    for index, (site, data_dir) in enumerate(data_dirs.items()):
        train = site_dataset(data_dir, task, "train", seed=settings.seed)
        val = site_dataset(data_dir, task, "val", seed=settings.seed)
        ledger = PrivacyLedger(data_dir)
        sample_rate, steps = plan_round(len(train), settings.epochs_per_round,
                                        settings.batch_patients)
        sigma = ledger.calibrate(sample_rate, steps, len(train), settings.rounds, epsilon[site])
        model = settings.starting_model()
        for number in range(1, settings.rounds + 1):
            entry = ledger.record_planned_round(number, sigma, sample_rate, steps, len(train),
                                                context="demo:local-only")
            seed = settings.seed * 1000 + 100 * index + number
            plan = RoundPlan(steps=steps, sample_rate=sample_rate, noise_multiplier=sigma,
                             max_grad_norm=settings.max_grad_norm,
                             optimizer=settings.optimizer,
                             learning_rate=settings.learning_rate,
                             learning_rate_schedule=settings.learning_rate_schedule,
                             sampling_seed=seed, noise_seed=seed,
                             loss=loss_for(task.is_segmentation))
            load_state(model, train_round(model, train, plan, device="cpu").local_weights)
            ledger.mark_finished(entry.id, EntryStatus.COMPLETED)
            value, per_class = score(model, val, task)
            curve.auc_by_round[number - 1][site] = value
            curve.per_class_auc[site] = per_class
        curve.epsilon[site] = ledger.epsilon_spent()
        say(f"local-only {site}: {settings.score_label} {_fmt(curve.auc_by_round[-1][site])} at epsilon "
            f"{curve.epsilon[site]:.2f} (noise multiplier {sigma:.2f})")
    curve.seconds = time.perf_counter() - started
    return curve


def centralized(settings: DemoSettings, data_dirs: dict[str, Path], say: Say = print,
                *, epsilon: float | None = None) -> BaselineCurve:
    """One model on every site's training patients pooled: without DP, or with DP-SGD
    calibrated so the whole run spends ``epsilon`` (at the demo's delta)."""
    import time

    from siteapp.privacy.calibration import calibrate_noise_multiplier
    from siteapp.training.datasets import site_dataset
    from siteapp.training.segmentation_loss import loss_for
    from siteapp.training.trainer import RoundPlan, plan_round, train_round
    from siteapp.training.weights import load_state

    started = time.perf_counter()
    task = settings.working_task()
    trains = [site_dataset(d, task, "train", seed=settings.seed) for d in data_dirs.values()]
    vals = {site: site_dataset(d, task, "val", seed=settings.seed) for site, d in data_dirs.items()}
    pooled = pool_datasets(trains, settings.seed)
    sample_rate, steps = plan_round(len(pooled), settings.epochs_per_round, settings.batch_patients)
    sigma = 0.0
    if epsilon is not None:
        sigma = calibrate_noise_multiplier(epsilon, settings.delta, sample_rate, steps,
                                           settings.rounds)
    model = settings.starting_model()
    curve = BaselineCurve()
    for number in range(1, settings.rounds + 1):
        plan = RoundPlan(steps=steps, sample_rate=sample_rate, noise_multiplier=sigma,
                         dp=epsilon is not None, max_grad_norm=settings.max_grad_norm,
                         optimizer=settings.optimizer, learning_rate=settings.learning_rate,
                         learning_rate_schedule=settings.learning_rate_schedule,
                         sampling_seed=settings.seed * 1000 + number,
                         noise_seed=settings.seed * 1000 + number,
                         loss=loss_for(task.is_segmentation))
        load_state(model, train_round(model, pooled, plan, device="cpu").local_weights)
        figures = {site: score(model, val, task) for site, val in vals.items()}
        curve.auc_by_round.append({site: f[0] for site, f in figures.items()})
        curve.per_class_auc = {site: f[1] for site, f in figures.items()}
    curve.seconds = time.perf_counter() - started
    if epsilon is None:
        say(f"centralized (pooled, no DP): mean {settings.score_label} "
            f"{_fmt(mean_auc(curve.final()))}")
    else:
        curve.epsilon = {"pooled": epsilon}
        say(f"centralized (pooled, DP at epsilon {epsilon:g}): mean {settings.score_label} "
            f"{_fmt(mean_auc(curve.final()))} (noise multiplier {sigma:.2f})")
    return curve


def pool_datasets(parts: Sequence[PatientDataset], seed: int) -> PatientDataset:
    """One :class:`PatientDataset` over the patients of several (no copies of images);
    segmentation datasets pool into one with their masks."""
    from siteapp.training.datasets import PatientDataset
    from siteapp.training.segmentation_data import SegmentationDataset

    owners = [(part, i) for part in parts for i in range(len(part))]

    def load(patient: int, image: int) -> np.ndarray:
        part, local = owners[patient]
        return part.image(local, image).squeeze(0).numpy()

    records = [r for part in parts for r in part.records]
    if parts and all(isinstance(part, SegmentationDataset) for part in parts):
        def masks(patient: int, image: int) -> np.ndarray:
            part, local = owners[patient]
            assert isinstance(part, SegmentationDataset)
            return part.mask(local, image).numpy()

        matrix = parts[0].matrix  # type: ignore[attr-defined]
        return SegmentationDataset(records, load, masks, matrix, seed=seed)
    return PatientDataset(records, load, seed=seed)


def mean_auc(aucs: dict[str, float | None]) -> float | None:
    values = [v for v in aucs.values() if v is not None]
    return float(np.mean(values)) if values else None


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
