"""One round's aggregation from blobs on disk, by plan mode and strategy.

Rules that need only a running sum (FedAvg, FedProx, the adaptive optimisers) stream the
uploads one at a time; FedMedian, trimmed mean and Krum need every update at once, which
the plan only allows in plaintext mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coordinator.aggregation import (
    WeightedMean,
    fedmedian,
    krum,
    make_server_optimiser,
    trimmed_mean,
    winsorised_mean,
)
from coordinator.errors import CoordinatorError
from coordinator.protocol import (
    INDIVIDUAL_UPDATE_STRATEGIES,
    SERVER_OPTIMISER_STRATEGIES,
    FederationPlan,
    Strategy,
)
from coordinator.server.model_codec import TensorSpec, iter_tensors


@dataclass(frozen=True)
class PlaintextOutcome:
    weights: list[np.ndarray]
    total_examples: int
    optimiser_state: dict[str, np.ndarray]


def aggregate_plaintext(
    plan: FederationPlan,
    layout: list[TensorSpec],
    global_path: Path,
    uploads: list[tuple[Path, int]],
    optimiser_state: dict[str, np.ndarray],
) -> PlaintextOutcome:
    """New global weights = global + aggregate of the updates (or a server-optimiser step)."""
    params = plan.strategy_params
    total = sum(n for _, n in uploads)
    if plan.strategy in INDIVIDUAL_UPDATE_STRATEGIES:
        results = [(iter_tensors(path, layout), n) for path, n in uploads]
        if plan.strategy is Strategy.FEDMEDIAN:
            delta = fedmedian(results)
        elif plan.strategy is Strategy.WINSORISED_MEAN:
            delta = winsorised_mean(results, params.winsor_quantile, min_cut=1)
        elif plan.strategy is Strategy.TRIMMED_MEAN:
            delta = trimmed_mean(results, params.beta, min_cut=1)
        else:
            delta = krum(results, params.num_malicious)
    else:
        mean = WeightedMean()
        for path, n in uploads:
            mean.add(iter_tensors(path, layout), n)
        delta = mean.result()
    weights = iter_tensors(global_path, layout)
    if plan.strategy in SERVER_OPTIMISER_STRATEGIES:
        opt = make_server_optimiser(
            plan.strategy.value, params.server_lr, params.beta_1, params.beta_2, params.tau
        )
        opt.load_state(optimiser_state)
        new = opt.step(weights, delta)
        return PlaintextOutcome(new, total, opt.state())
    new = [(w.astype(np.float64) + d).astype(w.dtype) for w, d in zip(weights, delta, strict=True)]
    return PlaintextOutcome(new, total, {})


def aggregate_ckks(public_context: bytes, blobs: list[Path]) -> bytes:
    """Homomorphic sum of the sites' signed uploads (sum of count x update, of counts and
    of contribution tags), published with every site's signed statement."""
    try:
        from coordinator.secure.ckks_contributions import aggregate_uploads
        from coordinator.secure.errors import SecureAggregationError
    except ImportError as exc:
        raise CoordinatorError(
            "CKKS aggregation needs coordinator.secure.ckks, which is missing from this build"
        ) from exc
    try:
        return aggregate_uploads(public_context, blobs)
    except SecureAggregationError as exc:
        raise CoordinatorError(f"the encrypted sum failed: {exc}") from exc
