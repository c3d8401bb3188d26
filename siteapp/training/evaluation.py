"""Scoring a model on held-out patients: image scores, then one score per patient."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from siteapp.tasks import TaskPreset
from siteapp.training.config import EVALUATION, EvaluationDefaults
from siteapp.training.datasets import PatientDataset
from siteapp.training.metrics import BinaryMetrics, aggregate_by_patient, binary_metrics


def positive_probabilities(
    model: nn.Module, images: torch.Tensor, positive_index: int
) -> np.ndarray:
    """Softmax probability of the positive class for a ``(N, C, H, W)`` batch."""
    with torch.no_grad():
        logits = model(images)
        return torch.softmax(logits, dim=1)[:, positive_index].cpu().numpy()


def patient_scores(
    model: nn.Module,
    dataset: PatientDataset,
    task: TaskPreset,
    settings: EvaluationDefaults = EVALUATION,
    device: torch.device | None = None,
) -> dict[str, float]:
    """Positive-class score per patient, aggregated over an evenly spaced subset of
    their images (``settings.max_images_per_patient``)."""
    device = device or next(model.parameters()).device
    positive = task.class_index(task.positive_class)
    was_training = model.training
    model.eval()
    keys: list[str] = []
    pending: list[torch.Tensor] = []
    scores: list[np.ndarray] = []

    def flush() -> None:
        if pending:
            scores.append(positive_probabilities(model, torch.stack(pending).to(device), positive))
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
    flat = np.concatenate(scores) if scores else np.zeros(0)
    return aggregate_by_patient(keys, flat, settings.patient_aggregation)


def evaluate_patients(
    model: nn.Module,
    dataset: PatientDataset,
    task: TaskPreset,
    settings: EvaluationDefaults = EVALUATION,
    device: torch.device | None = None,
) -> BinaryMetrics:
    """Patient-level validation metrics of ``model`` on ``dataset``."""
    by_patient = patient_scores(model, dataset, task, settings, device)
    positive = task.class_index(task.positive_class)
    labels = [int(r.label == positive) for r in dataset.records]
    scores = [by_patient[r.key] for r in dataset.records]
    return binary_metrics(labels, scores, settings.operating_threshold)
