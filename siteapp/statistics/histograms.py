"""A site's intensity histograms and class counts over its training patients.

Every training patient of the task weighs exactly 1 in the intensity histograms (each of
its images weighs ``1 / images``, each image's pixels share that weight) and 1 in the
class counts. So adding or removing a patient moves the statistics vector by at most
``sqrt(2)`` in L2 norm, whatever its images: that bound is what the noise of
:mod:`siteapp.statistics.release` is calibrated to. Histograms are kept per scanner model
(exact, they never leave the site) and laid into the federation's vector by
:class:`coordinator.statistics.StatisticsLayout`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coordinator.statistics import StatisticsLayout
from siteapp.dicom.config import SPLIT_TRAIN
from siteapp.dicom.dataset_source import labelled_patients
from siteapp.dicom.pixels import Scanner, read_frames_and_scanner
from siteapp.errors import UserFacingError
from siteapp.tasks import TaskPreset

#: L2 norm by which one patient can move the whole vector: 1 (histograms) and 1 (counts).
PATIENT_SENSITIVITY = math.sqrt(2.0)


class NoStatisticsDataError(UserFacingError):
    """The site has no labelled training images of the task to describe."""


@dataclass
class SiteHistograms:
    """Exact statistics of one site's training patients (never sent as they are)."""

    layout: StatisticsLayout
    # scanner key -> (modality index, bins) of patient weight
    by_scanner: dict[str, np.ndarray] = field(default_factory=dict)
    scanner_modality: dict[str, int] = field(default_factory=dict)
    class_counts: np.ndarray | None = None
    patients: int = 0
    skipped: list[str] = field(default_factory=list)

    def vector(self) -> np.ndarray:
        """The site's exact statistics vector in the federation's layout."""
        histograms = np.zeros(self.layout.histogram_shape)
        for key, histogram in self.by_scanner.items():
            histograms[self.scanner_modality[key], self.layout.slot(key)] += histogram
        counts = self.class_counts if self.class_counts is not None else np.zeros(len(self.layout.classes))
        return self.layout.join(histograms, counts)

    def modality_histogram(self, modality_index: int) -> np.ndarray:
        """Every scanner of one modality pooled."""
        pooled = np.zeros(self.layout.bins)
        for key, histogram in self.by_scanner.items():
            if self.scanner_modality[key] == modality_index:
                pooled += histogram
        return pooled


def image_histogram(frames: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Fractions of the image's pixels per bin (values outside the range in the end
    bins), summing to 1."""
    values = np.clip(np.asarray(frames, dtype=np.float64).ravel(), edges[0], edges[-1])
    counts, _ = np.histogram(values, bins=edges)
    total = counts.sum()
    return counts / total if total else counts.astype(np.float64)


def site_histograms(
    data_dir: Path,
    task: TaskPreset,
    layout: StatisticsLayout,
    progress: Callable[[int, int], None] | None = None,
) -> SiteHistograms:
    """The exact statistics of the site's training patients of ``task``: images of the
    task's modalities and series, read in modality units (the pixel pipeline's first
    step, before any window). An unreadable image is skipped and named, and its
    patient's weight goes to the images that read."""
    patients = [
        p for p in labelled_patients(
            data_dir, split=SPLIT_TRAIN, modality=task.modality, series=task.series_filter.accepts
        ) if p.paths
    ]
    if not patients:
        raise NoStatisticsDataError(
            f"no labelled training patients of task {task.name}: import studies, label them "
            "and make a train/validation split before computing statistics"
        )
    result = SiteHistograms(layout, class_counts=np.zeros(len(layout.classes)))
    assert result.class_counts is not None
    for done, patient in enumerate(patients, start=1):
        if progress is not None:
            progress(done - 1, len(patients))
        read: list[tuple[Scanner, np.ndarray, int]] = []
        for path in patient.paths:
            try:
                frames, scanner = read_frames_and_scanner(Path(path))
            except UserFacingError as exc:
                result.skipped.append(f"{path}: {exc}")
                continue
            index = layout.modality_index(scanner.modality)
            if index is not None:
                read.append((scanner, image_histogram(frames, layout.edges(index)), index))
        if not read or str(patient.label) not in layout.classes:
            continue
        for scanner, histogram, index in read:
            key = scanner.key
            result.scanner_modality[key] = index
            result.by_scanner.setdefault(key, np.zeros(layout.bins))
            result.by_scanner[key] += histogram / len(read)
        result.class_counts[layout.classes.index(str(patient.label))] += 1
        result.patients += 1
    if progress is not None:
        progress(len(patients), len(patients))
    if not result.patients:
        raise NoStatisticsDataError(
            f"none of the {len(patients)} training patients of task {task.name} has a readable "
            "image of its modalities; see the skipped files"
        )
    return result
