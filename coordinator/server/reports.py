"""The federation's status as the operator and the sites see it."""

from __future__ import annotations

import numpy as np

from coordinator.aggregation.validation_histogram import (
    hd95_range_mm,
    histogram_metrics,
    segmentation_histogram_metrics,
    summed_histogram,
)
from coordinator.protocol import FederationPlan, FederationStatus, RoundState, RoundSummary
from coordinator.round_state import RoundPhase
from coordinator.server.store import CoordinatorStore, MetricsRow
from coordinator.task_definition import TaskDefinition


def site_figures(report: MetricsRow, task: TaskDefinition | None = None) -> dict[str, float]:
    """One site's figures as read from its noised histogram (post-processing; noisier than
    the federation's sum). Empty for a row of another shape."""
    return federation_metrics([report], task)


def federation_metrics(
    reports: list[MetricsRow], task: TaskDefinition | None = None
) -> dict[str, float]:
    """AUC, accuracy, sensitivity, specificity (a segmentation ``task``: mean Dice and
    HD95) of the sum of the sites' noised validation histograms (post-processing: it
    costs the sites no privacy). Rows of another shape, e.g. written before sites noised
    their figures, are left out."""
    histograms = [
        np.asarray(m.values["noisy_counts"], dtype=np.float64)
        for m in reports
        if "noisy_counts" in m.values
    ]
    if not histograms:
        return {}
    try:
        if task is not None and task.is_segmentation:
            return segmentation_histogram_metrics(
                summed_histogram(histograms), hd95_range_mm(task.matrix, task.pixel_spacing_mm)
            )
        return histogram_metrics(summed_histogram(histograms))
    except ValueError:
        return {}


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
                metrics=federation_metrics(reports, plan.task),
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
