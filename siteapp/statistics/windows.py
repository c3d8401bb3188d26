"""Percentile windows from histograms, kept per task at the site, attached to the task.

A task whose windowing is ``{"percentiles": [low, high], "scope": "site"}`` or
``"federation"`` maps every image of one scanner model with the same window: the
percentiles of that scanner model's intensities at this site, or in the federation's
secure, noised histograms (``medfed-site statistics``). A scanner the statistics lack
(or hold too little of: the federation's ``min_count``) falls back to its modality
pooled. The windows and the histograms they came from live in
``<data_dir>/statistics/<task>.json``; training reads them through
:func:`task_with_windows`. The federation's windows then travel with the model: each
checkpoint pins those it was trained with, and inference uses them, not the ones kept
now (a later statistics round may have changed those).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coordinator.durable_files import write_durably
from coordinator.statistics import StatisticsLayout
from coordinator.task_definition import PercentileScope
from siteapp.tasks import TaskPreset

STATISTICS_DIRNAME = "statistics"
Window = tuple[float, float]


def histogram_percentiles(
    histogram: np.ndarray, edges: np.ndarray, percentiles: Sequence[float]
) -> list[float]:
    """Percentiles of the weight in ``histogram`` (negative noise counts as none),
    interpolated linearly inside a bin."""
    mass = np.clip(np.asarray(histogram, dtype=np.float64), 0.0, None)
    edges = np.asarray(edges, dtype=np.float64)
    filled = mass > 0
    if not filled.any():
        raise ValueError("an empty histogram has no percentiles")
    # Over the bins that hold weight: the bin where the cumulative weight reaches each
    # target, and how far into it.
    weight, lows, highs = mass[filled], edges[:-1][filled], edges[1:][filled]
    cumulative = np.concatenate([[0.0], np.cumsum(weight)])
    targets = np.asarray(percentiles, dtype=np.float64) / 100.0 * cumulative[-1]
    index = np.clip(np.searchsorted(cumulative, targets, side="left"), 1, len(weight)) - 1
    share = np.clip((targets - cumulative[index]) / weight[index], 0.0, 1.0)
    return [float(v) for v in lows[index] + share * (highs[index] - lows[index])]


def windows_from_histograms(
    layout: StatisticsLayout,
    by_key: dict[str, tuple[int, np.ndarray]],
    percentiles: Window,
    min_weight: float,
) -> dict[str, Window]:
    """``{key: (low, high)}`` for each histogram (by scanner key or modality, with its
    modality index) holding at least ``min_weight`` patients' weight."""
    windows: dict[str, Window] = {}
    for key, (modality, histogram) in by_key.items():
        if float(np.clip(histogram, 0, None).sum()) >= max(min_weight, 1e-9):
            low, high = histogram_percentiles(histogram, layout.edges(modality), percentiles)
            windows[key] = (low, high)
    return windows


@dataclass
class TaskStatistics:
    """What this site keeps of a task's statistics (``<data_dir>/statistics/<task>.json``).

    ``site_*``: exact, from this site's training patients, never sent. ``federation_*``:
    the noised sum over the sites that took part, as the coordinator published it."""

    task: str
    bins: int
    value_ranges: list[Window]
    modalities: list[str]
    site_histograms: dict[str, list[float]] = field(default_factory=dict)
    site_windows: dict[str, Window] = field(default_factory=dict)
    site_patients: int = 0
    federation: str | None = None
    federation_sites: int = 0
    federation_histograms: dict[str, list[float]] = field(default_factory=dict)
    federation_windows: dict[str, Window] = field(default_factory=dict)
    federation_class_counts: dict[str, float | None] = field(default_factory=dict)
    federation_noise_std: float = 0.0
    seeded: bool = False
    computed_at: float = field(default_factory=time.time)

    def windows(self, scope: PercentileScope) -> dict[str, Window]:
        return self.site_windows if scope is PercentileScope.SITE else self.federation_windows

    def edges(self, key: str) -> np.ndarray:
        """The bin edges of the histogram of ``key`` (a scanner key or a modality)."""
        index = self.modalities.index(key.split("|", 1)[0])
        low, high = self.value_ranges[index]
        return np.linspace(low, high, self.bins + 1)


def statistics_path(data_dir: Path, task_name: str) -> Path:
    return Path(data_dir) / STATISTICS_DIRNAME / f"{task_name}.json"


def load_task_statistics(data_dir: Path, task_name: str) -> TaskStatistics | None:
    """This site's kept statistics of ``task_name``; None if never computed (or unreadable)."""
    path = statistics_path(data_dir, task_name)
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        raw["value_ranges"] = [tuple(r) for r in raw["value_ranges"]]
        for name in ("site_windows", "federation_windows"):
            raw[name] = {k: tuple(v) for k, v in raw.get(name, {}).items()}
        return TaskStatistics(**raw)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save_task_statistics(data_dir: Path, statistics: TaskStatistics) -> Path:
    path = statistics_path(data_dir, statistics.task)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_durably(path, json.dumps(asdict(statistics), indent=1).encode())
    return path


def task_with_windows(task: TaskPreset, data_dir: Path) -> TaskPreset:
    """``task`` ready to window this site's images: itself for per-image windows or when
    it already carries windows (those its checkpoint pinned), else a copy carrying the
    site's or the federation's windows kept for it. The site's own are computed on first
    use (nothing leaves the site); the federation's need a statistics round first
    (``pixels.MissingWindowError`` says so when an image needs one)."""
    scope = task.windowing.scope
    if scope is PercentileScope.IMAGE or task.intensity_windows is not None:
        return task
    kept = load_task_statistics(data_dir, task.name)
    if scope is PercentileScope.SITE and (kept is None or not kept.site_windows):
        from siteapp.statistics.collect import refresh_site_statistics

        kept = refresh_site_statistics(data_dir, task)
    if kept is None:
        return task
    return task.with_intensity_windows(kept.windows(scope))
