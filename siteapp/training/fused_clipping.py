"""Opacus' ``DPOptimizer`` with clipping that reuses the per-sample norms of the backward pass.

:class:`siteapp.training.per_sample_grads.FusedGradSampleModule` records the per-sample
squared gradient norms (``param.grad_sample_sq_norm``) of every large parameter while its
per-sample gradients are still in cache, or keeps them factored. Clipping then needs one
pass over them (the clipped sum, a matrix-vector product) instead of two; the small
parameters are normed and clipped together. The noise is drawn in one call for all
parameters, from the distribution Opacus draws per parameter; the step hook and the checks
that ``zero_grad`` ran between steps are Opacus' own, so the privacy guarantee is unchanged.
"""

from __future__ import annotations

import math

import torch
from opacus.optimizers.optimizer import DPOptimizer, _check_processed_flag, _mark_as_processed

from siteapp.training.factored_grad_sample import FactoredGradSample

SQ_NORM_ATTR = "grad_sample_sq_norm"
# Opacus' guard against dividing by a zero norm, kept so both clip identically.
NORM_EPS = 1e-6
# Opacus' refusal, for per-sample gradients it cannot mark (factored ones).
NOT_CLEARED = (
    "Gradients haven't been cleared since the last optimizer step. In order to obtain "
    "privacy guarantees you must call optimizer.zero_grad() on each step"
)


def _batch_size(grad_sample: torch.Tensor | FactoredGradSample) -> int:
    if isinstance(grad_sample, FactoredGradSample):
        return grad_sample.batch_size
    return int(grad_sample.shape[0])


def _accumulate(p: torch.Tensor, clipped_sum: torch.Tensor) -> None:
    """Add a clipped sum to ``p.summed_grad`` (Opacus keeps it across a skipped step)."""
    grad = clipped_sum.view_as(p)
    if p.summed_grad is not None:  # type: ignore[attr-defined]
        p.summed_grad += grad  # type: ignore[attr-defined]
    else:
        p.summed_grad = grad  # type: ignore[attr-defined]


def per_sample_sq_norms(grad_sample: torch.Tensor) -> torch.Tensor:
    """Squared L2 norm of every sample's gradient of one parameter, shape ``(batch,)``."""
    flat = grad_sample.reshape(grad_sample.shape[0], math.prod(grad_sample.shape[1:]))
    return torch.linalg.vector_norm(flat, dim=1).square_()


class FusedClippingDPOptimizer(DPOptimizer):
    """Flat per-sample clipping to ``max_grad_norm`` from precomputed squared norms; a
    parameter's per-sample gradients may also come factored (:class:`FactoredGradSample`)."""

    @property
    def grad_samples(self) -> list[torch.Tensor | FactoredGradSample]:
        samples: list[torch.Tensor | FactoredGradSample] = []
        for p in self.params:
            sample = getattr(p, "grad_sample", None)
            if isinstance(sample, FactoredGradSample):
                samples.append(sample)
            else:
                samples.append(self._get_flat_grad_sample(p))
        return samples

    @property
    def accumulated_iterations(self) -> int:
        # FusedGradSampleModule sums a repeated layer's per-sample gradients into one
        # tensor (or factored pair) per parameter and step, never a list of batches.
        return 1

    def clip_and_accumulate(self) -> None:
        params = self.params
        samples = self.grad_samples
        batch = _batch_size(samples[0])
        sq_norms: list[torch.Tensor] = []
        # Per-sample gradients normed in the backward pass (large or factored) are clipped
        # one by one; the rest (small: norms, biases, the head) together, as one matrix,
        # since one call per small parameter costs more in dispatch than in arithmetic.
        own: list[tuple[torch.Tensor, torch.Tensor | FactoredGradSample]] = []
        joint: list[tuple[torch.Tensor, torch.Tensor]] = []
        for p, grad_sample in zip(params, samples, strict=True):
            cached = getattr(p, SQ_NORM_ATTR, None)
            if cached is not None:
                sq_norms.append(cached)
                own.append((p, grad_sample))
            elif isinstance(grad_sample, FactoredGradSample):
                sq_norms.append(grad_sample.sq_norms())
                own.append((p, grad_sample))
            else:
                joint.append((p, grad_sample))
        joint_matrix = (
            torch.cat([g.reshape(batch, p.numel()) for p, g in joint], dim=1) if joint else None
        )
        if joint_matrix is not None:
            sq_norms.append(torch.linalg.vecdot(joint_matrix, joint_matrix))
        total = torch.stack(sq_norms).sum(dim=0)
        clip_factor = (self.max_grad_norm / (total.sqrt_() + NORM_EPS)).clamp_(max=1.0)
        clip_factor = clip_factor.to(params[0].dtype)
        for p, grad_sample in own:
            if isinstance(grad_sample, FactoredGradSample):
                if grad_sample.processed:
                    raise ValueError(NOT_CLEARED)
                _accumulate(p, grad_sample.clipped_sum(clip_factor))
                grad_sample.processed = True
            else:
                _check_processed_flag(grad_sample)
                _accumulate(p, clip_factor @ grad_sample.reshape(batch, p.numel()))
                _mark_as_processed(grad_sample)
        if joint_matrix is not None:
            for _, grad_sample in joint:
                _check_processed_flag(grad_sample)
            sums = (clip_factor @ joint_matrix).split([p.numel() for p, _ in joint])
            for (p, grad_sample), grad in zip(joint, sums, strict=True):
                _accumulate(p, grad)
                _mark_as_processed(grad_sample)

    def add_noise(self) -> None:
        """Gaussian noise of std ``noise_multiplier * max_grad_norm`` on every coordinate,
        drawn in one call for all parameters (Opacus draws per parameter; the distribution
        is the same). The noised gradients are views of one flat tensor, which
        :meth:`scale_grad` then scales in one call."""
        self._flat_grad = None
        if self.secure_mode:
            super().add_noise()
            return
        params = self.params
        summed = [p.summed_grad for p in params]
        for grad in summed:
            _check_processed_flag(grad)
        flat = torch.cat([grad.reshape(-1) for grad in summed])
        noised = torch.normal(
            flat, self.noise_multiplier * self.max_grad_norm, generator=self.generator
        )
        for p, grad, update in zip(
            params, summed, noised.split([p.numel() for p in params]), strict=True
        ):
            p.grad = update.view_as(p)
            _mark_as_processed(grad)
        self._flat_grad = noised

    def scale_grad(self) -> None:
        if self.loss_reduction != "mean":
            return
        divisor = self.expected_batch_size * self.accumulated_iterations
        flat = getattr(self, "_flat_grad", None)
        if flat is not None and all(p.grad is not None and p.grad._base is flat for p in self.params):
            flat.div_(divisor)  # every gradient is still a view of the noised tensor
        else:
            grads = [p.grad for p in self.params if p.grad is not None]
            torch._foreach_div_(grads, divisor)

    def zero_grad(self, set_to_none: bool = False) -> None:
        for p in self.params:
            setattr(p, SQ_NORM_ATTR, None)
        super().zero_grad(set_to_none)
