"""Small in-memory patient datasets and one torch thread, so these tests stay fast."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from siteapp.tasks import TaskPreset, demo_task
from siteapp.training.datasets import PatientDataset

torch.set_num_threads(1)


def synthetic_patients(
    count: int, images_per_patient: int = 2, matrix: int = 64, seed: int = 0
) -> list[tuple[str, int, list[np.ndarray]]]:
    """Patients whose positive images hold a bright square on noise (learnable)."""
    rng = np.random.default_rng(seed)
    patients = []
    for index in range(count):
        label = index % 2
        images = []
        for _ in range(images_per_patient):
            image = (rng.random((matrix, matrix)) * 0.4).astype(np.float32)
            if label:
                r, c = rng.integers(8, matrix - 24, size=2)
                image[r : r + 14, c : c + 14] += 0.5
            images.append(image)
        patients.append((f"P{index:03d}", label, images))
    return patients


PatientFactory = Callable[..., list[tuple[str, int, list[np.ndarray]]]]


@pytest.fixture
def make_patients() -> PatientFactory:
    return synthetic_patients


@pytest.fixture
def task() -> TaskPreset:
    return demo_task("lung-ct-nodule")


@pytest.fixture
def small_dataset() -> PatientDataset:
    return PatientDataset.from_arrays(synthetic_patients(24))
