"""The MONAI networks of the zoo under per-patient DP: per-patient gradient norms and the
clipped sum of MedFed's fused mode equal brute force (one plain autograd pass per
patient), for every network; no batch statistics, no in-place writes Opacus rejects."""

from __future__ import annotations

import pytest
import torch
from opacus.grad_sample.utils import prepare_module
from torch import nn

from siteapp.training.factored_grad_sample import FactoredGradSample
from siteapp.training.fixed_batch_norm import FIXED_BATCH_NORMS, only_fixed_buffers
from siteapp.training.fused_clipping import FusedClippingDPOptimizer
from siteapp.training.models import MODEL_BUILDERS, MONAI_NETWORKS, ZooModel, freeze_stages
from siteapp.training.per_sample_grads import FusedGradSampleModule

torch.set_num_threads(1)
pytestmark = pytest.mark.filterwarnings("ignore:Full backward hook is firing")
PATIENTS = 3
CLASSES = 3
# The networks' real widths on tiny inputs: every stage still runs (down to 1 x 1 maps).
MATRIX_2D, MATRIX_3D = 32, 16
# Relative error of the norms and of the clipped sum. In float64, so that what is compared
# is the rules' arithmetic: in float32 the batched and the one-by-one passes round
# differently through 20-100 layers and differ by ~2e-4 (float64: ~1e-14).
TOLERANCE = 1e-4


def _inputs(model: ZooModel) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    side = MATRIX_3D if model.spatial_dims == 3 else MATRIX_2D
    x = torch.rand((PATIENTS, 1, *(side,) * model.spatial_dims), generator=gen).double()
    return x, torch.tensor([0, 1, 2])


def _network(name: str, frozen_stages: int = 0) -> ZooModel:
    torch.manual_seed(0)
    model = MODEL_BUILDERS[name](1, CLASSES)
    # Pretrained-like statistics, so the fixed BatchNorms are not the identity.
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, FIXED_BATCH_NORMS):
                layer.running_mean.uniform_(-0.1, 0.1)  # type: ignore[union-attr,operator]
                layer.running_var.uniform_(0.5, 2.0)  # type: ignore[union-attr,operator]
                layer.weight.uniform_(0.5, 1.5)
                layer.bias.uniform_(-0.1, 0.1)
    freeze_stages(model, frozen_stages)
    return model.double().eval()  # EfficientNet's dropout and drop-connect draw per call


def _brute_force(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[torch.Tensor]:
    params = [p for p in model.parameters() if p.requires_grad]
    per_patient = []
    for i in range(len(y)):
        loss = nn.CrossEntropyLoss()(model(x[i : i + 1]), y[i : i + 1])
        grads = torch.autograd.grad(loss, params)
        per_patient.append(torch.cat([g.reshape(-1) for g in grads]))
    return per_patient


def _relative_error(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return float((actual - expected).norm() / expected.norm())


def _fused_norms_and_clipped_sum(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, clip: float
) -> tuple[torch.Tensor, torch.Tensor]:
    params = [p for p in model.parameters() if p.requires_grad]
    module = FusedGradSampleModule(model)
    optimizer = FusedClippingDPOptimizer(
        torch.optim.SGD(params, lr=0.1), noise_multiplier=0.0, max_grad_norm=clip,
        expected_batch_size=len(y),
    )
    optimizer.zero_grad()
    nn.CrossEntropyLoss()(module(x), y).backward()
    samples = []
    for p in params:
        grad_sample = p.grad_sample  # type: ignore[attr-defined]
        if isinstance(grad_sample, FactoredGradSample):
            grad_sample = grad_sample.materialize()
        samples.append(grad_sample.reshape(len(y), -1))
    norms = torch.cat(samples, dim=1).norm(dim=1)
    optimizer.clip_and_accumulate()
    clipped = torch.cat([p.summed_grad.reshape(-1) for p in params])  # type: ignore[attr-defined]
    module.release()
    return norms.detach(), clipped.detach()


@pytest.mark.parametrize(
    ("name", "frozen_stages"),
    [(name, 0) for name in MONAI_NETWORKS] + [("resnet18", 4)],
)
def test_fused_per_patient_gradients_equal_brute_force(name: str, frozen_stages: int) -> None:
    model = _network(name, frozen_stages)
    x, y = _inputs(model)
    expected = _brute_force(model, x, y)
    expected_norms = torch.stack([g.norm() for g in expected])
    clip = 0.9 * float(expected_norms.median())  # two patients clipped, one not
    factors = (clip / (expected_norms + 1e-6)).clamp(max=1.0)
    expected_sum = sum(f * g for f, g in zip(factors, expected, strict=True))
    assert isinstance(expected_sum, torch.Tensor)
    norms, clipped = _fused_norms_and_clipped_sum(model, x, y, clip)
    assert _relative_error(norms, expected_norms) <= TOLERANCE
    assert _relative_error(clipped, expected_sum) <= TOLERANCE


@pytest.mark.parametrize("name", MONAI_NETWORKS)
def test_zoo_networks_use_no_batch_statistics_and_no_in_place_writes(name: str) -> None:
    """A patient's logits do not depend on who else is in the batch (train mode), and
    Opacus' hooks, which reject in-place writes on the tensors they watch, run."""
    model = _network(name).train()
    for layer in model.modules():
        assert not isinstance(layer, nn.modules.batchnorm._BatchNorm) or isinstance(
            layer, FIXED_BATCH_NORMS
        )
        assert not getattr(layer, "inplace", False), type(layer).__name__
    x, y = _inputs(model)
    for layer in model.modules():  # EfficientNet's per-sample random drops, switched off
        if isinstance(layer, nn.Dropout):
            layer.p = 0.0
        if hasattr(layer, "drop_connect_rate"):
            layer.drop_connect_rate = 0.0
    alone = model(x[:1])
    together = model(x)[:1]
    torch.testing.assert_close(alone, together, rtol=1e-4, atol=1e-5)
    assert only_fixed_buffers(model)
    hooked = prepare_module(model, "hooks", batch_first=True, loss_reduction="mean", strict=False)
    nn.CrossEntropyLoss()(hooked(x), y).backward()
    head = model.head[0]
    assert head.weight.grad_sample.shape == (PATIENTS, *head.weight.shape)  # type: ignore[union-attr]


def test_frozen_stages_train_only_the_later_stages_and_head() -> None:
    model = MODEL_BUILDERS["resnet18"](1, CLASSES)
    freeze_stages(model, 4)
    trainable = {name.split(".")[1] for name, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"layer4", "0"}  # backbone.layer4.* and head.0.*
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == pytest.approx(
        8.4e6, rel=0.01
    )
