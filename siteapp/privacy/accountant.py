"""Epsilon of a sequence of DP-SGD rounds, composed with Opacus' RDP accountant.

Each round is a subsampled Gaussian mechanism run ``steps`` times with Poisson rate
``sample_rate`` and ``noise_multiplier``. RDP composes by adding Rényi divergences, so
feeding every round of the site's whole history to one accountant gives the epsilon of
everything the site ever trained, not of the last round alone. RDP is chosen over PRV
because it is deterministic, fast for long histories and never under-estimates.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Opacus' RDP orders plus a few high ones: small noise and few steps need them.
RDP_ORDERS: tuple[float, ...] = (
    *[1 + x / 10.0 for x in range(1, 100)],
    *[float(x) for x in range(12, 64)],
    128.0,
    256.0,
    512.0,
)


@dataclass(frozen=True)
class MechanismRun:
    """One round's DP-SGD parameters, as the accountant sees them."""

    noise_multiplier: float
    sample_rate: float
    steps: int


@lru_cache(maxsize=4096)
def _rdp_per_step(noise_multiplier: float, sample_rate: float) -> tuple[float, ...]:
    from opacus.accountants.analysis.rdp import compute_rdp

    rdp = compute_rdp(
        q=sample_rate, noise_multiplier=noise_multiplier, steps=1, orders=list(RDP_ORDERS)
    )
    return tuple(float(v) for v in np.atleast_1d(rdp))


def epsilon_of(runs: Iterable[MechanismRun], delta: float) -> float:
    """The (epsilon, ``delta``)-DP guarantee of all ``runs`` composed.

    Zero runs cost nothing; a run with no noise has infinite epsilon.
    """
    from opacus.accountants.analysis.rdp import get_privacy_spent

    history = [r for r in runs if r.steps > 0]
    if not history:
        return 0.0
    if any(r.noise_multiplier <= 0 for r in history):
        return float("inf")
    if not 0.0 < delta < 1.0:
        raise ValueError(f"delta must be in (0, 1), got {delta}")
    total = np.zeros(len(RDP_ORDERS))
    for r in history:
        total += int(r.steps) * np.asarray(
            _rdp_per_step(float(r.noise_multiplier), float(r.sample_rate))
        )
    with warnings.catch_warnings():
        # Opacus warns when the best order is at the edge of the grid; the bound stays valid.
        warnings.simplefilter("ignore", UserWarning)
        epsilon, _ = get_privacy_spent(orders=list(RDP_ORDERS), rdp=total, delta=delta)
    return float(epsilon)
