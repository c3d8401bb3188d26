"""The federation's status as the operator and the sites see it."""

from __future__ import annotations

import math

from coordinator.errors import MessageRejectedError
from coordinator.protocol import (
    FederationPlan,
    FederationStatus,
    MetricsReport,
    RoundPhase,
    RoundState,
    RoundSummary,
)
from coordinator.server.store import CoordinatorStore, MetricsRow
from coordinator.settings import MAX_METRIC_ABS, MAX_METRIC_NAME_CHARS, MAX_METRICS_PER_REPORT


def check_metrics(report: MetricsReport, max_examples: int) -> None:
    """Refuse a report the operator's table could not show honestly: too many or too long
    names, a figure that is not a finite number of sane size, or more validation examples
    than the plan lets a site count."""
    if len(report.metrics) > MAX_METRICS_PER_REPORT:
        raise MessageRejectedError(
            f"the report holds {len(report.metrics)} metrics; at most {MAX_METRICS_PER_REPORT} are kept"
        )
    long_names = [k for k in report.metrics if not 0 < len(k) <= MAX_METRIC_NAME_CHARS]
    if long_names:
        raise MessageRejectedError(f"metric names must have 1 to {MAX_METRIC_NAME_CHARS} characters")
    bad = sorted(k for k, v in report.metrics.items() if not (math.isfinite(v) and abs(v) <= MAX_METRIC_ABS))
    if bad:
        raise MessageRejectedError(
            f"metrics {', '.join(bad)} are not finite numbers of magnitude at most {MAX_METRIC_ABS:g}"
        )
    if report.num_examples > max_examples:
        raise MessageRejectedError(
            f"the report counts {report.num_examples} validation examples; the plan allows a "
            f"site at most {max_examples}"
        )


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
