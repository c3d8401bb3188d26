"""Convolution gradients with a layer's own geometry, shared by the fused DP mode's
per-sample rules (:mod:`siteapp.training.per_sample_grads`) and its factored clipping
(:mod:`siteapp.training.factored_grad_sample`)."""

from __future__ import annotations

import math
from typing import cast

import torch
from opacus.utils.tensor_utils import unfold2d
from torch import nn
from torch.nn import functional

# Output maps with at least this many positions get per-sample convolution gradients from
# one grouped oneDNN call; smaller maps from im2col + batched matmul, the faster of the two
# there (benchmarks/network_dp_overhead.py).
GROUPED_CONV_MIN_POSITIONS = 32


def backward(
    layer: nn.modules.conv._ConvNd,
    grad_out: torch.Tensor,
    x: torch.Tensor,
    weight: torch.Tensor,
    groups: int,
    output_mask: tuple[bool, bool, bool],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """ATen's convolution backward with ``layer``'s stride, padding and dilation; ``weight``
    and ``groups`` may differ from the layer's (samples stacked as groups)."""
    result: tuple[torch.Tensor, torch.Tensor, torch.Tensor] = torch.ops.aten.convolution_backward(
        grad_out,
        x,
        weight,
        None,
        layer.stride,
        layer.padding,
        layer.dilation,
        False,
        (0,) * (x.dim() - 2),
        groups,
        output_mask,
    )
    return result


def columns(layer: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """The im2col matrix of ``x`` for ``layer``: ``(batch, in channels x kernel, positions)``."""
    padding = cast(tuple[int, int], layer.padding)  # numeric: the fused module checks
    if layer.in_channels == 1:
        # One input channel: a strided view of the padded image is the im2col matrix, so
        # only the small padded copy is made.
        return unfold2d(
            x,
            kernel_size=layer.kernel_size,
            padding=padding,
            stride=layer.stride,
            dilation=layer.dilation,
        )
    return functional.unfold(x, layer.kernel_size, layer.dilation, padding, layer.stride)


def input_gram(layer: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """``A_i.T A_i`` for every sample: the Gram matrix of ``x``'s im2col columns over the
    output positions, ``(batch, positions, positions)``.

    Two ways to the same numbers: the im2col copy (channels x kernel area x positions per
    sample) and its batched product; or, where the padded input has few positions (a
    stride-1 layer on a small map, ResNet's layer4), the Gram matrix of the padded input's
    pixels (channels deep) summed over the kernel's shifts, with no im2col copy. The
    smaller product is taken."""
    n = x.shape[0]
    stride = cast(tuple[int, int], layer.stride)
    dilation = cast(tuple[int, int], layer.dilation)
    padding = cast(tuple[int, int], layer.padding)  # numeric: the fused module checks
    kh, kw = layer.kernel_size
    hp, wp = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    oh = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    if (hp * wp) ** 2 >= (oh * ow) ** 2 * kh * kw or layer.groups != 1:
        im2col = columns(layer, x)
        return torch.bmm(im2col.transpose(1, 2), im2col)
    pixels = functional.pad(x, (padding[1], padding[1], padding[0], padding[0])).reshape(n, x.shape[1], hp * wp)
    pixel_gram = torch.bmm(pixels.transpose(1, 2), pixels)  # (batch, padded positions, padded positions)
    top = torch.arange(oh, device=x.device) * stride[0]
    left = torch.arange(ow, device=x.device) * stride[1]
    origin = (top[:, None] * wp + left[None, :]).reshape(-1)  # each output's top-left pixel
    shifts = torch.tensor([a * dilation[0] * wp + b * dilation[1] for a in range(kh) for b in range(kw)],
                          device=x.device)
    gram = pixel_gram.new_zeros((n, oh * ow, oh * ow))
    for shift in shifts:  # one (batch, positions, positions) gather at a time
        at = origin + shift
        gram += pixel_gram[:, at[:, None], at[None, :]]
    return gram


def weight_per_sample(
    layer: nn.modules.conv._ConvNd, x: torch.Tensor, grad_out: torch.Tensor
) -> torch.Tensor:
    """Per-sample ``dL_i/dW``, shape ``(batch, *weight.shape)``, unscaled.

    On large output maps one grouped-convolution weight gradient (samples as groups) lets
    oneDNN compute all ``n`` gradients without an im2col copy; on small 2D maps (and with
    one input channel, whose im2col is a view) the grouped kernel is slow and the im2col
    copy small, so a batched matmul over it wins. 1D and 3D convolutions always take the
    grouped call.
    """
    n = x.shape[0]
    weight = layer.weight
    if n == 0:
        return weight.new_zeros((0, *weight.shape))
    positions = math.prod(grad_out.shape[2:])
    planar = isinstance(layer, nn.Conv2d) and layer.groups == 1
    if planar and (layer.in_channels == 1 or positions < GROUPED_CONV_MIN_POSITIONS):
        assert isinstance(layer, nn.Conv2d)
        per_sample = torch.bmm(
            grad_out.reshape(n, -1, positions), columns(layer, x).transpose(1, 2)
        )
        return per_sample.view(n, *weight.shape)
    stacked_weight = weight.new_empty((n * weight.shape[0], *weight.shape[1:]))
    grad_weight = backward(
        layer,
        grad_out.reshape(1, -1, *grad_out.shape[2:]),
        x.reshape(1, -1, *x.shape[2:]),
        stacked_weight,
        n * layer.groups,
        (False, True, False),
    )[1]
    return grad_weight.view(n, *weight.shape)
