"""Choosing the noise multiplier so a whole plan of rounds fits an epsilon target.

The search composes what the site already spent with ``rounds`` planned rounds of the
same shape, and bisects on sigma (epsilon decreases monotonically as sigma grows) until
the planned total lies within ``tolerance`` below the target. Landing just below, never
above, keeps the cap a hard limit.
"""

from __future__ import annotations

from collections.abc import Sequence

from siteapp.errors import UserFacingError
from siteapp.privacy.accountant import MechanismRun, epsilon_of

# Below ~0.3 the RDP bound is huge and slow to compute; no useful plan needs less noise.
SIGMA_MIN = 0.3
SIGMA_MAX = 200.0
DEFAULT_TOLERANCE = 0.02
MAX_BISECTIONS = 80


class CalibrationError(UserFacingError):
    """No noise level lets the plan fit the target epsilon."""


def projected_epsilon(
    spent: Sequence[MechanismRun], planned: MechanismRun, rounds: int, delta: float
) -> float:
    """Epsilon after the history ``spent`` plus ``rounds`` more rounds like ``planned``."""
    future = MechanismRun(planned.noise_multiplier, planned.sample_rate, planned.steps * rounds)
    return epsilon_of([*spent, future], delta)


def calibrate_noise_multiplier(
    target_epsilon: float,
    delta: float,
    sample_rate: float,
    steps_per_round: int,
    rounds: int,
    spent: Sequence[MechanismRun] = (),
    tolerance: float = DEFAULT_TOLERANCE,
) -> float:
    """The smallest noise multiplier (within ``tolerance`` of ``target_epsilon``, never
    above it) for which the history ``spent`` plus ``rounds`` rounds of
    ``steps_per_round`` steps at ``sample_rate`` stays within ``target_epsilon``."""
    if target_epsilon <= 0:
        raise CalibrationError("the target epsilon must be positive")
    if rounds < 1 or steps_per_round < 1:
        raise CalibrationError("plan at least one round of at least one step")
    already = epsilon_of(spent, delta)
    if already >= target_epsilon:
        raise CalibrationError(
            f"this site has already spent epsilon {already:.2f}, which reaches the target "
            f"{target_epsilon:g}; raise the cap or stop training"
        )

    def total(sigma: float) -> float:
        return projected_epsilon(
            spent, MechanismRun(sigma, sample_rate, steps_per_round), rounds, delta
        )

    if total(SIGMA_MAX) > target_epsilon:
        raise CalibrationError(
            f"even noise multiplier {SIGMA_MAX:g} cannot keep {rounds} round(s) within epsilon "
            f"{target_epsilon:g}; plan fewer rounds or steps, or raise the target"
        )
    if total(SIGMA_MIN) <= target_epsilon:
        return SIGMA_MIN
    # Invariant: total(low) > target >= total(high). Bisect in log-sigma.
    low, high = SIGMA_MIN, SIGMA_MAX
    best = total(high)
    for _ in range(MAX_BISECTIONS):
        if best >= target_epsilon * (1 - tolerance):
            break
        mid = (low * high) ** 0.5
        eps = total(mid)
        if eps > target_epsilon:
            low = mid
        else:
            high, best = mid, eps
    return high
