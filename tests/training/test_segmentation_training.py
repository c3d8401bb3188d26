"""Segmentation under patient-level DP: the U-Net's per-patient gradients under Dice +
cross-entropy equal brute force (one plain autograd pass per patient), a DP round learns
the masks, masks move onto the task's grid and back, and Dice / HD95 follow their
conventions for empty masks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from segmentation_arrays import synthetic_masked_patients
from torch import nn

from siteapp.tasks import demo_task
from siteapp.training.factored_grad_sample import FactoredGradSample
from siteapp.training.fused_clipping import FusedClippingDPOptimizer
from siteapp.training.models import build_model
from siteapp.training.per_sample_grads import FusedGradSampleModule
from siteapp.training.segmentation_data import (
    SegmentationDataset,
    labels_on_image_grid,
    resample_labels,
)
from siteapp.training.segmentation_loss import DICE_CROSS_ENTROPY, PerImageDiceCELoss
from siteapp.training.segmentation_metrics import (
    evaluate_segmentation,
    patient_score,
    worst_hd95_mm,
)
from siteapp.training.trainer import RoundPlan, TrainingStep, train_round
from siteapp.training.weights import load_state

pytestmark = pytest.mark.filterwarnings("ignore:Full backward hook is firing")
TASK = demo_task("lung-ct-nodule-seg")
PATIENTS = 3
MATRIX = 32
TOLERANCE = 1e-4  # relative error, in float64 (as for the classification zoo)


def _unet() -> nn.Module:
    return build_model("unet_small", TASK, init_seed=0).double()


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    patients = synthetic_masked_patients(4, images_per_patient=1, matrix=MATRIX, seed=1)[:PATIENTS]
    x = torch.from_numpy(np.stack([p[1][0] for p in patients]))[:, None].double()
    y = torch.from_numpy(np.stack([p[2][0] for p in patients]))
    return x, y


def _brute_force(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[torch.Tensor]:
    params = [p for p in model.parameters() if p.requires_grad]
    grads = []
    for i in range(len(y)):
        loss = PerImageDiceCELoss()(model(x[i : i + 1]), y[i : i + 1])
        grads.append(torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, params)]))
    return grads


def test_unet_per_patient_gradients_equal_brute_force() -> None:
    model = _unet()
    x, y = _batch()
    expected = _brute_force(model, x, y)
    expected_norms = torch.stack([g.norm() for g in expected])
    clip = 0.9 * float(expected_norms.median())  # two patients clipped, one not
    factors = (clip / (expected_norms + 1e-6)).clamp(max=1.0)
    expected_sum = sum(f * g for f, g in zip(factors, expected, strict=True))
    assert isinstance(expected_sum, torch.Tensor)

    params = [p for p in model.parameters() if p.requires_grad]
    module = FusedGradSampleModule(model)
    optimizer = FusedClippingDPOptimizer(
        torch.optim.SGD(params, lr=0.1), noise_multiplier=0.0, max_grad_norm=clip,
        expected_batch_size=PATIENTS,
    )
    optimizer.zero_grad()
    PerImageDiceCELoss()(module(x), y).backward()
    samples = []
    for p in params:
        grad_sample = p.grad_sample  # type: ignore[attr-defined]
        if isinstance(grad_sample, FactoredGradSample):
            grad_sample = grad_sample.materialize()
        samples.append(grad_sample.reshape(PATIENTS, -1))
    norms = torch.cat(samples, dim=1).norm(dim=1).detach()
    optimizer.clip_and_accumulate()
    clipped = torch.cat([p.summed_grad.reshape(-1) for p in params])  # type: ignore[attr-defined]
    module.release()
    assert float((norms - expected_norms).norm() / expected_norms.norm()) <= TOLERANCE
    assert float((clipped - expected_sum).norm() / expected_sum.norm()) <= TOLERANCE


def test_unet_has_no_layer_without_a_per_sample_rule() -> None:
    """No transposed convolution, PReLU, batch statistics or in-place activation."""
    model = _unet()
    kinds = {type(layer) for layer in model.modules()}
    assert not kinds & {nn.ConvTranspose2d, nn.PReLU, nn.BatchNorm2d, nn.InstanceNorm2d}
    assert not any(getattr(layer, "inplace", False) for layer in model.modules())
    x, _ = _batch()
    torch.testing.assert_close(model(x[:1]), model(x)[:1])  # a patient's output is their own


def test_empty_poisson_batch_takes_a_noise_only_step() -> None:
    model = build_model("unet_small", TASK)
    data = SegmentationDataset.from_masked_arrays(synthetic_masked_patients(4, matrix=MATRIX))
    plan = RoundPlan(steps=1, sample_rate=0.5, noise_multiplier=1.0, loss=DICE_CROSS_ENTROPY,
                     noise_seed=0)
    step = TrainingStep(model, plan, len(data))
    before = [p.detach().clone() for p in model.parameters()]
    empty = torch.zeros((0, 1, MATRIX, MATRIX))
    assert np.isnan(step.run(empty, data.targets([])))
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_a_dp_round_learns_the_masks() -> None:
    train = SegmentationDataset.from_masked_arrays(
        synthetic_masked_patients(48, matrix=MATRIX, seed=2), seed=0
    )
    val = SegmentationDataset.from_masked_arrays(synthetic_masked_patients(12, matrix=MATRIX, seed=3))
    model = build_model("unet_small", TASK, init_seed=0)
    before = evaluate_segmentation(model, val, TASK)
    plan = RoundPlan(steps=60, sample_rate=0.25, noise_multiplier=0.5, optimizer="adam",
                     learning_rate=3e-2, loss=DICE_CROSS_ENTROPY, noise_seed=0, sampling_seed=0)
    result = train_round(model, train, plan, device="cpu")
    load_state(model, result.local_weights)
    after = evaluate_segmentation(model, val, TASK)
    assert after.dice > before.dice + 0.2, (before.dice, after.dice)
    assert after.dice > 0.6
    assert after.hd95_mm < before.hd95_mm
    assert set(after.to_dict()) >= {"dice", "hd95_mm", "dice:nodule", "patients"}


def test_masks_move_onto_the_grid_and_back() -> None:
    labels = np.zeros((100, 120), dtype=np.uint8)
    labels[40:60, 50:80] = 1
    grid = resample_labels(labels, (1.0, 1.0), 2.0, 64, 2)
    assert grid.shape == (64, 64)
    assert grid.sum() == pytest.approx(10 * 15, abs=20)  # 20 x 30 mm on 2 mm pixels
    back = labels_on_image_grid(grid, labels.shape, (1.0, 1.0), 2.0)
    overlap = 2 * np.sum((back == 1) & (labels == 1)) / (np.sum(back == 1) + np.sum(labels == 1))
    assert overlap > 0.9


def test_dice_and_hd95_conventions_for_empty_masks() -> None:
    empty = np.zeros((2, 8, 8), dtype=np.int64)
    found = empty.copy()
    found[0, 2:4, 2:4] = 1
    shifted = empty.copy()
    shifted[0, 3:5, 2:4] = 1
    assert patient_score("a", empty, empty, TASK).dice == 1.0
    assert patient_score("a", empty, empty, TASK).hd95_mm == 0.0
    missed = patient_score("a", empty, found, TASK)
    assert (missed.dice, missed.hd95_mm) == (0.0, worst_hd95_mm(TASK))
    near = patient_score("a", shifted, found, TASK)
    assert near.dice == pytest.approx(0.5)
    assert near.hd95_mm == pytest.approx(TASK.pixel_spacing_mm)
