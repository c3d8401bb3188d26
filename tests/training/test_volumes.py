"""CT series as one resampled volume per study for 3D networks; the patient stays the record."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from siteapp.tasks import load_task
from siteapp.training.models import build_model
from siteapp.training.trainer import RoundPlan, TrainingStep
from siteapp.training.volumes import resample_along_slices, volume_dataset


def test_slices_are_ordered_by_position_and_blended_linearly() -> None:
    slices = [np.full((2, 2), value, np.float32) for value in (30.0, 10.0, 20.0)]
    volume = resample_along_slices(slices, [6.0, 2.0, 4.0], depth=5, spacing_mm=1.0)
    # planes at z = 2..6 around the centre 4: 10, 15, 20, 25, 30
    np.testing.assert_allclose(volume[:, 0, 0], [10.0, 15.0, 20.0, 25.0, 30.0])
    wider = resample_along_slices(slices, [6.0, 2.0, 4.0], depth=5, spacing_mm=1.5)
    np.testing.assert_allclose(wider[:, 0, 0], [0.0, 12.5, 20.0, 27.5, 0.0])  # outside: 0


def test_a_ct_series_becomes_one_volume_per_patient_and_trains_a_3d_network(imported_site: Path) -> None:
    task = load_task("lung-ct-nodule")
    data = volume_dataset(imported_site, task, "train", depth=8, slice_spacing_mm=2.0)
    assert len(data) == len({r.key for r in data.records})  # one record per patient
    assert all(r.num_images == 1 for r in data.records)  # the phantom: one study each
    volume, label = data[0]
    assert volume.shape == (1, 8, task.matrix, task.matrix)
    assert label == data.records[0].label
    assert float(volume.abs().sum()) > 0
    model = build_model("resnet18-3d", task)
    step = TrainingStep(model, RoundPlan(steps=1, sample_rate=0.5, noise_multiplier=1.0), len(data))
    x = torch.stack([data[i][0] for i in range(2)])
    y = torch.tensor([data.records[i].label for i in range(2)])
    assert np.isfinite(step.run(x, y))
