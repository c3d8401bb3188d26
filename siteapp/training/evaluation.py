"""Scoring a model on held-out patients: image probabilities, then one vector per patient."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from siteapp.tasks import TaskDefinition
from siteapp.training.config import EVALUATION, EvaluationDefaults
from siteapp.training.datasets import PatientDataset
from siteapp.training.metrics import (
    ClassificationMetrics,
    aggregate_vectors_by_patient,
    classification_metrics,
)


def class_probabilities(model: nn.Module, images: torch.Tensor) -> np.ndarray:
    """Softmax probabilities ``(N, classes)`` for a ``(N, C, H, W)`` batch."""
    with torch.no_grad():
        return torch.softmax(model(images), dim=1).cpu().numpy()


def positive_probabilities(
    model: nn.Module, images: torch.Tensor, positive_index: int
) -> np.ndarray:
    """Softmax probability of one class for a ``(N, C, H, W)`` batch."""
    return class_probabilities(model, images)[:, positive_index]


def patient_probabilities(
    model: nn.Module,
    dataset: PatientDataset,
    settings: EvaluationDefaults = EVALUATION,
    device: torch.device | None = None,
) -> dict[str, np.ndarray]:
    """Class probabilities per patient, aggregated over an evenly spaced subset of their
    images (``settings.max_images_per_patient``)."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    keys: list[str] = []
    pending: list[torch.Tensor] = []
    batches: list[np.ndarray] = []

    def flush() -> None:
        if pending:
            batches.append(class_probabilities(model, torch.stack(pending).to(device)))
            pending.clear()

    try:
        for p_index, record in enumerate(dataset.records):
            for i_index in dataset.evaluation_indices(p_index, settings.max_images_per_patient):
                keys.append(record.key)
                pending.append(dataset.image(p_index, i_index))
                if len(pending) >= settings.batch_size:
                    flush()
        flush()
    finally:
        model.train(was_training)
    flat = np.concatenate(batches) if batches else np.zeros((0, 1))
    return aggregate_vectors_by_patient(keys, flat, settings.patient_aggregation)


def labelled_scores(
    model: nn.Module,
    dataset: PatientDataset,
    task: TaskDefinition,
    settings: EvaluationDefaults = EVALUATION,
    device: torch.device | None = None,
) -> tuple[list[int], list[float]]:
    """Per patient, in dataset order: 1 if of the task's positive class else 0, and the
    probability of that class (the positive class against the rest). The task must name a
    positive class."""
    if task.positive_class is None:
        raise ValueError(f"task {task.name} names no positive class")
    by_patient = patient_probabilities(model, dataset, settings, device)
    positive = task.class_index(task.positive_class)
    labels = [int(r.label == positive) for r in dataset.records]
    return labels, [float(np.ravel(by_patient[r.key])[positive]) for r in dataset.records]


def evaluate_patients(
    model: nn.Module,
    dataset: PatientDataset,
    task: TaskDefinition,
    settings: EvaluationDefaults = EVALUATION,
    device: torch.device | None = None,
) -> ClassificationMetrics:
    """Patient-level validation metrics of ``model`` on ``dataset``: per class one
    against the rest, macro averages, and the confusion matrix."""
    by_patient = patient_probabilities(model, dataset, settings, device)
    labels = [r.label for r in dataset.records]
    probabilities = np.array([by_patient[r.key] for r in dataset.records]).reshape(-1, task.num_classes)
    return classification_metrics(
        labels, probabilities, task.classes, task.positive_class, settings.operating_threshold
    )


def validation_figures(
    model: nn.Module,
    dataset: PatientDataset,
    task: TaskDefinition,
    settings: EvaluationDefaults = EVALUATION,
    device: torch.device | None = None,
) -> dict[str, object]:
    """The site's exact validation figures of ``model``, as checkpoints keep them:
    :func:`evaluate_patients` for a classification task, Dice and HD95
    (:mod:`siteapp.training.segmentation_metrics`) for a segmentation task."""
    if task.is_segmentation:
        from siteapp.training.segmentation_data import SegmentationDataset
        from siteapp.training.segmentation_metrics import evaluate_segmentation

        assert isinstance(dataset, SegmentationDataset)
        return evaluate_segmentation(model, dataset, task, settings, device).to_dict()
    return evaluate_patients(model, dataset, task, settings, device).to_dict()
