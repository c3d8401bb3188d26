"""BatchNorm with its statistics fixed: the DP-safe way to keep a pretrained network's norms.

A BatchNorm layer in training mode normalises each sample by statistics of the whole
batch, so one patient's gradient depends on the others': per-patient clipping would
bound nothing. Two ways out exist. Replacing it by GroupNorm changes the function, so
the running statistics and affine weights of an ImageNet or MedicalNet checkpoint lose
their meaning. Freezing the statistics keeps them: with the stored running mean and
variance the layer is a fixed per-channel affine map, ``y = (x - mean) / sqrt(var + eps)
* weight + bias``, where each sample's output depends on that sample only. MedFed does
that for every BatchNorm of a MONAI network (:func:`fix_batch_norm_statistics`): the
statistics are buffers that never change (they are part of the frozen digest a plan
pins), while ``weight`` and ``bias`` train under DP like any parameter where their stage
trains. ``model.train()`` does not bring batch statistics back.

The per-sample gradients of ``weight`` and ``bias`` are sums over positions of the output
gradient times the normalised input, and of the output gradient:
:func:`fixed_batch_norm_grad_sample` (registered with Opacus, so its "hooks" and "ghost"
modes accept these layers too, and used by MedFed's fused mode).
"""

from __future__ import annotations

import torch
from opacus.grad_sample.utils import register_grad_sampler
from torch import nn
from torch.nn import functional


def _fixed_forward(layer: nn.modules.batchnorm._BatchNorm, x: torch.Tensor) -> torch.Tensor:
    return functional.batch_norm(
        x, layer.running_mean, layer.running_var, layer.weight, layer.bias, False, 0.0, layer.eps
    )


class FixedBatchNorm1d(nn.BatchNorm1d):
    """``nn.BatchNorm1d`` that always normalises by its running statistics."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _fixed_forward(self, x)


class FixedBatchNorm2d(nn.BatchNorm2d):
    """``nn.BatchNorm2d`` that always normalises by its running statistics."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _fixed_forward(self, x)


class FixedBatchNorm3d(nn.BatchNorm3d):
    """``nn.BatchNorm3d`` that always normalises by its running statistics."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _fixed_forward(self, x)


FIXED_BATCH_NORMS: tuple[type[nn.Module], ...] = (
    FixedBatchNorm1d,
    FixedBatchNorm2d,
    FixedBatchNorm3d,
)
_FIXED_OF: dict[type[nn.Module], type[nn.Module]] = {
    nn.BatchNorm1d: FixedBatchNorm1d,
    nn.BatchNorm2d: FixedBatchNorm2d,
    nn.BatchNorm3d: FixedBatchNorm3d,
}


def fix_batch_norm_statistics(model: nn.Module) -> int:
    """Turn every BatchNorm of ``model`` into its fixed-statistics subclass, in place
    (same parameters, buffers and state-dict keys); returns how many were changed.
    A BatchNorm without running statistics cannot be fixed and is refused."""
    changed = 0
    for name, layer in model.named_modules():
        fixed = _FIXED_OF.get(type(layer))
        if fixed is None:
            continue
        assert isinstance(layer, nn.modules.batchnorm._BatchNorm)
        if layer.running_mean is None or layer.running_var is None:
            raise ValueError(f"BatchNorm '{name}' tracks no running statistics to fix")
        layer.__class__ = fixed  # type: ignore[assignment]
        changed += 1
    return changed


def normalised_input(layer: nn.modules.batchnorm._BatchNorm, x: torch.Tensor) -> torch.Tensor:
    """``(x - mean) / sqrt(var + eps)`` per channel: what ``weight`` multiplies."""
    assert layer.running_mean is not None and layer.running_var is not None
    shape = (1, -1) + (1,) * (x.dim() - 2)
    inv_std = torch.rsqrt(layer.running_var + layer.eps).view(shape)
    return (x - layer.running_mean.view(shape)) * inv_std


def fixed_batch_norm_grad_sample(
    layer: nn.modules.batchnorm._BatchNorm, x: torch.Tensor, grad_out: torch.Tensor
) -> dict[nn.Parameter, torch.Tensor]:
    """Per-sample gradients of the layer's trainable ``weight`` and ``bias``, each
    ``(batch, channels)``, from its input and output gradient (unscaled)."""
    positions = tuple(range(2, x.dim()))
    result: dict[nn.Parameter, torch.Tensor] = {}
    if layer.weight is not None and layer.weight.requires_grad:
        result[layer.weight] = (grad_out * normalised_input(layer, x)).sum(dim=positions)
    if layer.bias is not None and layer.bias.requires_grad:
        result[layer.bias] = grad_out.sum(dim=positions)
    return result


@register_grad_sampler(list(FIXED_BATCH_NORMS))
def _opacus_grad_sampler(
    layer: nn.modules.batchnorm._BatchNorm,
    activations: list[torch.Tensor],
    backprops: torch.Tensor,
) -> dict[nn.Parameter, torch.Tensor]:
    return fixed_batch_norm_grad_sample(layer, activations[0], backprops)


def only_fixed_buffers(model: nn.Module) -> bool:
    """Whether every layer of ``model`` that has both trainable parameters and buffers
    is a fixed-statistics BatchNorm. Opacus refuses such layers because a BatchNorm's
    running statistics would be updated from private data without noise; these never
    are, so its check can be relaxed for them (``strict=False``), and only for them."""
    for layer in model.modules():
        trains = any(p.requires_grad for p in layer.parameters(recurse=False))
        has_buffers = any(True for _ in layer.buffers(recurse=False))
        if trains and has_buffers and not isinstance(layer, FIXED_BATCH_NORMS):
            return False
    return True
