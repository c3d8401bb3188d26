"""The federation's status as the operator and the sites see it."""

from __future__ import annotations

from coordinator.protocol import (
    FederationPlan,
    FederationStatus,
    RoundPhase,
    RoundState,
    RoundSummary,
)
from coordinator.server.store import CoordinatorStore, MetricsRow


def weighted_metrics(reports: list[MetricsRow]) -> dict[str, float]:
    """Each metric averaged over the sites that reported it, weighted by their examples.

    A metric only reported by sites with zero examples is left out rather than made up.
    """
    averaged: dict[str, float] = {}
    for key in sorted({k for m in reports for k in m.values}):
        weights = [(m.values[key], m.num_examples) for m in reports if key in m.values]
        total = sum(n for _, n in weights)
        if total:
            averaged[key] = sum(v * n for v, n in weights) / total
    return averaged


def federation_status(plan: FederationPlan, store: CoordinatorStore, current: RoundState) -> FederationStatus:
    summaries = []
    for row in store.all_rounds():
        reports = store.metrics(row.number)
        summaries.append(
            RoundSummary(
                number=row.number,
                phase=RoundPhase(row.phase),
                submitted=[u.site for u in store.uploads(row.number)],
                total_examples=row.total_examples,
                result_sha256=row.result_sha256,
                published_at=row.published_at,
                metrics=weighted_metrics(reports),
                metrics_sites=[m.site for m in reports],
                failure=row.failure,
            )
        )
    return FederationStatus(
        federation=plan.federation,
        mode=plan.mode,
        strategy=plan.strategy,
        sites=plan.sites,
        rounds_planned=plan.rounds,
        current=current,
        rounds=summaries,
    )
