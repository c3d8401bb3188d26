"""Aggregation strategies, pure numpy: rules over site results and server optimisers."""

from coordinator.aggregation.rules import (
    AggregationError,
    NDArrays,
    Results,
    WeightedMean,
    fedavg,
    fedmedian,
    krum,
    trimmed_mean,
    winsorised_mean,
)
from coordinator.aggregation.server_optimizers import (
    DEFAULTS,
    FedAdagrad,
    FedAdam,
    FedYogi,
    make_server_optimiser,
)

__all__ = [
    "DEFAULTS",
    "AggregationError",
    "FedAdagrad",
    "FedAdam",
    "FedYogi",
    "NDArrays",
    "Results",
    "WeightedMean",
    "fedavg",
    "fedmedian",
    "krum",
    "make_server_optimiser",
    "trimmed_mean",
    "winsorised_mean",
]
