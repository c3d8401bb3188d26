"""Per-sample convolution gradients kept as their two factors instead of being formed.

One sample's weight gradient is its output gradient times the im2col of its input:
``g_i = G_i @ A_i.T`` with ``G_i`` (out channels x positions) and ``A_i`` (in channels x
kernel area x positions). On a small output map (the deep layers of a CNN) the product is
large, batch x weight size, while the factors are small. DP-SGD needs only two things from
it, and both come from the factors:

- the per-sample squared norm, ``<A_i.T A_i, G_i.T G_i>``, from two Gram matrices over the
  positions ("ghost" norms, Li et al.; Opacus' fast gradient clipping uses them too);
- the clipped sum ``sum_i c_i g_i``, which is ONE ordinary weight gradient of the output
  gradient rescaled per sample: the very call a non-private step makes ("book-keeping"
  clipping, Bu et al.).

So the ``batch x weight`` tensor is never written, normed nor read back. Whether that wins
depends on the map: the Gram over positions grows with positions squared, the formed
gradient with the weight's size, hence :func:`factoring_pays`.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from siteapp.training import conv_grads

#: How many multiply-adds of the Gram matrices cost as much as one coordinate of a
#: formed per-sample gradient (written once, read by the norm and the clipped sum).
#: 8 keeps compact_cnn's 6x6 map formed and its 3x3 map factored, as measured there, and
#: factors ResNet-18's first layer4 convolution (7x7 map, 256 x 3 x 3 inputs, 512 out),
#: which took the last-stage DP step from 1.17x to 1.11x a plain step in thread CPU time
#: (benchmarks/network_dp_overhead.py).
GRAM_COST_PER_FORMED_COORDINATE = 8


def factoring_pays(layer: nn.Conv2d, positions: int) -> bool:
    """Whether to keep ``layer``'s per-sample gradients factored: the two Gram matrices
    (``positions**2`` times in channels x kernel area, plus out channels, per sample) cost
    less than forming the gradient (out x in channels x kernel area per sample) and
    reading it twice."""
    fan_in = layer.in_channels * math.prod(layer.kernel_size)
    gram = positions * positions * (fan_in + layer.out_channels)
    return layer.groups == 1 and gram <= GRAM_COST_PER_FORMED_COORDINATE * layer.out_channels * fan_in


class FactoredGradSample:
    """The per-sample weight gradients of one convolution for one batch, as the layer's
    input ``x`` and its (already loss-scaled) output gradient ``grad_out``."""

    __slots__ = ("grad_out", "layer", "processed", "x")

    def __init__(self, layer: nn.Conv2d, x: torch.Tensor, grad_out: torch.Tensor) -> None:
        self.layer = layer
        self.x = x
        self.grad_out = grad_out
        # Opacus marks gradients it used so a step without zero_grad is refused; this
        # object carries that mark itself (see fused_clipping).
        self.processed = False

    @property
    def batch_size(self) -> int:
        return int(self.x.shape[0])

    def sq_norms(self) -> torch.Tensor:
        """Every sample's squared gradient norm, shape ``(batch,)``, from the Gram
        matrices of its input columns and of its output gradient over the positions."""
        n = self.batch_size
        rows = self.grad_out.reshape(n, self.grad_out.shape[1], -1)
        input_gram = conv_grads.input_gram(self.layer, self.x)
        output_gram = torch.bmm(rows.transpose(1, 2), rows)
        return torch.linalg.vecdot(input_gram.reshape(n, -1), output_gram.reshape(n, -1))

    def clipped_sum(self, clip_factor: torch.Tensor) -> torch.Tensor:
        """``sum_i clip_factor[i] * g_i``: one weight gradient of the rescaled output
        gradient."""
        weighted = self.grad_out * clip_factor.to(self.grad_out.dtype).view(-1, 1, 1, 1)
        layer = self.layer
        return conv_grads.backward(
            layer, weighted, self.x, layer.weight, layer.groups, (False, True, False)
        )[1]

    def materialize(self) -> torch.Tensor:
        """The per-sample gradients themselves, ``(batch, *weight.shape)``: for checks,
        and for a layer that runs twice in a step (whose samples' gradients add up)."""
        return conv_grads.weight_per_sample(self.layer, self.x, self.grad_out)
