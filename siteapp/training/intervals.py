"""95 % confidence intervals for the validation figures staff read on Model quality.

Validation sets at one site are small (tens of patients), so "AUC 0.91" alone overstates
what is known. Sensitivity and specificity get Wilson score intervals (well behaved at
0 and 1 and for small counts); the AUC gets Hanley and McNeil's (1982) standard error,
the usual closed form from the AUC and the two class counts.
"""

from __future__ import annotations

import math

Z_95 = 1.959964


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion; None without trials."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def auc_interval(
    auc: float, positives: int, negatives: int, z: float = Z_95
) -> tuple[float, float] | None:
    """Hanley-McNeil interval of an AUC; None without patients of both classes."""
    if positives <= 0 or negatives <= 0:
        return None
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    variance = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)
    ) / (positives * negatives)
    half = z * math.sqrt(max(variance, 0.0))
    return max(0.0, auc - half), min(1.0, auc + half)
