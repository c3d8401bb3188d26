"""Quantisation mod 2^32: the stated overflow and rounding bounds hold."""

from __future__ import annotations

import numpy as np
import pytest

from coordinator.secure.errors import UpdateOutOfRangeError
from coordinator.secure.quantisation import QuantisationBounds, dequantise_sum, quantise_weighted


def test_full_federation_at_the_clip_limit_does_not_overflow() -> None:
    bounds = QuantisationBounds(clip=1.0, max_sites=100, max_examples_per_site=1000)
    vector = np.array([1.0, -1.0, 5.0, -5.0, 0.25])  # 5.0 is clipped to the range
    total = np.zeros(vector.size + 1, dtype=np.uint32)
    for _ in range(bounds.max_sites):
        np.add(total, quantise_weighted(vector, bounds.max_examples_per_site, bounds), out=total)
    weighted, count = dequantise_sum(total, bounds)
    assert count == bounds.max_total_examples
    expected = np.clip(vector, -1.0, 1.0) * count
    # A value exactly half a step off the grid meets the bound with equality.
    assert np.max(np.abs(weighted - expected)) <= count * bounds.mean_error_bound * (1 + 1e-9)


def test_rounding_error_of_the_weighted_mean_is_within_the_bound() -> None:
    bounds = QuantisationBounds()
    rng = np.random.default_rng(3)
    updates = [(rng.normal(0, 0.1, 5000), int(n)) for n in rng.integers(1, 1000, 7)]
    total = np.zeros(5001, dtype=np.uint32)
    for vector, n in updates:
        np.add(total, quantise_weighted(vector, n, bounds), out=total)
    weighted, count = dequantise_sum(total, bounds)
    expected = sum(n * x for x, n in updates) / sum(n for _, n in updates)
    assert np.max(np.abs(weighted / count - expected)) <= bounds.mean_error_bound
    assert bounds.mean_error_bound < 3e-5


def test_counts_and_values_out_of_range_are_refused() -> None:
    bounds = QuantisationBounds(max_examples_per_site=10)
    with pytest.raises(UpdateOutOfRangeError, match="num_examples"):
        quantise_weighted(np.zeros(3), 11, bounds)
    with pytest.raises(UpdateOutOfRangeError, match="NaN"):
        quantise_weighted(np.array([np.nan]), 1, bounds)


def test_bounds_too_wide_for_32_bits_are_refused() -> None:
    with pytest.raises(ValueError, match="32-bit"):
        QuantisationBounds(clip=1e6, max_sites=100, max_examples_per_site=1000)
