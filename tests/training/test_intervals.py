"""Confidence intervals of the validation figures against published values."""

from __future__ import annotations

import pytest

from siteapp.training.intervals import auc_interval, wilson_interval


def test_wilson_interval_matches_the_textbook_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 -> 0.2553 to 0.3662.
    low, high = wilson_interval(81, 263) or (0, 0)
    assert (low, high) == pytest.approx((0.2553, 0.3662), abs=5e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-4)
    assert wilson_interval(0, 0) is None


def test_auc_interval_at_chance_is_the_mann_whitney_null_spread() -> None:
    # At AUC 0.5 with equal class counts, Hanley-McNeil's variance reduces exactly to the
    # Mann-Whitney statistic's null variance (n1 + n2 + 1) / (12 n1 n2).
    n = 40
    low, high = auc_interval(0.5, n, n) or (0, 0)
    assert (high - low) / (2 * 1.959964) == pytest.approx(((2 * n + 1) / (12 * n * n)) ** 0.5)
    low, high = auc_interval(0.8, 50, 50) or (0, 0)
    assert 0.70 < low < 0.73 and 0.87 < high < 0.90
    small = auc_interval(0.8, 5, 5) or (0, 0)
    assert small[1] - small[0] > high - low  # fewer patients, wider interval
    assert auc_interval(0.9, 0, 12) is None
