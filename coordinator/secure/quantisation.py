"""Fixed-point quantisation of count-weighted updates for the masked sum mod 2^32.

A site clips each coordinate to ``[-clip, clip]``, rounds ``x * scale`` to an integer,
multiplies by its example count ``n`` and appends ``n``; everything is taken mod 2^32.
The overflow bound: with at most ``max_sites`` sites of at most ``max_examples_per_site``
examples, ``N_max = max_sites * max_examples_per_site`` and
``N_max * (clip * scale + 1/2) <= 2^31 - 1``, so the signed sum never wraps. The
rounding error of the weighted mean ``sum(n_i x_i) / sum(n_i)`` is at most
``1 / (2 * scale)`` per coordinate (for coordinates within the clip range).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from coordinator.protocol import FederationPlan
from coordinator.secure import settings
from coordinator.secure.errors import (
    InvalidUpdateError,
    UpdateOutOfRangeError,
    require_finite_update,
)

MODULUS = 1 << settings.MASKING_MODULUS_BITS
_SIGNED_MAX = (MODULUS >> 1) - 1


@dataclass(frozen=True)
class QuantisationBounds:
    """The federation-wide quantisation parameters; every site and the server agree."""

    clip: float = settings.MASKING_DEFAULT_CLIP
    max_sites: int = settings.MASKING_DEFAULT_MAX_SITES
    max_examples_per_site: int = settings.MASKING_DEFAULT_MAX_EXAMPLES_PER_SITE

    def __post_init__(self) -> None:
        if not (self.clip > 0 and self.max_sites >= 1 and self.max_examples_per_site >= 1):
            raise ValueError("clip, max_sites and max_examples_per_site must be positive")
        if self.scale < 1:
            raise ValueError(
                "clip * max_sites * max_examples_per_site is too large for a 32-bit sum; "
                "lower one of them."
            )

    @property
    def max_total_examples(self) -> int:
        return self.max_sites * self.max_examples_per_site

    @property
    def scale(self) -> int:
        """Integer steps per unit, the largest that keeps the sum free of overflow."""
        return math.floor((_SIGNED_MAX / self.max_total_examples - 0.5) / self.clip)

    @property
    def mean_error_bound(self) -> float:
        """Worst rounding error of one coordinate of the weighted mean."""
        return 0.5 / self.scale

    def to_dict(self) -> dict[str, float | int]:
        """JSON-able form, for a round plan."""
        return {
            "clip": self.clip,
            "max_sites": self.max_sites,
            "max_examples_per_site": self.max_examples_per_site,
        }


def quantise_weighted(
    vector: np.ndarray, num_examples: int, bounds: QuantisationBounds
) -> np.ndarray:
    """``[n * round(clip(x) * scale)..., n]`` as uint32 (two's complement mod 2^32)."""
    flat = np.asarray(vector, dtype=np.float64).ravel()
    if not 1 <= num_examples <= bounds.max_examples_per_site:
        raise UpdateOutOfRangeError(
            f"num_examples is {num_examples}; the masking bounds allow 1 to "
            f"{bounds.max_examples_per_site} per site. Count fewer examples this round or "
            "raise max_examples_per_site in the plan."
        )
    require_finite_update(flat)
    steps = np.rint(np.clip(flat, -bounds.clip, bounds.clip) * bounds.scale).astype(np.int64)
    out = np.empty(flat.size + 1, dtype=np.uint32)
    out[:-1] = (steps * num_examples) & (MODULUS - 1)
    out[-1] = num_examples
    return out


def dequantise_sum(total: np.ndarray, bounds: QuantisationBounds) -> tuple[np.ndarray, float]:
    """Turn an unmasked uint32 sum into ``(sum of n_i * x_i, sum of n_i)``."""
    count = int(total[-1])
    if not 1 <= count <= bounds.max_total_examples:
        raise InvalidUpdateError(
            f"The unmasked example count is {count}, outside 1..{bounds.max_total_examples}; "
            "a mask was not removed correctly (a site used other keys or bounds). "
            "Restart the round."
        )
    signed = np.asarray(total[:-1], dtype=np.uint32).view(np.int32)
    return signed.astype(np.float64) / bounds.scale, float(count)


def masking_bounds(plan: FederationPlan) -> QuantisationBounds:
    """The plan's quantisation parameters, the same at every site and the server."""
    return QuantisationBounds(
        clip=plan.masking.clip_range,
        max_sites=len(plan.sites),
        max_examples_per_site=plan.masking.max_examples_per_site,
    )
