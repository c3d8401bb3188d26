"""Validation metrics against hand-computed answers."""

from __future__ import annotations

import numpy as np
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


def test_three_classes_give_one_vs_rest_figures_macro_averages_and_the_confusion_matrix() -> None:
    from siteapp.training.metrics import classification_metrics

    classes = ("normal", "nodule", "consolidation")
    labels = [0, 0, 1, 1, 2, 2]
    probabilities = np.array([
        [0.8, 0.1, 0.1],  # normal, right
        [0.3, 0.6, 0.1],  # normal, called nodule
        [0.2, 0.7, 0.1],  # nodule, right
        [0.1, 0.8, 0.1],  # nodule, right
        [0.1, 0.2, 0.7],  # consolidation, right
        [0.5, 0.1, 0.4],  # consolidation, called normal
    ])
    m = classification_metrics(labels, probabilities, classes)
    assert m.confusion == ((1, 1, 0), (0, 2, 0), (1, 0, 1))
    assert m.accuracy == 4 / 6 and m.count == 6 and m.positive_class is None
    nodule = m.figures("nodule")
    assert nodule.sensitivity == 1.0 and nodule.specificity == 3 / 4 and nodule.support == 2
    # one-vs-rest AUC of "normal": scores 0.8, 0.3 (normal) vs 0.2, 0.1, 0.1, 0.5 (rest)
    assert m.figures("normal").auc == pytest.approx(roc_auc([1, 1, 0, 0, 0, 0], probabilities[:, 0]))
    assert m.auc == pytest.approx(np.mean([f.auc for f in m.per_class]))
    assert m.sensitivity == pytest.approx(np.mean([0.5, 1.0, 0.5]))
    flat = m.to_dict()
    assert flat["sensitivity:consolidation"] == 0.5 and flat["confusion_matrix"][2] == [1, 0, 1]


def test_a_binary_task_reads_the_same_through_both_metric_functions() -> None:
    from siteapp.training.metrics import classification_metrics

    labels = [0, 0, 1, 1, 1]
    scores = np.array([0.2, 0.55, 0.4, 0.9, 0.7])
    both = classification_metrics(labels, np.stack([1 - scores, scores], axis=1),
                                  ("no_nodule", "nodule"), "nodule", threshold=0.5)
    binary = binary_metrics(labels, scores, threshold=0.5)
    assert both.auc == binary.auc and both.sensitivity == binary.sensitivity
    assert both.specificity == binary.specificity and both.accuracy == binary.accuracy
    assert [list(r) for r in both.confusion] == binary.confusion_matrix()
