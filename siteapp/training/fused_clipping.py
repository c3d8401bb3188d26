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

SQ_NORM_ATTR = "grad_sample_sq_norm"
# Opacus' guard against dividing by a zero norm, kept so both clip identically.
NORM_EPS = 1e-6


def per_sample_sq_norms(grad_sample: torch.Tensor) -> torch.Tensor:
    """Squared L2 norm of every sample's gradient of one parameter, shape ``(batch,)``."""
    flat = grad_sample.reshape(grad_sample.shape[0], math.prod(grad_sample.shape[1:]))
    return torch.linalg.vector_norm(flat, dim=1).square_()


class FusedClippingDPOptimizer(DPOptimizer):
    """Flat per-sample clipping to ``max_grad_norm`` from precomputed squared norms."""

    def clip_and_accumulate(self) -> None:
        params = self.params
        samples = self.grad_samples
        batch = samples[0].shape[0]
        param_sq_norms = []
        for p, grad_sample in zip(params, samples, strict=True):
            cached = getattr(p, SQ_NORM_ATTR, None)
            param_sq_norms.append(per_sample_sq_norms(grad_sample) if cached is None else cached)
        sq_norms = torch.stack(param_sq_norms).sum(dim=0)
        clip_factor = (self.max_grad_norm / (sq_norms.sqrt_() + NORM_EPS)).clamp_(max=1.0)
        for p, grad_sample in zip(params, samples, strict=True):
            _check_processed_flag(p.grad_sample)
            grad = (
                clip_factor.to(p.dtype) @ grad_sample.reshape(batch, p.numel()).to(p.dtype)
            ).view_as(p)
            if p.summed_grad is not None:
                p.summed_grad += grad
            else:
                p.summed_grad = grad
            _mark_as_processed(p.grad_sample)

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
