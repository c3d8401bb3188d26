"""Synthetic patients: the plan's generator built at a site and sampled into memory.

Synthetic patients exist only in memory at the site: they are never written to the DICOM
index or the preprocessing cache, their records are marked ``synthetic`` and keyed
``synthetic-...``, and what a site uploads is a model update as always.
"""

from __future__ import annotations

from coordinator.protocol import FederationPlan, GeneratorTraining
from siteapp.synthesis.generator import (
    ConditionalVAE,
    GeneratorShape,
    build_generator,
    sample_images,
)
from siteapp.synthesis.plan_rounds import WeightDict
from siteapp.tasks import TaskPreset
from siteapp.training.datasets import PatientDataset, PatientRecord
from siteapp.training.weights import load_state, trainable_state

SYNTHETIC_KEY_PREFIX = "synthetic-"


def generator_shape(settings: GeneratorTraining) -> GeneratorShape:
    return GeneratorShape(latent=settings.latent, width=settings.width, kl_weight=settings.kl_weight)


def plan_generator(plan: FederationPlan, task: TaskPreset) -> ConditionalVAE | None:
    """The plan's generator from its ``init_seed`` (identical at every site), or None."""
    if plan.generator is None:
        return None
    return build_generator(task.matrix, task.channels, task.num_classes,
                           generator_shape(plan.generator), plan.init_seed)


def generator_state(generator: ConditionalVAE) -> WeightDict:
    return trainable_state(generator)


def generator_with(generator: ConditionalVAE, weights: WeightDict) -> ConditionalVAE:
    load_state(generator, weights)
    return generator


def synthetic_patients(
    generator: ConditionalVAE, task: TaskPreset, classes: list[str], per_class: int,
    seed: int | None = None,
) -> PatientDataset:
    """``per_class`` synthetic one-image patients of each class, as a dataset of records
    marked synthetic. Sampling is post-processing of DP-trained weights: no privacy cost."""
    labels = [task.class_index(c) for c in classes for _ in range(per_class)]
    images = sample_images(generator, labels, seed).numpy()[:, 0]
    records = [
        PatientRecord(f"{SYNTHETIC_KEY_PREFIX}{task.classes[y]}-{i:05d}", y, 1, synthetic=True)
        for i, y in enumerate(labels)
    ]
    return PatientDataset(records, lambda p, _i: images[p])


def generator_update_length(task: TaskPreset, settings: GeneratorTraining) -> int:
    """The values the plan's generator adds to every update (a secure plan's
    ``update_length`` is the classifier's plus this)."""
    generator = build_generator(task.matrix, task.channels, task.num_classes, generator_shape(settings), 0)
    return sum(p.numel() for p in generator.parameters() if p.requires_grad)
