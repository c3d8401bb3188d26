"""The validation figures a site reports, made differentially private before they leave.

Exact validation metrics (AUC, the confusion matrix, counts) stay on the site and are
shown there. What the coordinator gets is a histogram of the validation patients by true
class (negative, positive) and by score bin, with Gaussian noise on every cell
(``coordinator.protocol.MetricsReport``). One patient sits in exactly one cell, so adding
or removing a patient moves the histogram by 1 in L2 norm: the release is one Gaussian
mechanism of the plan's ``validation.noise_multiplier``, recorded in the ledger as the
validation patients' own line (``record_set="validation"``) before it is sent.

A segmentation task sends a histogram of the same shape: its validation patients by
Dice bin (row 0) and by HD95 bin (row 1). One patient is in one cell of each row, so the
L2 sensitivity is sqrt(2), and the noise is scaled by it: the release is still one
Gaussian mechanism of the plan's multiplier, recorded the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from siteapp.privacy.accountant import MechanismRun

# One patient changes one cell by one: the L2 sensitivity of the histogram.
HISTOGRAM_SENSITIVITY = 1.0
# One patient changes one cell of each of the two rows by one.
SEGMENTATION_HISTOGRAM_SENSITIVITY = math.sqrt(2.0)


def score_histogram(labels: Sequence[int], scores: Sequence[float], bins: int) -> np.ndarray:
    """Exact ``(2, bins)`` counts: row = true class (0 negative, 1 positive), column = the
    equal bin of [0, 1] the patient's positive-class score falls in (1.0 in the last)."""
    y = np.asarray(labels, dtype=np.int64)
    s = np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0)
    if y.shape != s.shape or not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 or 1, one per score")
    columns = np.minimum((s * bins).astype(np.int64), bins - 1)
    histogram = np.zeros((2, bins), dtype=np.float64)
    np.add.at(histogram, (y, columns), 1.0)
    return histogram


def segmentation_histogram(
    dice: Sequence[float], hd95_mm: Sequence[float], bins: int, hd95_range: float
) -> np.ndarray:
    """Exact ``(2, bins)`` counts of a segmentation task: row 0 the patients by Dice (equal
    bins of [0, 1]), row 1 by HD95 (equal bins of [0, ``hd95_range``] mm, the last open)."""
    d = np.clip(np.asarray(dice, dtype=np.float64), 0.0, 1.0)
    h = np.clip(np.asarray(hd95_mm, dtype=np.float64) / hd95_range, 0.0, 1.0)
    if d.shape != h.shape or not np.isfinite(d).all() or not np.isfinite(h).all():
        raise ValueError("one finite Dice and HD95 per patient")
    histogram = np.zeros((2, bins), dtype=np.float64)
    for row, values in enumerate((d, h)):
        np.add.at(histogram[row], np.minimum((values * bins).astype(np.int64), bins - 1), 1.0)
    return histogram


def noised_histogram(
    histogram: np.ndarray, noise_multiplier: float, seed: int | None,
    sensitivity: float = HISTOGRAM_SENSITIVITY,
) -> np.ndarray:
    """``histogram`` plus Gaussian noise of std ``noise_multiplier x sensitivity`` per cell.

    ``seed`` None (every real report) draws from the operating system's entropy; a seed is
    the tests' and demo's ``insecure_fixed_dp_seed`` only."""
    if noise_multiplier <= 0:
        raise ValueError("a validation release without noise would reveal exact counts")
    rng = np.random.default_rng(seed)
    std = noise_multiplier * sensitivity
    return np.asarray(histogram, dtype=np.float64) + rng.normal(0.0, std, np.shape(histogram))


def release_mechanism(noise_multiplier: float) -> MechanismRun:
    """One release as the accountant sees it: a Gaussian mechanism over every validation
    patient (no subsampling, one step)."""
    return MechanismRun(noise_multiplier, 1.0, 1)
