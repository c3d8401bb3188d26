"""Validation figures from DP-noised score histograms (numpy in, numpy out).

Sites report their validation patients as a histogram: row 0 the negatives, row 1 the
positives, one column per equal bin of the positive-class score over [0, 1], with
Gaussian noise on every cell (``coordinator.protocol.MetricsReport``). Everything here
is post-processing of those noised numbers, so it costs no privacy: the coordinator sums
the sites' histograms (the noise of the sum grows only as the square root of the number
of sites) and reads AUC, accuracy, sensitivity and specificity from the sum.

A segmentation task's histogram has the same shape and other rows: row 0 counts the
validation patients by their Dice (equal bins of [0, 1]), row 1 by their HD95 (equal
bins of [0, :func:`hd95_range_mm`], the last bin open); the coordinator reads the mean
Dice and HD95 from the bins' centres (:func:`segmentation_histogram_metrics`).
"""

from __future__ import annotations

import numpy as np

NEGATIVE, POSITIVE = 0, 1
DICE_ROW, HD95_ROW = 0, 1
# HD95 bins span a quarter of the task's field of view: beyond it a contour is lost anyway.
HD95_RANGE_FRACTION = 0.25


def hd95_range_mm(matrix: int, spacing_mm: float) -> float:
    """The HD95 (mm) the last bin of a segmentation histogram starts below."""
    return matrix * spacing_mm * HD95_RANGE_FRACTION


def segmentation_histogram_metrics(histogram: np.ndarray, hd95_range: float) -> dict[str, float]:
    """Mean Dice and mean HD95 (mm) of a segmentation ``(2, bins)`` histogram, each patient
    at its bin's centre (a bin's width is the resolution). Noise can make a cell negative:
    cells are clipped at 0 first; a row with nothing left says nothing."""
    counts = np.clip(np.asarray(histogram, dtype=np.float64), 0.0, None)
    if counts.ndim != 2 or counts.shape[0] != 2:
        raise ValueError(f"expected a (2, bins) histogram, got shape {counts.shape}")
    centres = (np.arange(counts.shape[1]) + 0.5) / counts.shape[1]
    out: dict[str, float] = {}
    for name, row, scale in (("dice", DICE_ROW, 1.0), ("hd95_mm", HD95_ROW, hd95_range)):
        total = counts[row].sum()
        if total > 0:
            out[name] = float((counts[row] * centres).sum() / total * scale)
    return out


def summed_histogram(histograms: list[np.ndarray]) -> np.ndarray:
    """The cell-wise sum of same-shaped ``(2, bins)`` histograms."""
    if not histograms:
        raise ValueError("no histograms to sum")
    shapes = {np.shape(h) for h in histograms}
    if len(shapes) != 1:
        raise ValueError(f"histograms of different shapes: {sorted(shapes)}")
    return np.sum(np.asarray(histograms, dtype=np.float64), axis=0)


def histogram_metrics(histogram: np.ndarray) -> dict[str, float]:
    """AUC, accuracy, sensitivity and specificity of a ``(2, bins)`` histogram.

    Noise can make a cell negative: cells are clipped at 0 first. The operating threshold
    is 0.5, the edge between the lower and upper half of the (even number of) bins. AUC
    counts a positive and a negative in the same bin as one half (ties). A figure whose
    denominator is empty is left out rather than made up.
    """
    counts = np.clip(np.asarray(histogram, dtype=np.float64), 0.0, None)
    if counts.ndim != 2 or counts.shape[0] != 2 or counts.shape[1] % 2:
        raise ValueError(f"expected a (2, even bins) histogram, got shape {counts.shape}")
    negatives, positives = counts[NEGATIVE], counts[POSITIVE]
    half = counts.shape[1] // 2
    tn, tp = negatives[:half].sum(), positives[half:].sum()
    out: dict[str, float] = {}
    total_neg, total_pos = negatives.sum(), positives.sum()
    if total_neg > 0 and total_pos > 0:
        below = np.concatenate(([0.0], np.cumsum(negatives)[:-1]))
        pairs = float(np.sum(positives * (below + 0.5 * negatives)))
        out["auc"] = pairs / float(total_pos * total_neg)
    if total_neg + total_pos > 0:
        out["accuracy"] = float((tp + tn) / (total_neg + total_pos))
    if total_pos > 0:
        out["sensitivity"] = float(tp / total_pos)
    if total_neg > 0:
        out["specificity"] = float(tn / total_neg)
    return out
