"""From histograms to what the site keeps: its own statistics and the federation's.

:func:`refresh_site_statistics` describes the site's training patients (exact, kept at
the site, never sent). :func:`keep_federation_statistics` reads the federation's noised
sum as the coordinator published it, empties the cells the noise alone could explain
(:func:`denoised`), suppresses every histogram and class count with less than the plan's
``min_count`` patients' weight, and turns the rest into windows for the scanners this
site has (and for each modality pooled).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from coordinator.protocol import FederatedStatistics
from coordinator.statistics import StatisticsLayout
from siteapp.dicom.pixels import AUTO_WINDOW_PERCENTILES
from siteapp.statistics.histograms import PATIENT_SENSITIVITY, SiteHistograms, site_histograms
from siteapp.statistics.windows import (
    TaskStatistics,
    Window,
    load_task_statistics,
    save_task_statistics,
    windows_from_histograms,
)
from siteapp.tasks import TaskPreset

#: A cell of the published sum under this many noise standard deviations counts as empty:
#: the noise alone puts positive weight in every empty bin (about 0.4 std on average once
#: negatives are clipped), which would spread every window over the whole value range.
#: Measured on the phantom mammography sites' own histograms (docs/phantom-benchmark.md):
#: median error of the 99th percentile 1854 (clipping only), 832 (2 std), 1557 (3 std:
#: the tissue bins of a ~130-patient scanner fall under it too).
NOISE_FLOOR_STDS = 2.0


def cell_noise_std(settings: FederatedStatistics, sites: int) -> float:
    """The standard deviation of the noise in one cell of a sum over ``sites`` sites."""
    return float(settings.noise_multiplier * PATIENT_SENSITIVITY * np.sqrt(max(sites, 1)))


def denoised(histograms: np.ndarray, cell_std: float) -> np.ndarray:
    """Post-processing of the noised sum (no privacy cost): cells under
    :data:`NOISE_FLOOR_STDS` noise standard deviations set to 0."""
    histograms = np.asarray(histograms, dtype=np.float64)
    return np.where(histograms > NOISE_FLOOR_STDS * cell_std, histograms, 0.0)


def _percentiles(task: TaskPreset) -> Window:
    return task.windowing.percentiles or AUTO_WINDOW_PERCENTILES


def _kept(data_dir: Path, task: TaskPreset, layout: StatisticsLayout) -> TaskStatistics:
    kept = load_task_statistics(data_dir, task.name)
    fresh = TaskStatistics(task.name, layout.bins, list(layout.value_ranges), list(layout.modalities))
    if kept is None or (kept.bins, kept.value_ranges, kept.modalities) != (
        fresh.bins, fresh.value_ranges, fresh.modalities
    ):
        return fresh  # none yet, or made with other bins: start over
    return kept


def site_statistics_into(kept: TaskStatistics, task: TaskPreset, site: SiteHistograms) -> None:
    """Put the site's exact histograms (per scanner and per modality) and windows in ``kept``."""
    layout = site.layout
    by_key: dict[str, tuple[int, np.ndarray]] = {
        key: (site.scanner_modality[key], histogram) for key, histogram in site.by_scanner.items()
    }
    for index, modality in enumerate(layout.modalities):
        pooled = site.modality_histogram(index)
        if pooled.sum() > 0:
            by_key[modality] = (index, pooled)
    kept.site_histograms = {key: histogram.tolist() for key, (_, histogram) in by_key.items()}
    kept.site_windows = windows_from_histograms(layout, by_key, _percentiles(task), 0.0)
    kept.site_patients = site.patients
    kept.computed_at = time.time()


def refresh_site_statistics(
    data_dir: Path,
    task: TaskPreset,
    settings: FederatedStatistics | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TaskStatistics:
    """Describe the site's training patients of ``task`` again and keep the result."""
    layout = StatisticsLayout.for_task(task, settings)
    site = site_histograms(data_dir, task, layout, progress)
    kept = _kept(data_dir, task, layout)
    site_statistics_into(kept, task, site)
    save_task_statistics(data_dir, kept)
    return kept


def keep_federation_statistics(
    data_dir: Path,
    task: TaskPreset,
    settings: FederatedStatistics,
    site: SiteHistograms,
    total: np.ndarray,
    sites: int,
    federation: str,
    seeded: bool,
) -> TaskStatistics:
    """Keep the federation's published sum ``total`` of ``sites`` sites (suppressed below
    ``settings.min_count``) with this site's own statistics, and their windows."""
    layout = site.layout
    noisy, counts = layout.split(total)
    std = cell_noise_std(settings, sites)
    histograms = denoised(noisy, std)
    by_key: dict[str, tuple[int, np.ndarray]] = {}
    for key, index in site.scanner_modality.items():
        by_key[key] = (index, histograms[index, layout.slot(key)])
    for index, modality in enumerate(layout.modalities):
        by_key[modality] = (index, histograms[index].sum(axis=0))
    shown = {
        key: (index, histogram) for key, (index, histogram) in by_key.items()
        if float(np.clip(histogram, 0, None).sum()) >= settings.min_count
    }
    kept = _kept(data_dir, task, layout)
    site_statistics_into(kept, task, site)
    kept.federation = federation
    kept.federation_sites = sites
    kept.federation_histograms = {key: np.clip(h, 0, None).tolist() for key, (_, h) in shown.items()}
    kept.federation_windows = windows_from_histograms(layout, shown, _percentiles(task), settings.min_count)
    kept.federation_class_counts = {
        name: (round(float(count), 1) if count >= settings.min_count else None)
        for name, count in zip(layout.classes, counts, strict=True)
    }
    kept.federation_noise_std = std
    kept.seeded = seeded
    save_task_statistics(data_dir, kept)
    return kept
