"""Opacus' ``DPOptimizer`` with clipping that reuses the per-sample norms of the backward pass.

:class:`siteapp.training.per_sample_grads.FusedGradSampleModule` records each parameter's
per-sample squared gradient norms (``param.grad_sample_sq_norm``) while the per-sample
gradients are still in cache. Clipping then needs one pass over them (the clipped sum, a
matrix-vector product) instead of two. Noise, scaling, the step hook and the checks that
``zero_grad`` ran between steps are Opacus' own, so the privacy guarantee is unchanged.
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
        # tensor (or factored pair) per parameter and step, never a list.
        self.grad_samples  # noqa: B018  (raises if a parameter has none)
        return 1

    def clip_and_accumulate(self) -> None:
        params = self.params
        samples = self.grad_samples
        batch = _batch_size(samples[0])
        param_sq_norms = []
        for p, grad_sample in zip(params, samples, strict=True):
            cached = getattr(p, SQ_NORM_ATTR, None)
            if cached is None:
                cached = (
                    grad_sample.sq_norms()
                    if isinstance(grad_sample, FactoredGradSample)
                    else per_sample_sq_norms(grad_sample)
                )
            param_sq_norms.append(cached)
        sq_norms = torch.stack(param_sq_norms).sum(dim=0)
        clip_factor = (self.max_grad_norm / (sq_norms.sqrt_() + NORM_EPS)).clamp_(max=1.0)
        for p, grad_sample in zip(params, samples, strict=True):
            if isinstance(grad_sample, FactoredGradSample):
                if grad_sample.processed:
                    raise ValueError(NOT_CLEARED)
                grad = grad_sample.clipped_sum(clip_factor.to(p.dtype))
                grad_sample.processed = True
            else:
                _check_processed_flag(grad_sample)
                grad = (
                    clip_factor.to(p.dtype) @ grad_sample.reshape(batch, p.numel()).to(p.dtype)
                ).view_as(p)
                _mark_as_processed(grad_sample)
            if p.summed_grad is not None:
                p.summed_grad += grad
            else:
                p.summed_grad = grad

    def add_noise(self) -> None:
        """Gaussian noise of std ``noise_multiplier * max_grad_norm`` on every coordinate,
        drawn in one call for all parameters (Opacus draws per parameter; the distribution
        is the same)."""
        if self.secure_mode:
            super().add_noise()
            return
        params = self.params
        summed = [p.summed_grad for p in params]
        for grad in summed:
            _check_processed_flag(grad)
        noise = torch.normal(
            0.0,
            self.noise_multiplier * self.max_grad_norm,
            (sum(p.numel() for p in params),),
            generator=self.generator,
            device=summed[0].device,
            dtype=summed[0].dtype,
        )
        chunks = noise.split([p.numel() for p in params])
        noised = torch._foreach_add(
            summed, [chunk.view_as(grad) for chunk, grad in zip(chunks, summed, strict=True)]
        )
        for p, grad, update in zip(params, summed, noised, strict=True):
            p.grad = update.view_as(p)
            _mark_as_processed(grad)

    def scale_grad(self) -> None:
        if self.loss_reduction == "mean":
            grads = [p.grad for p in self.params if p.grad is not None]
            torch._foreach_div_(grads, self.expected_batch_size * self.accumulated_iterations)

    def zero_grad(self, set_to_none: bool = False) -> None:
        for p in self.params:
            setattr(p, SQ_NORM_ATTR, None)
        super().zero_grad(set_to_none)
