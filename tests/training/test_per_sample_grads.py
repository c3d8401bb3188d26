"""The fused grad-sample mode: same per-sample gradients and clipped, noised update as
Opacus' "hooks" mode, in one backward pass."""

from __future__ import annotations

import copy
import platform

import pytest
import torch
from opacus.grad_sample.utils import prepare_module
from opacus.optimizers import DPOptimizer
from torch import nn

from siteapp.tasks import TaskPreset, demo_task
from siteapp.training import conv_grads
from siteapp.training.factored_grad_sample import FactoredGradSample, factoring_pays
from siteapp.training.fused_clipping import SQ_NORM_ATTR, FusedClippingDPOptimizer
from siteapp.training.heap import retain_freed_memory
from siteapp.training.models import VOLUME_MODELS, build_model, freeze_backbone
from siteapp.training.per_sample_grads import (
    NORM_IN_BACKWARD_MIN_SIZE,
    FusedGradSampleModule,
    UnsupportedLayerError,
)

torch.set_num_threads(1)
pytestmark = pytest.mark.filterwarnings("ignore:Full backward hook is firing")


def _grad_sample(param: torch.Tensor) -> torch.Tensor:
    """The per-sample gradients, formed if the fused module kept them factored."""
    grad_sample = param.grad_sample  # type: ignore[attr-defined]
    if isinstance(grad_sample, FactoredGradSample):
        return grad_sample.materialize()
    assert isinstance(grad_sample, torch.Tensor)
    return grad_sample


def _batch(task: TaskPreset, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    grid = (task.input.depth,) if task.input.depth is not None else ()
    x = torch.rand((size, task.channels, *grid, task.matrix, task.matrix), generator=gen)
    y = torch.randint(0, task.num_classes, (size,), generator=gen)
    return x, y


@pytest.mark.parametrize("model_name", ["compact_cnn", "resnet_small", "compact_cnn_3d"])
def test_fused_per_sample_gradients_match_opacus_hooks(task: TaskPreset, model_name: str) -> None:
    if model_name in VOLUME_MODELS:
        task = demo_task("lung-ct-nodule-3d")
    x, y = _batch(task, 4)
    reference, fused = build_model(model_name, task), build_model(model_name, task)
    hooks_module = prepare_module(reference, "hooks", batch_first=True, loss_reduction="mean")
    nn.CrossEntropyLoss()(hooks_module(x), y).backward()
    nn.CrossEntropyLoss()(FusedGradSampleModule(fused)(x), y).backward()
    for (name, expected), actual in zip(
        reference.named_parameters(), fused.parameters(), strict=True
    ):
        assert _grad_sample(actual).shape == _grad_sample(expected).shape, name
        torch.testing.assert_close(
            _grad_sample(actual), _grad_sample(expected), rtol=1e-4, atol=1e-6
        )
        # The summed gradient is replaced, not computed as well: that is the saving.
        assert actual.grad is None, name
        # Large parameters are normed in the backward pass, small ones when clipping.
        normed = getattr(actual, SQ_NORM_ATTR)
        if actual.numel() < NORM_IN_BACKWARD_MIN_SIZE:
            assert normed is None, name
        else:
            torch.testing.assert_close(
                normed, _grad_sample(expected).flatten(1).square().sum(1), rtol=1e-4, atol=1e-8
            )


def test_small_maps_keep_per_sample_gradients_factored(task: TaskPreset) -> None:
    """compact_cnn's last conv (3x3 map) is factored, the ones before it are formed; the
    factored pair gives the formed gradients' norms and clipped sum."""
    model = build_model("compact_cnn", task)
    x, y = _batch(task, 6)
    nn.CrossEntropyLoss()(FusedGradSampleModule(model)(x), y).backward()
    convs = [m for m in model.backbone.modules() if isinstance(m, nn.Conv2d)]
    kinds = [type(conv.weight.grad_sample) for conv in convs]  # type: ignore[attr-defined]
    assert kinds == [torch.Tensor, torch.Tensor, torch.Tensor, FactoredGradSample]
    factored: FactoredGradSample = convs[-1].weight.grad_sample  # type: ignore[attr-defined]
    formed = factored.materialize()
    assert formed.shape == (6, *convs[-1].weight.shape)
    torch.testing.assert_close(
        factored.sq_norms(), formed.flatten(1).square().sum(1), rtol=1e-4, atol=1e-8
    )
    clip_factor = torch.linspace(0.1, 1.0, 6)
    torch.testing.assert_close(
        factored.clipped_sum(clip_factor),
        torch.einsum("i,i...->...", clip_factor, formed),
        rtol=1e-4,
        atol=1e-7,
    )


@pytest.mark.parametrize(("map_size", "factored"), [(3, True), (6, False), (12, False)])
def test_factoring_pays_on_small_maps_only(map_size: int, factored: bool) -> None:
    conv = nn.Conv2d(64, 64, 3, padding=1)
    assert factoring_pays(conv, map_size * map_size) is factored
    assert not factoring_pays(nn.Conv2d(64, 64, 3, padding=1, groups=2), 1)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "dilation", "size"),
    [(3, 1, 1, 1, (7, 7)), (3, 1, 0, 1, (6, 9)), (5, 1, 2, 1, (5, 4)), (3, 1, 2, 2, (7, 7)),
     ((3, 1), 1, (1, 0), 1, (6, 6)), (3, 2, 1, 1, (14, 14)), (1, 1, 0, 1, (7, 7))],
)
def test_the_input_gram_equals_the_im2col_product(kernel, stride, padding, dilation, size) -> None:
    """The per-sample norms' input Gram matrix, from the padded pixels' Gram summed over
    the kernel's shifts (stride 1 on a small map) or from the im2col copy (the others),
    equals the im2col columns' own product."""
    layer = nn.Conv2d(5, 4, kernel, stride=stride, padding=padding, dilation=dilation).double()
    x = torch.randn(3, 5, *size, dtype=torch.float64)
    columns = conv_grads.columns(layer, x)
    expected = torch.bmm(columns.transpose(1, 2), columns)
    torch.testing.assert_close(conv_grads.input_gram(layer, x), expected, rtol=1e-12, atol=1e-12)


def test_resnet18s_last_stage_keeps_its_3x3_gradients_factored() -> None:
    """At 224 x 224 layer4 sees 7 x 7 maps: its 3x3 convolutions (8.4 M weights at batch
    16 would be 134 M formed numbers) are kept factored, the 1x1 projection is formed."""
    assert factoring_pays(nn.Conv2d(256, 512, 3, stride=2, padding=1), 7 * 7)
    assert factoring_pays(nn.Conv2d(512, 512, 3, padding=1), 7 * 7)
    assert not factoring_pays(nn.Conv2d(256, 512, 1, stride=2), 7 * 7)
    assert not factoring_pays(nn.Conv2d(128, 256, 3, padding=1), 14 * 14)  # layer3: formed


def test_a_layer_run_twice_sums_its_per_sample_gradients() -> None:
    """Shared weights: each sample's gradient is the sum over both uses (the first use
    was kept factored)."""
    torch.manual_seed(0)
    conv = nn.Conv2d(16, 16, 3, padding=1, bias=False)
    assert factoring_pays(conv, 2 * 2)
    reference = nn.Sequential(conv, nn.ReLU(), conv, nn.Flatten(), nn.Linear(16 * 4, 2))
    model = nn.Sequential(*[copy.deepcopy(m) for m in reference])
    model[2] = model[0]
    x = torch.randn(3, 16, 2, 2)
    y = torch.tensor([0, 1, 1])
    nn.CrossEntropyLoss()(FusedGradSampleModule(model)(x), y).backward()
    shared = model[0]
    assert isinstance(shared, nn.Conv2d)
    weight = shared.weight
    expected = torch.stack(
        [
            torch.autograd.grad(
                nn.CrossEntropyLoss(reduction="sum")(reference(x[i : i + 1]), y[i : i + 1]),
                conv.weight,
            )[0]
            for i in range(3)
        ]
    )
    torch.testing.assert_close(_grad_sample(weight), expected, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(
        getattr(weight, SQ_NORM_ATTR), expected.flatten(1).square().sum(1), rtol=1e-4, atol=1e-7
    )


def _private_grads(
    task: TaskPreset,
    fused: bool,
    x: torch.Tensor,
    y: torch.Tensor,
    noise_multiplier: float,
    secure_mode: bool = False,
) -> list[torch.Tensor]:
    model = build_model("compact_cnn", task)
    module: nn.Module
    if fused:
        module = FusedGradSampleModule(model)
    else:
        module = prepare_module(model, "hooks", batch_first=True, loss_reduction="mean")
    optimizer_class = FusedClippingDPOptimizer if fused else DPOptimizer
    optimizer = optimizer_class(
        torch.optim.SGD(model.parameters(), lr=0.1),
        noise_multiplier=noise_multiplier,
        max_grad_norm=0.05,  # far below the gradients' norms, so every sample is clipped
        expected_batch_size=4,
        generator=None if secure_mode else torch.Generator().manual_seed(7),
        secure_mode=secure_mode,
    )
    optimizer.zero_grad()
    nn.CrossEntropyLoss()(module(x), y).backward()
    assert optimizer.pre_step()
    return [p.grad.detach().clone() for p in model.parameters() if p.grad is not None]


@pytest.mark.parametrize("size", [5, 0])
def test_fused_clipping_gives_the_opacus_clipped_mean(task: TaskPreset, size: int) -> None:
    x, y = _batch(task, size)
    expected = _private_grads(task, False, x, y, noise_multiplier=0.0)
    actual = _private_grads(task, True, x, y, noise_multiplier=0.0)
    for a, e in zip(actual, expected, strict=True):
        torch.testing.assert_close(a, e, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("secure_mode", [False, True])
def test_fused_noise_has_the_opacus_scale(task: TaskPreset, secure_mode: bool) -> None:
    """An empty batch leaves pure noise: std noise_multiplier * max_grad_norm / batch
    (secure mode: Opacus draws the noise, the fused optimiser still scales it)."""
    x, y = _batch(task, 0)
    noise = torch.cat([g.flatten() for g in _private_grads(task, True, x, y, 2.0, secure_mode)])
    reference = torch.cat([g.flatten() for g in _private_grads(task, False, x, y, 2.0)])
    expected_std = 2.0 * 0.05 / 4
    assert noise.numel() > 50_000
    assert abs(noise.mean().item()) < 0.02 * expected_std
    assert noise.std().item() == pytest.approx(expected_std, rel=0.02)
    assert reference.std().item() == pytest.approx(expected_std, rel=0.02)


@pytest.mark.parametrize("only_last_conv", [False, True])
def test_fused_clipping_refuses_a_second_step_without_zero_grad(
    task: TaskPreset, only_last_conv: bool
) -> None:
    """Also when every per-sample gradient is factored (the last conv alone trains)."""
    model = build_model("compact_cnn", task)
    if only_last_conv:
        last_conv = [m for m in model.modules() if isinstance(m, nn.Conv2d)][-1]
        for p in model.parameters():
            p.requires_grad_(p is last_conv.weight)
    module = FusedGradSampleModule(model)
    optimizer = FusedClippingDPOptimizer(
        torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1),
        noise_multiplier=1.0,
        max_grad_norm=1.0,
        expected_batch_size=2,
    )
    x, y = _batch(task, 2)
    nn.CrossEntropyLoss()(module(x), y).backward()
    optimizer.step()
    with pytest.raises(ValueError, match=r"zero_grad\(\)"):
        optimizer.step()


def test_frozen_backbone_gets_no_per_sample_gradients(task: TaskPreset) -> None:
    model = build_model("compact_cnn", task)
    freeze_backbone(model)
    module = FusedGradSampleModule(model)
    x, y = _batch(task, 3)
    nn.CrossEntropyLoss()(module(x), y).backward()
    assert all(getattr(p, "grad_sample", None) is None for p in model.backbone.parameters())
    assert all(_grad_sample(p).shape[0] == 3 for p in model.head.parameters())


def test_release_restores_the_plain_model(task: TaskPreset) -> None:
    model = build_model("compact_cnn", task)
    module = FusedGradSampleModule(model)
    assert module.release() is model
    x, y = _batch(task, 2)
    nn.CrossEntropyLoss()(model(x), y).backward()
    assert all(p.grad is not None for p in model.parameters())


class _Gain(nn.Module):
    """A trainable layer type neither MedFed nor Opacus has a per-sample rule for."""

    def __init__(self) -> None:
        super().__init__()
        self.gain = nn.Parameter(torch.ones(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gain


def test_layer_without_any_rule_is_refused() -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), _Gain(), nn.Flatten(), nn.Linear(2, 2))
    with pytest.raises(UnsupportedLayerError, match=r"'1' \(_Gain\).*cannot be trained"):
        FusedGradSampleModule(model)


def test_layers_without_a_fused_rule_fall_back_to_opacus_per_layer() -> None:
    """LayerNorm has no fused rule: that layer alone takes Opacus' per-sample function,
    the convolutions (1D too) keep theirs; every per-sample gradient equals brute force."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv1d(2, 4, 3, padding=1), nn.LayerNorm([4, 6]), nn.ReLU(), nn.Flatten(),
        nn.Linear(24, 3),
    )
    x, y = torch.randn(4, 2, 6), torch.tensor([0, 1, 2, 1])
    params = list(model.parameters())
    expected = [
        torch.autograd.grad(nn.CrossEntropyLoss()(model(x[i : i + 1]), y[i : i + 1]), params)
        for i in range(4)
    ]
    nn.CrossEntropyLoss()(FusedGradSampleModule(model)(x), y).backward()
    for index, param in enumerate(params):
        torch.testing.assert_close(
            _grad_sample(param), torch.stack([grads[index] for grads in expected]),
            rtol=1e-4, atol=1e-6,
        )


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_training_keeps_freed_heap_memory_on_glibc() -> None:
    assert retain_freed_memory()
    assert retain_freed_memory()  # idempotent: a second trainer in the process is fine
