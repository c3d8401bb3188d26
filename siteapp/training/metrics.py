"""Classification metrics on held-out patients, in numpy only.

Binary figures (:func:`binary_metrics`) take the model's probability of the task's
positive class; multi-class figures (:func:`classification_metrics`) take one
probability per class and report each class one-vs-rest plus their macro average, so a
binary task reads the same through both. ROC AUC is the
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


@dataclass(frozen=True)
class ClassFigures:
    """One class against the rest: its AUC, sensitivity (recall of the class) and
    specificity (the other classes not predicted as it), and how many patients have it."""

    name: str
    auc: float | None
    sensitivity: float | None
    specificity: float | None
    support: int


@dataclass(frozen=True)
class ClassificationMetrics:
    """Single-label figures for any number of classes.

    ``auc``, ``sensitivity`` and ``specificity`` are the positive class's for a binary
    task (read at ``threshold``) and macro averages over the classes otherwise;
    ``confusion`` has one row per true class and one column per predicted class.
    """

    classes: tuple[str, ...]
    positive_class: str | None
    auc: float | None
    accuracy: float | None
    sensitivity: float | None
    specificity: float | None
    threshold: float | None
    confusion: tuple[tuple[int, ...], ...]
    per_class: tuple[ClassFigures, ...]

    @property
    def count(self) -> int:
        return int(sum(map(sum, self.confusion)))

    def figures(self, name: str) -> ClassFigures:
        return next(f for f in self.per_class if f.name == name)

    def to_dict(self) -> dict[str, object]:
        """Plain data; per-class rates also flat as ``"auc:<class>"`` (what a site may
        report) next to the nested ``per_class`` table."""
        out: dict[str, object] = {
            "classes": list(self.classes), "positive_class": self.positive_class,
            "auc": self.auc, "accuracy": self.accuracy, "sensitivity": self.sensitivity,
            "specificity": self.specificity, "threshold": self.threshold, "count": self.count,
            "confusion_matrix": [list(row) for row in self.confusion],
            "per_class": {f.name: asdict(f) for f in self.per_class},
        }
        for figures in self.per_class:
            for rate in PER_CLASS_RATES:
                out[f"{rate}:{figures.name}"] = getattr(figures, rate)
        if len(self.classes) == 2:  # the binary counts, as BinaryMetrics names them
            (tn, fp), (fn, tp) = self.confusion
            out |= {"true_positives": tp, "false_positives": fp, "true_negatives": tn,
                    "false_negatives": fn, "positives": tp + fn, "negatives": tn + fp}
        return out


#: Per-class rates, reported as ``"<rate>:<class>"``.
PER_CLASS_RATES = ("auc", "sensitivity", "specificity")


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def classification_metrics(
    labels: Sequence[int] | np.ndarray,
    probabilities: np.ndarray,
    classes: Sequence[str],
    positive_class: str | None = None,
    threshold: float = 0.5,
) -> ClassificationMetrics:
    """Figures of ``probabilities`` (``(N, C)``, rows summing to one) against class
    indices ``labels``. A binary task with a positive class predicts it when its
    probability reaches ``threshold``; otherwise the most probable class is predicted.
    """
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(probabilities, dtype=np.float64).reshape(len(y), len(classes))
    n = len(classes)
    binary = n == 2 and positive_class is not None
    if binary:
        positive = list(classes).index(str(positive_class))
        predicted = np.where(p[:, positive] >= threshold, positive, 1 - positive)
    else:
        predicted = p.argmax(axis=1) if len(y) else np.zeros(0, dtype=np.int64)
    confusion = np.zeros((n, n), dtype=np.int64)
    np.add.at(confusion, (y, predicted), 1)
    per_class = []
    for k, name in enumerate(classes):
        tp = int(confusion[k, k])
        fn = int(confusion[k].sum()) - tp
        fp = int(confusion[:, k].sum()) - tp
        tn = len(y) - tp - fn - fp
        per_class.append(ClassFigures(
            name, roc_auc(y == k, p[:, k]), _ratio(tp, tp + fn), _ratio(tn, tn + fp), tp + fn,
        ))
    if binary:
        headline = per_class[positive]
        auc, sens, spec = headline.auc, headline.sensitivity, headline.specificity
    else:
        auc = _mean([f.auc for f in per_class])
        sens = _mean([f.sensitivity for f in per_class])
        spec = _mean([f.specificity for f in per_class])
    return ClassificationMetrics(
        classes=tuple(classes), positive_class=positive_class if binary else None,
        auc=auc, accuracy=_ratio(int(np.trace(confusion)), len(y)), sensitivity=sens,
        specificity=spec, threshold=threshold if binary else None,
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
        per_class=tuple(per_class),
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


def aggregate_vectors_by_patient(
    patient_keys: Sequence[str], probabilities: np.ndarray, how: str = "mean"
) -> dict[str, np.ndarray]:
    """One probability vector per patient from their images' (``mean``, or the
    element-wise ``max`` renormalised), in order of first appearance."""
    if how not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {how}")
    grouped: dict[str, list[np.ndarray]] = defaultdict(list)
    for key, row in zip(patient_keys, np.asarray(probabilities, dtype=np.float64), strict=True):
        grouped[key].append(row)
    out = {}
    for key, rows in grouped.items():
        stacked = np.stack(rows)
        vector = stacked.mean(axis=0) if how == "mean" else stacked.max(axis=0)
        out[key] = vector / vector.sum()
    return out
