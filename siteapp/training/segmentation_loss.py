"""Dice + cross-entropy for segmentation, as a sum over patients for DP-SGD.

MONAI's :class:`~monai.losses.DiceCELoss` with ``batch=False`` computes the soft Dice of
each image and class and averages; its cross-entropy averages over every pixel of the
batch. All images of a batch have the task's grid, so both are the mean over the batch
of one loss per image: ``loss = (1/N) sum_i loss_i``. That is the ``mean`` reduction the
per-sample gradient rules assume (``siteapp.training.per_sample_grads``), so each
patient's gradient is the gradient of their own image's loss, clipped on its own.
"""

from __future__ import annotations

import torch
from monai.losses import DiceCELoss
from torch import nn

#: Losses a round may train with (``RoundPlan.loss``).
CROSS_ENTROPY = "cross_entropy"
DICE_CROSS_ENTROPY = "dice_ce"
LOSSES = (CROSS_ENTROPY, DICE_CROSS_ENTROPY)


class PerImageDiceCELoss(nn.Module):
    """``DiceCELoss`` on logits ``(N, classes, H, W)`` and label maps ``(N, H, W)``; an
    empty Poisson batch gives a zero loss connected to the network (DP-SGD still takes
    its noise-only step)."""

    def __init__(self) -> None:
        super().__init__()
        self.loss = DiceCELoss(
            to_onehot_y=True, softmax=True, include_background=False, batch=False, reduction="mean"
        )

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if logits.shape[0] == 0:
            return logits.sum() * 0.0
        result: torch.Tensor = self.loss(logits, labels.unsqueeze(1))
        return result


def criterion(loss: str) -> nn.Module:
    """The loss module named ``loss`` (one of :data:`LOSSES`), mean-reduced over the batch."""
    if loss == CROSS_ENTROPY:
        return nn.CrossEntropyLoss()
    if loss == DICE_CROSS_ENTROPY:
        return PerImageDiceCELoss()
    raise ValueError(f"loss must be one of {LOSSES}, got {loss}")


def loss_for(task_is_segmentation: bool) -> str:
    """The loss a task trains with."""
    return DICE_CROSS_ENTROPY if task_is_segmentation else CROSS_ENTROPY
