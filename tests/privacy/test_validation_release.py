"""The validation histogram, its noise, the figures read from it, and its ledger line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coordinator.aggregation.validation_histogram import (
    histogram_metrics,
    segmentation_histogram_metrics,
    summed_histogram,
)
from siteapp.privacy.ledger import PrivacyCapExceededError, PrivacyLedger
from siteapp.privacy.validation_release import (
    SEGMENTATION_HISTOGRAM_SENSITIVITY,
    noised_histogram,
    release_mechanism,
    score_histogram,
    segmentation_histogram,
)
from siteapp.training.metrics import binary_metrics


def test_each_patient_is_counted_once_in_the_cell_of_their_class_and_score() -> None:
    labels = [0, 0, 1, 1, 1, 0]
    scores = [0.1, 0.6, 0.49, 0.5, 1.0, 0.0]
    assert score_histogram(labels, scores, 4).tolist() == [[2, 0, 1, 0], [0, 1, 1, 1]]
    with pytest.raises(ValueError, match="0 or 1"):
        score_histogram([2], [0.5], 4)


def test_figures_from_an_exact_histogram_match_the_sites_own_metrics() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    # scores at bin centres, so binning loses nothing
    scores = (rng.integers(0, 4, 200) + 0.5) / 4
    exact = binary_metrics(labels, scores, 0.5)
    read = histogram_metrics(score_histogram(labels, scores, 4))
    assert read["auc"] == pytest.approx(exact.auc)
    assert read["accuracy"] == pytest.approx(exact.accuracy)
    assert read["sensitivity"] == pytest.approx(exact.sensitivity)
    assert read["specificity"] == pytest.approx(exact.specificity)


def test_noise_has_the_plans_spread_and_is_fresh_every_time() -> None:
    zeros = np.zeros((2, 4))
    draws = np.stack([noised_histogram(zeros, 4.0, None) for _ in range(2000)])
    assert draws.std() == pytest.approx(4.0, rel=0.05)
    assert not np.array_equal(draws[0], draws[1])
    np.testing.assert_array_equal(noised_histogram(zeros, 4.0, 9), noised_histogram(zeros, 4.0, 9))
    with pytest.raises(ValueError, match="without noise"):
        noised_histogram(zeros, 0.0, None)


def test_a_segmentation_histogram_counts_each_patient_once_per_row() -> None:
    """Row 0: Dice bins of [0, 1]; row 1: HD95 bins of [0, 40 mm], the last one open. Each
    patient is in one cell of each row: L2 sensitivity sqrt(2), and the noise scales by it."""
    dice = [0.05, 0.3, 0.3, 0.99, 1.0]
    hd95 = [0.0, 12.0, 25.0, 39.0, 400.0]
    histogram = segmentation_histogram(dice, hd95, 4, 40.0)
    assert histogram.tolist() == [[1, 2, 0, 2], [1, 1, 1, 2]]
    assert histogram.sum(axis=1).tolist() == [5, 5]
    read = segmentation_histogram_metrics(histogram, 40.0)
    assert read["dice"] == pytest.approx((0.125 + 2 * 0.375 + 2 * 0.875) / 5)
    assert read["hd95_mm"] == pytest.approx((5 + 15 + 25 + 2 * 35) / 5)
    zeros = np.zeros((2, 4))
    draws = np.stack([noised_histogram(zeros, 4.0, None, SEGMENTATION_HISTOGRAM_SENSITIVITY)
                      for _ in range(2000)])
    assert draws.std() == pytest.approx(4.0 * np.sqrt(2.0), rel=0.05)
    assert segmentation_histogram_metrics(np.full((2, 4), -1.0), 40.0) == {}


def test_summing_refuses_histograms_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="different shapes"):
        summed_histogram([np.zeros((2, 4)), np.zeros((2, 6))])
    assert histogram_metrics(np.full((2, 4), -3.0)) == {}  # all noise, nothing to say


def test_validation_patients_have_their_own_line_held_to_the_cap(data_dir: Path) -> None:
    ledger = PrivacyLedger(data_dir)
    ledger.set_cap(3.0, 1e-5)
    training = ledger.record_planned_round(1, 1.5, 0.1, 20, 100)
    release = release_mechanism(4.0)
    first = ledger.record_planned_round(
        1, release.noise_multiplier, release.sample_rate, release.steps, 20,
        record_set="validation",
    )
    # the validation release does not change the training line, and vice versa
    assert ledger.epsilon_spent("training") == pytest.approx(training.epsilon_after)
    assert ledger.epsilon_spent("validation") == pytest.approx(first.epsilon_after)
    assert ledger.epsilon_spent() == max(training.epsilon_after, first.epsilon_after)
    second = ledger.record_planned_round(2, 4.0, 1.0, 1, 20, record_set="validation")
    assert second.epsilon_after > first.epsilon_after  # composed over rounds
    with pytest.raises(PrivacyCapExceededError, match="validation patients' epsilon"):
        for number in range(3, 30):
            ledger.record_planned_round(number, 4.0, 1.0, 1, 20, record_set="validation")
    assert ledger.epsilon_spent("validation") <= 3.0
