"""Aggregation rules against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from coordinator.aggregation import (
    AggregationError,
    WeightedMean,
    fedavg,
    fedmedian,
    krum,
    trimmed_mean,
    winsorised_mean,
)


def _one(*values: float) -> list[tuple[list[np.ndarray], int]]:
    return [([np.array([v], dtype=np.float32)], 1) for v in values]


def test_fedavg_weights_by_examples() -> None:
    results = [
        ([np.array([1.0, 2.0], dtype=np.float32), np.array([[4.0]], dtype=np.float32)], 1),
        ([np.array([3.0, 6.0], dtype=np.float32), np.array([[0.0]], dtype=np.float32)], 3),
    ]
    out = fedavg(results)
    # (1*1 + 3*3)/4 = 2.5, (1*2 + 3*6)/4 = 5, (1*4 + 3*0)/4 = 1
    np.testing.assert_allclose(out[0], [2.5, 5.0])
    np.testing.assert_allclose(out[1], [[1.0]])
    assert out[0].dtype == np.float32


def test_fedavg_refuses_zero_examples_and_mismatched_shapes() -> None:
    with pytest.raises(AggregationError, match="zero examples"):
        fedavg([([np.zeros(2)], 0)])
    with pytest.raises(AggregationError, match="shapes"):
        fedavg([([np.zeros(2)], 1), ([np.zeros(3)], 1)])


def test_weighted_mean_streams_the_same_answer_as_fedavg() -> None:
    rng = np.random.default_rng(0)
    results = [([rng.normal(size=(3, 2))], int(rng.integers(1, 9))) for _ in range(5)]
    mean = WeightedMean()
    for arrays, n in results:
        mean.add(arrays, n)
    np.testing.assert_allclose(mean.result()[0], fedavg(results)[0])
    assert mean.total_examples == sum(n for _, n in results)


def test_fedmedian_odd_even_and_ties_ignore_weights() -> None:
    assert fedmedian(_one(1, 5, 3))[0][0] == 3
    assert fedmedian(_one(1, 2, 3, 10))[0][0] == 2.5
    assert fedmedian(_one(2, 2, 7))[0][0] == 2
    heavy = [([np.array([100.0])], 1000), ([np.array([1.0])], 1), ([np.array([2.0])], 1)]
    assert fedmedian(heavy)[0][0] == 2.0


def test_trimmed_mean_cuts_beta_from_each_end() -> None:
    assert trimmed_mean(_one(1, 2, 3, 4, 100), beta=0.2)[0][0] == pytest.approx(3.0)
    # floor(0.1 * 5) = 0: nothing cut, plain mean (1+2+3+4+100)/5 = 22
    assert trimmed_mean(_one(1, 2, 3, 4, 100), beta=0.1)[0][0] == pytest.approx(22.0)
    with pytest.raises(AggregationError):
        trimmed_mean(_one(1, 2), beta=0.5)


def test_krum_picks_the_most_central_update() -> None:
    # f = 1, n = 5: each score sums the 2 smallest squared distances.
    # scores: 0 -> 1+4, 1 -> 1+1, 2 -> 1+4, 10 -> 1+64, 11 -> 1+81
    assert krum(_one(0, 1, 2, 10, 11), num_malicious=1)[0][0] == 1.0


def test_krum_breaks_ties_by_first_result_and_needs_enough_sites() -> None:
    # scores 1, 1, 1, 1 and 2500+: a four-way tie goes to the first.
    assert krum(_one(0, 1, 0, 1, 50), num_malicious=1)[0][0] == 0.0
    with pytest.raises(AggregationError, match="at least 5"):
        krum(_one(0, 1, 2, 3), num_malicious=1)


def test_winsorised_mean_clips_to_the_quantile_ranks_then_weights_by_examples() -> None:
    # 5 values, q = 0.2: floor(0.2 * 5) = 1, so clip to ranks 2 and 4: [2, 4].
    results = [([np.array([v])], n) for v, n in ((1.0, 1), (2.0, 1), (3.0, 2), (4.0, 1), (100.0, 5))]
    assert winsorised_mean(results, 0.2)[0][0] == pytest.approx((2 + 2 + 3 * 2 + 4 + 4 * 5) / 10)
    # q = 0 clips nothing: the weighted mean; the coordinator's min_cut=1 still clips one.
    assert winsorised_mean(results, 0.0)[0][0] == pytest.approx(fedavg(results)[0][0])
    assert winsorised_mean(results, 0.0, min_cut=1)[0][0] == winsorised_mean(results, 0.2)[0][0]
    with pytest.raises(AggregationError, match="quantile"):
        winsorised_mean(results, 0.5)
    with pytest.raises(AggregationError, match="no middle"):
        winsorised_mean(results[:2], 0.0, min_cut=1)
