"""Aggregation rules as pure functions over ``[(arrays, num_examples), ...]``.

Each result is one site's list of numpy arrays (same order and shapes at every site)
with the number of examples it trained on. The functions do no I/O; the server streams
blobs from disk into :class:`WeightedMean` for the rules that only need a running sum.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NDArrays = list[np.ndarray]
Results = Sequence[tuple[NDArrays, int]]


class AggregationError(ValueError):
    """The results cannot be aggregated (empty, mismatched shapes, bad parameters)."""


def _check(results: Results) -> None:
    if not results:
        raise AggregationError("no results to aggregate")
    shapes = [a.shape for a in results[0][0]]
    for arrays, _ in results[1:]:
        if [a.shape for a in arrays] != shapes:
            raise AggregationError("results have different parameter shapes")


class WeightedMean:
    """Running example-weighted mean: memory is one model whatever the number of sites."""

    def __init__(self) -> None:
        self._sums: NDArrays | None = None
        self._dtypes: list[np.dtype] = []
        self.total_examples = 0
        self.count = 0

    def add(self, arrays: NDArrays, num_examples: int) -> None:
        if num_examples < 0:
            raise AggregationError("num_examples cannot be negative")
        if self._sums is None:
            self._sums = [np.asarray(a, dtype=np.float64) * num_examples for a in arrays]
            self._dtypes = [np.asarray(a).dtype for a in arrays]
        else:
            if [a.shape for a in arrays] != [s.shape for s in self._sums]:
                raise AggregationError("results have different parameter shapes")
            weight = np.float64(num_examples)  # one float64 temporary, not two
            for total, a in zip(self._sums, arrays, strict=True):
                total += np.asarray(a) * weight
        self.total_examples += num_examples
        self.count += 1

    def result(self) -> NDArrays:
        if self._sums is None:
            raise AggregationError("no results to aggregate")
        if self.total_examples == 0:
            raise AggregationError("the results carry zero examples in total")
        return [
            (s / self.total_examples).astype(d)
            for s, d in zip(self._sums, self._dtypes, strict=True)
        ]


def fedavg(results: Results) -> NDArrays:
    """Mean of the arrays weighted by each site's number of examples (McMahan et al.)."""
    _check(results)
    mean = WeightedMean()
    for arrays, n in results:
        mean.add(arrays, n)
    return mean.result()


def fedmedian(results: Results) -> NDArrays:
    """Coordinate-wise median, unweighted; an even count averages the two middle values."""
    _check(results)
    return [
        np.median(np.stack(layer), axis=0).astype(layer[0].dtype)
        for layer in zip(*(arrays for arrays, _ in results), strict=True)
    ]


def trimmed_mean(results: Results, beta: float, min_cut: int = 0) -> NDArrays:
    """Coordinate-wise mean after cutting ``max(min_cut, floor(beta * n))`` values from each
    end (the coordinator cuts at least one: with few sites, ``floor(beta * n)`` is 0)."""
    _check(results)
    if not 0.0 <= beta < 0.5:
        raise AggregationError("beta must be in [0, 0.5)")
    n = len(results)
    cut = max(min_cut, int(beta * n))
    if 2 * cut >= n:
        raise AggregationError(f"trimming {cut} values from each end of {n} leaves none")
    out = []
    for layer in zip(*(arrays for arrays, _ in results), strict=True):
        stacked = np.sort(np.stack(layer), axis=0)
        out.append(stacked[cut : n - cut].mean(axis=0).astype(layer[0].dtype))
    return out


def winsorised_mean(results: Results, quantile: float, min_cut: int = 0) -> NDArrays:
    """Example-weighted mean after clipping each coordinate to the sites' order statistics
    ``cut + 1`` and ``n - cut``, ``cut = max(min_cut, floor(q n))`` (the ``[q, 1 - q]``
    quantiles): the rule the secure bisection computes under masking
    (``coordinator.secure.bisection.winsor_ranks``, which cuts at least one)."""
    _check(results)
    if not 0.0 <= quantile < 0.5:
        raise AggregationError("the winsorising quantile must be in [0, 0.5)")
    n = len(results)
    cut = max(min_cut, int(np.floor(quantile * n)))
    if 2 * cut >= n:
        raise AggregationError(f"winsorising {cut} values at each end of {n} leaves no middle")
    mean = WeightedMean()
    layers = list(zip(*(arrays for arrays, _ in results), strict=True))
    bounds = [np.sort(np.stack(layer), axis=0)[[cut, n - 1 - cut]] for layer in layers]
    for arrays, examples in results:
        mean.add([np.clip(a, low_high[0], low_high[1]) for a, low_high in zip(arrays, bounds, strict=True)], examples)
    return mean.result()


def krum(results: Results, num_malicious: int) -> NDArrays:
    """The update closest to its ``n - f - 2`` nearest neighbours (Blanchard et al. 2017).

    Ties go to the earliest result, so the choice is deterministic.
    """
    _check(results)
    n = len(results)
    if n < 2 * num_malicious + 3:
        raise AggregationError(f"krum needs at least {2 * num_malicious + 3} results, got {n}")
    flat = np.stack(
        [np.concatenate([np.ravel(a).astype(np.float64) for a in arrays]) for arrays, _ in results]
    )
    sq_norms = np.sum(flat**2, axis=1)
    dist = np.maximum(sq_norms[:, None] + sq_norms[None, :] - 2.0 * flat @ flat.T, 0.0)
    neighbours = n - num_malicious - 2
    scores = [
        float(np.sort(np.delete(dist[i], i))[:neighbours].sum()) for i in range(n)
    ]
    best = int(np.argmin(scores))
    return [np.array(a, copy=True) for a in results[best][0]]
