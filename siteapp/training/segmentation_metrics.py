"""Dice and 95th-percentile Hausdorff distance of a segmentation model, per patient.

A patient's Dice is MONAI's :func:`~monai.metrics.compute_dice` over the stack of their
evaluated images (a volume Dice, per region, then the mean over regions); their HD95 is
MONAI's :func:`~monai.metrics.compute_hausdorff_distance` at the 95th percentile, in mm
on the task's grid, per image and region, averaged over the images where the region is
in the truth or the prediction. Conventions for empty masks (MONAI leaves them NaN):
nothing to find and nothing found is Dice 1 and HD95 0; a region in only one of the two
is Dice 0 and HD95 :func:`worst_hd95_mm` (the grid's diagonal). A site's figures are
the means over its patients; the exact per-patient numbers never leave the site.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from monai.metrics import compute_dice, compute_hausdorff_distance
from torch import nn

from siteapp.tasks import TaskDefinition
from siteapp.training.config import EVALUATION, EvaluationDefaults
from siteapp.training.segmentation_data import SegmentationDataset

HD95_PERCENTILE = 95.0


def worst_hd95_mm(task: TaskDefinition) -> float:
    """The HD95 of a region found where there is none (or missed): the grid's diagonal."""
    return float(task.matrix * task.pixel_spacing_mm * math.sqrt(2.0))


@dataclass(frozen=True)
class PatientSegmentationScore:
    key: str
    dice: float  # mean over the task's regions
    hd95_mm: float
    dice_per_region: tuple[float, ...]


@dataclass(frozen=True)
class SegmentationMetrics:
    """A site's validation figures: means over its patients (kept at the site)."""

    dice: float
    hd95_mm: float
    dice_per_region: dict[str, float]
    patients: int
    scores: list[PatientSegmentationScore] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "dice": self.dice, "hd95_mm": self.hd95_mm, "patients": self.patients,
        }
        out.update({f"dice:{name}": value for name, value in self.dice_per_region.items()})
        return out


def predict_labels(model: nn.Module, images: torch.Tensor) -> np.ndarray:
    """The most likely class of every pixel, ``(N, H, W)``, for a ``(N, C, H, W)`` batch."""
    with torch.no_grad():
        return model(images).argmax(dim=1).cpu().numpy().astype(np.int64)


def _one_hot(labels: np.ndarray, classes: int) -> torch.Tensor:
    """``(D, H, W)`` labels as a ``(1, classes, D, H, W)`` one-hot tensor."""
    tensor = torch.from_numpy(labels).long()
    return torch.nn.functional.one_hot(tensor, classes).movedim(-1, 0).unsqueeze(0).float()


def patient_score(
    key: str, predicted: np.ndarray, truth: np.ndarray, task: TaskDefinition
) -> PatientSegmentationScore:
    """Dice and HD95 of one patient's ``(D, H, W)`` predicted and true label maps."""
    classes = task.num_classes
    dice = compute_dice(
        _one_hot(predicted, classes), _one_hot(truth, classes),
        include_background=False, ignore_empty=False,
    ).reshape(-1).tolist()
    worst = worst_hd95_mm(task)
    distances = []
    for region in range(1, classes):
        for p, t in zip(predicted == region, truth == region, strict=True):
            if not p.any() and not t.any():
                continue
            if p.any() != t.any():
                distances.append(worst)
                continue
            pair = [torch.from_numpy(np.stack([~m, m])[None]).float() for m in (p, t)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                hd = compute_hausdorff_distance(
                    pair[0], pair[1], percentile=HD95_PERCENTILE, spacing=task.pixel_spacing_mm
                )
            distances.append(min(worst, float(hd.reshape(-1)[0])))
    return PatientSegmentationScore(
        key, float(np.mean(dice)), float(np.mean(distances)) if distances else 0.0,
        tuple(float(d) for d in dice),
    )


def patient_segmentation_scores(
    model: nn.Module, dataset: SegmentationDataset, task: TaskDefinition,
    settings: EvaluationDefaults = EVALUATION, device: torch.device | None = None,
) -> list[PatientSegmentationScore]:
    """One score per patient of ``dataset``, in its order, over an evenly spaced subset of
    their images (``settings.max_images_per_patient``)."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    scores = []
    try:
        for p_index, record in enumerate(dataset.records):
            indices = dataset.evaluation_indices(p_index, settings.max_images_per_patient)
            images = torch.stack([dataset.image(p_index, i) for i in indices]).to(device)
            truth = np.stack([dataset.mask(p_index, i).numpy() for i in indices])
            scores.append(patient_score(record.key, predict_labels(model, images), truth, task))
    finally:
        model.train(was_training)
    return scores


def segmentation_metrics(
    scores: list[PatientSegmentationScore], task: TaskDefinition
) -> SegmentationMetrics:
    """The site's means over ``scores``."""
    if not scores:
        return SegmentationMetrics(float("nan"), float("nan"), {}, 0)
    per_region = np.mean([s.dice_per_region for s in scores], axis=0)
    return SegmentationMetrics(
        dice=float(np.mean([s.dice for s in scores])),
        hd95_mm=float(np.mean([s.hd95_mm for s in scores])),
        dice_per_region={name: float(v) for name, v in zip(task.regions, per_region, strict=True)},
        patients=len(scores),
        scores=scores,
    )


def evaluate_segmentation(
    model: nn.Module, dataset: SegmentationDataset, task: TaskDefinition,
    settings: EvaluationDefaults = EVALUATION, device: torch.device | None = None,
) -> SegmentationMetrics:
    """Patient-level Dice and HD95 of ``model`` on ``dataset``."""
    return segmentation_metrics(
        patient_segmentation_scores(model, dataset, task, settings, device), task
    )
