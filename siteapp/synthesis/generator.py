"""A small class-conditional variational autoencoder: MedFed's generator of synthetic images.

Why a VAE and not a GAN: under DP-SGD every parameter that sees a patient's image must be
trained with per-patient clipping and noise. In a DP-GAN only the discriminator sees
images, but the two networks' adversarial balance is fragile and noisy discriminator
gradients are known to collapse it; a VAE has one stable objective (reconstruction plus
the latent's KL term), all of whose parameters are trained with DP-SGD as one model, so
the whole generator is covered by one ledger entry per round and its decoder's samples
are post-processing (free of further privacy cost). It trains on a CPU in seconds per
round at the demo's 48 px grid.

Every layer is a convolution, Linear or GroupNorm, which the trainer's fused per-sample
gradients handle; the decoder upsamples by nearest neighbour (no parameters) instead of
transposed convolutions. The class enters as a one-hot vector at the latent's both ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional

from siteapp.training.seeded_rng import GLOBAL_RNG_LOCK, seeded
from siteapp.training.trainer import Objective


@dataclass(frozen=True)
class GeneratorShape:
    """The network's size; part of the plan (every site builds the same network)."""

    latent: int = 16
    width: int = 16
    # The KL term's weight relative to the reconstruction (both per pixel).
    kl_weight: float = 1.0


# The encoder halves the image this many times; the image side must divide by 2 ** this.
DOWNSAMPLINGS = 3


def _block(c_in: int, c_out: int, stride: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1), nn.GroupNorm(4, c_out), nn.SiLU()]


class ConditionalVAE(nn.Module):
    """``forward(x, y) -> (reconstruction logits, mu, logvar)``; :meth:`decode` samples."""

    def __init__(self, matrix: int, channels: int, num_classes: int, shape: GeneratorShape) -> None:
        super().__init__()
        if matrix % (2**DOWNSAMPLINGS):
            raise ValueError(f"the generator needs an image side divisible by {2**DOWNSAMPLINGS}, got {matrix}")
        self.matrix, self.channels, self.num_classes, self.shape = matrix, channels, num_classes, shape
        w, base = shape.width, matrix // 2**DOWNSAMPLINGS
        self.flat = 2 * w * base * base
        self.encoder = nn.Sequential(
            *_block(channels, w, 2), *_block(w, 2 * w, 2), *_block(2 * w, 2 * w, 2), nn.Flatten()
        )
        self.to_latent = nn.Linear(self.flat + num_classes, 2 * shape.latent)
        self.from_latent = nn.Linear(shape.latent + num_classes, self.flat)
        self.decoder = nn.Sequential(
            nn.Unflatten(1, (2 * w, base, base)), nn.SiLU(),
            nn.Upsample(scale_factor=2), *_block(2 * w, 2 * w, 1),
            nn.Upsample(scale_factor=2), *_block(2 * w, w, 1),
            nn.Upsample(scale_factor=2), nn.Conv2d(w, channels, 3, padding=1),
        )

    def _one_hot(self, y: torch.Tensor) -> torch.Tensor:
        return functional.one_hot(y, self.num_classes).to(torch.float32)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        c = self._one_hot(y)
        mu, logvar = self.to_latent(torch.cat([self.encoder(x), c], dim=1)).chunk(2, dim=1)
        with GLOBAL_RNG_LOCK:  # not while another thread builds a seeded model
            noise = torch.randn_like(mu)
        z = mu + noise * torch.exp(0.5 * logvar)
        return self.decoder(self.from_latent(torch.cat([z, c], dim=1))), mu, logvar

    def decode(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] for latent codes ``z`` and classes ``y``."""
        logits = self.decoder(self.from_latent(torch.cat([z, self._one_hot(y)], dim=1)))
        return torch.sigmoid(logits)


def vae_objective(kl_weight: float) -> Objective:
    """The trainer's objective for the VAE: the batch mean of each image's loss,
    reconstruction (binary cross-entropy against the [0, 1] image) plus ``kl_weight``
    times the KL divergence of its latent, both per pixel. The model it is given is the
    VAE or the trainer's per-sample-gradient wrapper around it."""

    def objective(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        logits, mu, logvar = model(x, y)
        pixels = x[0].numel() if len(x) else 1
        recon = functional.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
        kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)
        return ((recon + kl_weight * kl) / pixels).mean()

    return objective


def build_generator(
    matrix: int, channels: int, num_classes: int, shape: GeneratorShape, init_seed: int
) -> ConditionalVAE:
    """The generator every site builds identically from the plan's ``init_seed``."""
    with seeded(init_seed):
        return ConditionalVAE(matrix, channels, num_classes, shape)


def sample_images(
    generator: ConditionalVAE, labels: list[int], seed: int | None = None
) -> torch.Tensor:
    """``len(labels)`` synthetic images ``(N, C, H, W)`` in [0, 1], one per label.
    Sampling is post-processing of the DP-trained weights: it costs no privacy, so a
    seed is allowed (None: fresh randomness)."""
    gen = torch.Generator().manual_seed(seed) if seed is not None else torch.Generator()
    if seed is None:
        gen.seed()
    z = torch.randn((len(labels), generator.shape.latent), generator=gen)
    generator.eval()
    with torch.no_grad():
        return generator.decode(z, torch.tensor(labels, dtype=torch.long))
