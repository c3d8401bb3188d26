"""Per-sample gradients in one backward pass, for the DP optimiser (grad-sample mode "fused").

Opacus' "hooks" mode lets autograd compute every layer's summed weight gradient and then,
in Python module hooks, computes the per-sample gradients a second time from an im2col
copy of the activations, into a zero-filled buffer. On the zoo's small CPU models that
plumbing, not arithmetic, made a DP step 2-3x a plain one.

Here each trainable convolution (1D, 2D, 3D), Linear, GroupNorm and fixed-statistics
BatchNorm runs through a custom autograd function
whose backward returns the input gradient and stores the per-sample parameter gradients
in ``param.grad_sample`` *instead of* the summed gradient (which DP-SGD discards anyway).
Convolution per-sample gradients come from one grouped-convolution weight gradient (the
batch as groups) on large output maps, from an im2col copy and a batched matmul on
small ones, and on the smallest they are not formed at all but kept as their two factors
(:mod:`siteapp.training.factored_grad_sample`). Clipping is
:class:`siteapp.training.fused_clipping.FusedClippingDPOptimizer` (Opacus' ``DPOptimizer``
with its own clipping step); noise and privacy accounting stay Opacus'.

A trainable layer of another type falls back, for that layer only, to Opacus' own
per-sample gradient function for its type (:func:`_opacus_forward`).

The record is whatever the batch dimension indexes: the trainer puts one image per drawn
patient in it, so these are per-patient gradients.
"""

from __future__ import annotations

import math
from typing import Any, cast

import torch
from opacus.grad_sample import GradSampleModule
from torch import nn
from torch.nn import functional

from siteapp.errors import UserFacingError
from siteapp.training import conv_grads
from siteapp.training.factored_grad_sample import FactoredGradSample, factoring_pays
from siteapp.training.fixed_batch_norm import FIXED_BATCH_NORMS, fixed_batch_norm_grad_sample
from siteapp.training.fused_clipping import SQ_NORM_ATTR, per_sample_sq_norms

FUSED_GRAD_SAMPLE_MODE = "fused"
LOSS_REDUCTIONS = ("mean", "sum")
# Parameters with at least this many entries get their per-sample norms in the backward
# pass; the many smaller ones (GroupNorm, biases, a linear head) are normed in one call
# at clipping time (a little faster on compact_cnn; benchmarks/dp_overhead.py times it).
NORM_IN_BACKWARD_MIN_SIZE = 1024


class UnsupportedLayerError(UserFacingError):
    """A trainable layer has no single-pass per-sample gradient rule."""


def _store(param: torch.Tensor, grad_sample: torch.Tensor | FactoredGradSample) -> None:
    """Set ``param.grad_sample``; a layer that runs twice in one step sums. A large
    parameter also gets its per-sample squared norms (for fused clipping) now, while the
    gradients are in cache; small ones are normed together when clipping."""
    previous = getattr(param, "grad_sample", None)
    if previous is not None:
        grad_sample = _formed(previous) + _formed(grad_sample)
    param.grad_sample = grad_sample  # type: ignore[attr-defined]
    if isinstance(grad_sample, FactoredGradSample):
        setattr(param, SQ_NORM_ATTR, grad_sample.sq_norms())
    elif param.numel() >= NORM_IN_BACKWARD_MIN_SIZE:
        setattr(param, SQ_NORM_ATTR, per_sample_sq_norms(grad_sample))
    else:
        setattr(param, SQ_NORM_ATTR, None)


def _formed(grad_sample: torch.Tensor | FactoredGradSample) -> torch.Tensor:
    if isinstance(grad_sample, FactoredGradSample):
        return grad_sample.materialize()
    return grad_sample


def _zero_samples(param: torch.Tensor) -> torch.Tensor:
    return param.new_zeros((0, *param.shape))


class _ConvPerSample(torch.autograd.Function):
    """A 1D, 2D or 3D convolution whose backward yields the input gradient and
    per-sample weight gradients."""

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        layer: nn.modules.conv._ConvNd,
        scale_by_batch: bool,
    ) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        ctx.layer = layer
        ctx.scale_by_batch = scale_by_batch
        ctx.has_bias = bias is not None
        ctx.bias = bias
        zeros = (0,) * (x.dim() - 2)
        padding = cast(tuple[int, ...], layer.padding)  # numeric: _conv_forward checks
        return torch.convolution(
            x, weight, bias, layer.stride, padding, layer.dilation, False, zeros, layer.groups
        )

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        x, weight = ctx.saved_tensors
        layer: nn.modules.conv._ConvNd = ctx.layer
        n = x.shape[0]
        grad_input = None
        if ctx.needs_input_grad[0]:
            grad_input = (
                torch.zeros_like(x)
                if n == 0
                else conv_grads.backward(
                    layer, grad_out, x, weight, layer.groups, (True, False, False)
                )[0]
            )
        scale = float(n) if ctx.scale_by_batch else 1.0
        if ctx.needs_input_grad[1]:
            positions = math.prod(grad_out.shape[2:])
            if n > 0 and isinstance(layer, nn.Conv2d) and factoring_pays(layer, positions):
                _store(layer.weight, FactoredGradSample(layer, x, grad_out * scale))
            # Scale whichever is smaller, the output gradient or the per-sample gradients.
            elif grad_out.numel() < n * weight.numel():
                _store(layer.weight, conv_grads.weight_per_sample(layer, x, grad_out * scale))
            else:
                _store(layer.weight, conv_grads.weight_per_sample(layer, x, grad_out).mul_(scale))
        if ctx.has_bias and ctx.needs_input_grad[2]:
            _store(ctx.bias, grad_out.sum(dim=tuple(range(2, grad_out.dim()))).mul_(scale))
        return grad_input, None, None, None, None


class _LinearPerSample(torch.autograd.Function):
    """``linear`` on ``(batch, features)`` with per-sample weight and bias gradients."""

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        layer: nn.Linear,
        scale_by_batch: bool,
    ) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        ctx.layer = layer
        ctx.scale_by_batch = scale_by_batch
        ctx.has_bias = bias is not None
        return functional.linear(x, weight, bias)

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        x, weight = ctx.saved_tensors
        layer: nn.Linear = ctx.layer
        grad_input = grad_out @ weight if ctx.needs_input_grad[0] else None
        per_sample = grad_out * x.shape[0] if ctx.scale_by_batch else grad_out
        if ctx.needs_input_grad[1]:
            _store(layer.weight, per_sample.unsqueeze(2) * x.unsqueeze(1))
        if ctx.has_bias and ctx.needs_input_grad[2]:
            _store(layer.bias, per_sample.clone())
        return grad_input, None, None, None, None


class _GroupNormPerSample(torch.autograd.Function):
    """GroupNorm with per-sample weight and bias gradients.

    GroupNorm never mixes samples, so a batch of ``n`` samples with ``C`` channels in
    ``G`` groups is the same computation as ONE sample with ``n*C`` channels in ``n*G``
    groups (the weight repeated ``n`` times). Run backward that way and PyTorch's fused
    kernel returns the input gradient and, as its "weight gradient" over ``n*C``
    channels, every sample's own weight and bias gradients, in the single pass it makes
    anyway (cheaper than separate reductions per sample; benchmarks/dp_overhead.py times
    the whole step, docs/benchmarks.md has the figures).
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor,
        layer: nn.GroupNorm,
        scale_by_batch: bool,
    ) -> torch.Tensor:
        n, c = x.shape[0], x.shape[1]
        spatial = x.numel() // max(1, n * c)
        out, mean, rstd = torch.native_group_norm(
            x, weight, bias, n, c, spatial, layer.num_groups, layer.eps
        )
        ctx.save_for_backward(x, weight, mean, rstd)
        ctx.layer = layer
        ctx.scale_by_batch = scale_by_batch
        return out

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        x, weight, mean, rstd = ctx.saved_tensors
        layer: nn.GroupNorm = ctx.layer
        n, c = x.shape[0], x.shape[1]
        if n == 0:
            _store(layer.weight, _zero_samples(layer.weight))
            _store(layer.bias, _zero_samples(layer.bias))
            return torch.zeros_like(x) if ctx.needs_input_grad[0] else None, None, None, None, None
        spatial = x.numel() // (n * c)
        one_sample = (1, n * c, spatial)
        grad_input, grad_weight, grad_bias = torch.ops.aten.native_group_norm_backward(
            grad_out.contiguous().view(one_sample),
            x.contiguous().view(one_sample),
            mean.reshape(1, -1),
            rstd.reshape(1, -1),
            weight.expand(n, c).reshape(n * c),
            1,
            n * c,
            spatial,
            n * layer.num_groups,
            (ctx.needs_input_grad[0], True, True),
        )
        scale = float(n) if ctx.scale_by_batch else 1.0
        _store(layer.weight, grad_weight.view(n, c).mul_(scale))
        _store(layer.bias, grad_bias.view(n, c).mul_(scale))
        if grad_input is not None:
            grad_input = grad_input.view_as(x)
        return grad_input, None, None, None, None


class _FixedBatchNormPerSample(torch.autograd.Function):
    """BatchNorm with fixed statistics (a per-channel affine map) with per-sample weight
    and bias gradients (:mod:`siteapp.training.fixed_batch_norm`)."""

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        weight: torch.Tensor | None,
        bias: torch.Tensor | None,
        layer: nn.modules.batchnorm._BatchNorm,
        scale_by_batch: bool,
    ) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.layer = layer
        ctx.scale_by_batch = scale_by_batch
        return functional.batch_norm(
            x, layer.running_mean, layer.running_var, weight, bias, False, 0.0, layer.eps
        )

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        (x,) = ctx.saved_tensors
        layer: nn.modules.batchnorm._BatchNorm = ctx.layer
        grad_input = None
        if ctx.needs_input_grad[0]:
            assert layer.running_var is not None
            gain = torch.rsqrt(layer.running_var + layer.eps)
            if layer.weight is not None:
                gain = gain * layer.weight
            grad_input = grad_out * gain.view((1, -1) + (1,) * (x.dim() - 2))
        scale = float(x.shape[0]) if ctx.scale_by_batch else 1.0
        for param, grad_sample in fixed_batch_norm_grad_sample(layer, x, grad_out).items():
            _store(param, grad_sample.mul_(scale))
        return grad_input, None, None, None, None


def _trainable(param: torch.Tensor | None) -> bool:
    return param is not None and param.requires_grad


def _conv_forward(
    layer: nn.modules.conv._ConvNd, scale_by_batch: bool, x: torch.Tensor
) -> torch.Tensor:
    if layer.padding_mode != "zeros" or isinstance(layer.padding, str):
        raise UnsupportedLayerError(
            "the fused DP mode supports convolutions with numeric zero padding only; "
            "use grad-sample mode 'hooks' for this model"
        )
    output: torch.Tensor = _ConvPerSample.apply(
        x, layer.weight, layer.bias, layer, scale_by_batch
    )
    return output


def _linear_forward(layer: nn.Linear, scale_by_batch: bool, x: torch.Tensor) -> torch.Tensor:
    if x.dim() != 2:
        raise UnsupportedLayerError(
            "the fused DP mode supports Linear layers on (batch, features) inputs only; "
            "use grad-sample mode 'hooks' for this model"
        )
    output: torch.Tensor = _LinearPerSample.apply(
        x, layer.weight, layer.bias, layer, scale_by_batch
    )
    return output


def _group_norm_forward(layer: nn.GroupNorm, scale_by_batch: bool, x: torch.Tensor) -> torch.Tensor:
    output: torch.Tensor = _GroupNormPerSample.apply(
        x, layer.weight, layer.bias, layer, scale_by_batch
    )
    return output


def _fixed_batch_norm_forward(
    layer: nn.modules.batchnorm._BatchNorm, scale_by_batch: bool, x: torch.Tensor
) -> torch.Tensor:
    output: torch.Tensor = _FixedBatchNormPerSample.apply(
        x, layer.weight, layer.bias, layer, scale_by_batch
    )
    return output


def _opacus_forward(layer: nn.Module, scale_by_batch: bool, x: torch.Tensor) -> torch.Tensor:
    """A layer without a rule of its own: its ordinary forward, and Opacus' per-sample
    gradient function for its type on the input and the output gradient. Autograd also
    computes the summed gradient, which DP-SGD discards: correct, just not fused."""
    output: torch.Tensor = type(layer).forward(layer, x)
    if not output.requires_grad:
        return output
    sampler = GradSampleModule.GRAD_SAMPLERS[type(layer)]
    saved = x.detach()

    def per_sample(grad_out: torch.Tensor) -> None:
        scale = float(saved.shape[0]) if scale_by_batch else 1.0
        for param, grad_sample in sampler(layer, [saved], grad_out * scale).items():
            if param.requires_grad:
                _store(param, grad_sample)

    output.register_hook(per_sample)
    return output


_FORWARDS: dict[type[nn.Module], Any] = {
    nn.Conv1d: _conv_forward,
    nn.Conv2d: _conv_forward,
    nn.Conv3d: _conv_forward,
    nn.Linear: _linear_forward,
    nn.GroupNorm: _group_norm_forward,
    **{norm: _fixed_batch_norm_forward for norm in FIXED_BATCH_NORMS},
}


def _forward_of(layer: nn.Module) -> Any:
    """The fused rule for ``layer``'s type, else Opacus' per-sample function for it,
    else None."""
    forward = _FORWARDS.get(type(layer))
    if forward is None and type(layer) in GradSampleModule.GRAD_SAMPLERS:
        return _opacus_forward
    return forward


class FusedGradSampleModule(nn.Module):
    """Wraps ``model`` so a backward pass fills ``p.grad_sample`` for every trainable
    parameter, ready for Opacus' ``DPOptimizer`` (flat clipping).

    The wrapped model's trainable layers are re-routed in place (instance ``forward``), so
    wrap a private copy, as the trainer does; :meth:`release` restores them. Layers whose
    parameters are all frozen keep their ordinary forward and cost nothing extra.
    """

    def __init__(self, model: nn.Module, loss_reduction: str = "mean") -> None:
        super().__init__()
        if loss_reduction not in LOSS_REDUCTIONS:
            raise ValueError(
                f"loss_reduction must be one of {LOSS_REDUCTIONS}, got {loss_reduction}"
            )
        self._module = model
        self._rerouted: list[nn.Module] = []
        scale_by_batch = loss_reduction == "mean"
        for name, layer in model.named_modules():
            own = [p for p in layer.parameters(recurse=False) if p.requires_grad]
            if not own:
                continue
            forward = _forward_of(layer)
            if forward is None:
                raise UnsupportedLayerError(
                    f"layer '{name}' ({type(layer).__name__}) has no per-sample gradient "
                    "rule, MedFed's or Opacus'; this model cannot be trained with DP"
                )
            if isinstance(layer, nn.GroupNorm) and not (
                _trainable(layer.weight) and _trainable(layer.bias)
            ):
                raise UnsupportedLayerError(
                    f"GroupNorm '{name}' has only one of weight and bias trainable; "
                    "freeze both or neither, or use grad-sample mode 'hooks'"
                )
            layer.forward = _bind(forward, layer, scale_by_batch)
            self._rerouted.append(layer)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._module(*args, **kwargs)

    def release(self) -> nn.Module:
        """Give the model back with its ordinary forward methods."""
        for layer in self._rerouted:
            del layer.forward
        self._rerouted = []
        return self._module


def _bind(forward: Any, layer: nn.Module, scale_by_batch: bool) -> Any:
    def bound(x: torch.Tensor) -> torch.Tensor:
        result: torch.Tensor = forward(layer, scale_by_batch, x)
        return result

    return bound
