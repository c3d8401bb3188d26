"""Binary classification metrics on held-out patients, in numpy only.

Scores are the model's probability of the task's positive class. ROC AUC is the
Mann-Whitney statistic with average ranks, so tied scores count one half, exactly as
the trapezoidal ROC area does. Sensitivity and specificity are read at the operating
threshold (``score >= threshold`` means positive).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np


def roc_auc(
    labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray
) -> float | None:
    """Area under the ROC curve; ``None`` when only one class is present (undefined)."""
    y = np.asarray(labels).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    sorted_scores = s[order]
    ranks = np.empty(len(s), dtype=np.float64)
    # Average rank over each run of equal scores.
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(s)]))
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    rank_sum = ranks[y].sum()
    return float((rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives))


@dataclass(frozen=True)
class BinaryMetrics:
    """Validation figures with the counts they were computed from."""

    auc: float | None
    accuracy: float | None
    sensitivity: float | None
    specificity: float | None
    threshold: float
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int

    @property
    def count(self) -> int:
        return (
            self.true_positives + self.false_positives + self.true_negatives + self.false_negatives
        )

    @property
    def positives(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def negatives(self) -> int:
        return self.true_negatives + self.false_positives

    def confusion_matrix(self) -> list[list[int]]:
        """Rows are the true class (negative, positive), columns the predicted class."""
        return [
            [self.true_negatives, self.false_positives],
            [self.false_negatives, self.true_positives],
        ]

    def to_dict(self) -> dict[str, object]:
        return asdict(self) | {
            "count": self.count,
            "positives": self.positives,
            "negatives": self.negatives,
            "confusion_matrix": self.confusion_matrix(),
        }


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def binary_metrics(
    labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray, threshold: float = 0.5
) -> BinaryMetrics:
    """All figures at once; rates are ``None`` when their denominator is zero."""
    y = np.asarray(labels).astype(bool)
    predicted = np.asarray(scores, dtype=np.float64) >= threshold
    tp = int((predicted & y).sum())
    fp = int((predicted & ~y).sum())
    tn = int((~predicted & ~y).sum())
    fn = int((~predicted & y).sum())
    return BinaryMetrics(
        auc=roc_auc(y, scores),
        accuracy=_ratio(tp + tn, len(y)),
        sensitivity=_ratio(tp, tp + fn),
        specificity=_ratio(tn, tn + fp),
        threshold=threshold,
        true_positives=tp,
        false_positives=fp,
        true_negatives=tn,
        false_negatives=fn,
    )


AGGREGATIONS = ("mean", "max")


def aggregate_by_patient(
    patient_keys: Sequence[str], scores: Sequence[float] | np.ndarray, how: str = "mean"
) -> dict[str, float]:
    """One score per patient from their images' scores (``mean`` or ``max``), in order of
    first appearance."""
    if how not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {how}")
    grouped: dict[str, list[float]] = defaultdict(list)
    for key, score in zip(patient_keys, np.asarray(scores, dtype=np.float64), strict=True):
        grouped[key].append(float(score))
    reduce = np.mean if how == "mean" else np.max
    return {key: float(reduce(values)) for key, values in grouped.items()}
