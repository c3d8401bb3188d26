"""Validation metrics against hand-computed answers."""

from __future__ import annotations

import pytest

from siteapp.training.metrics import aggregate_by_patient, binary_metrics, roc_auc


def test_auc_counts_ties_as_half() -> None:
    # pairs (pos, neg): (0.8,0.2)=1 (0.8,0.5)=1 (0.5,0.2)=1 (0.5,0.5)=0.5 -> 3.5 / 4
    assert roc_auc([1, 1, 0, 0], [0.8, 0.5, 0.5, 0.2]) == pytest.approx(0.875)
    assert roc_auc([1, 0], [0.3, 0.3]) == pytest.approx(0.5)
    assert roc_auc([1, 1, 0], [0.1, 0.2, 0.9]) == pytest.approx(0.0)
    assert roc_auc([1, 1], [0.1, 0.2]) is None


def test_binary_metrics_at_threshold() -> None:
    m = binary_metrics([1, 1, 1, 0, 0], [0.9, 0.6, 0.4, 0.7, 0.1], threshold=0.5)
    assert (m.true_positives, m.false_negatives, m.false_positives, m.true_negatives) == (
        2,
        1,
        1,
        1,
    )
    assert m.sensitivity == pytest.approx(2 / 3)
    assert m.specificity == pytest.approx(1 / 2)
    assert m.accuracy == pytest.approx(3 / 5)
    assert m.confusion_matrix() == [[1, 1], [1, 2]]
    assert m.to_dict()["count"] == 5
    assert binary_metrics([0, 0], [0.1, 0.2]).sensitivity is None


def test_patient_aggregation() -> None:
    keys = ["a", "a", "b", "a"]
    assert aggregate_by_patient(keys, [0.2, 0.4, 0.9, 0.6]) == pytest.approx({"a": 0.4, "b": 0.9})
    assert aggregate_by_patient(keys, [0.2, 0.4, 0.9, 0.6], "max") == pytest.approx(
        {"a": 0.6, "b": 0.9}
    )
