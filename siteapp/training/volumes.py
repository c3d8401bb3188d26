"""CT series as volumes for 3D networks: one resampled volume per study, the patient
still the DP record.

Each slice goes through the one 2D pixel pipeline (``siteapp.dicom.pixels.preprocess``:
window, in-plane resampling to the task's matrix and spacing); the slices of a study's
chosen series (:func:`study_series`) are ordered by their position along the slice
normal (``ImagePositionPatient`` projected on the normal from
``ImageOrientationPatient``; else ``SliceLocation``; else ``InstanceNumber``) and
resampled linearly along it to ``depth`` slices ``slice_spacing_mm`` apart, centred on
the series. Outside the scanned range the volume is 0 (the window's floor). A patient
with several studies contributes one of them per draw, as a 2D patient contributes one
of their images: a batch never holds a patient twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pydicom

from siteapp.dicom.dataset_source import PatientImages
from siteapp.tasks import TaskPreset
from siteapp.training.datasets import PatientDataset, PatientRecord, patient_class, task_patients

SliceLoader = Callable[[Path], np.ndarray]


def slice_position_mm(dataset: pydicom.Dataset) -> float:
    """Where a slice lies along its series' normal, in mm."""
    position = dataset.get("ImagePositionPatient")
    orientation = dataset.get("ImageOrientationPatient")
    if position is not None and orientation is not None and len(orientation) == 6:
        row, column = np.asarray(orientation[:3], float), np.asarray(orientation[3:], float)
        return float(np.dot(np.asarray(position, float), np.cross(row, column)))
    if dataset.get("SliceLocation") is not None:
        return float(dataset.SliceLocation)
    return float(dataset.get("InstanceNumber", 0))


def resample_along_slices(
    slices: Sequence[np.ndarray], positions: Sequence[float], depth: int, spacing_mm: float
) -> np.ndarray:
    """``depth`` planes ``spacing_mm`` apart, centred on the slices' range, each a linear
    blend of the two nearest slices; 0 outside the range. ``(depth, H, W)`` float32."""
    order = np.argsort(positions)
    z = np.asarray(positions, float)[order]
    stack = np.stack([slices[i] for i in order]).astype(np.float32)
    centre = (z[0] + z[-1]) / 2
    targets = centre + (np.arange(depth) - (depth - 1) / 2) * spacing_mm
    volume = np.zeros((depth, *stack.shape[1:]), dtype=np.float32)
    for index, target in enumerate(targets):
        if len(z) == 1:
            if abs(target - z[0]) <= spacing_mm / 2:
                volume[index] = stack[0]
            continue
        if not z[0] <= target <= z[-1]:
            continue
        upper = int(np.clip(np.searchsorted(z, target), 1, len(z) - 1))
        gap = z[upper] - z[upper - 1]
        weight = 0.0 if gap == 0 else (target - z[upper - 1]) / gap
        volume[index] = (1 - weight) * stack[upper - 1] + weight * stack[upper]
    return volume


def study_volume(
    paths: Sequence[Path], load_slice: SliceLoader, depth: int, spacing_mm: float
) -> np.ndarray:
    """One study's slices (``load_slice`` gives each one's 2D model input) as a volume."""
    positions = [
        slice_position_mm(pydicom.dcmread(path, stop_before_pixels=True)) for path in paths
    ]
    return resample_along_slices([load_slice(p) for p in paths], positions, depth, spacing_mm)


def study_series(patient: PatientImages) -> list[list[tuple[str, Path]]]:
    """Per study of the patient (in index order), the ``(instance UID, path)`` of the
    series a volume is built from: of the series the task's filter let through, the one
    with the most images (a study may hold a lung-kernel and a soft-tissue-kernel series
    of the same scan; mixing them would interleave two reconstructions)."""
    by_study: dict[str, dict[str, list[tuple[str, Path]]]] = {}
    for uid, path, series, study in zip(
        patient.instance_uids, patient.paths, patient.series_uids, patient.study_uids, strict=True
    ):
        by_study.setdefault(study, {}).setdefault(series, []).append((uid, Path(path)))
    return [max(series.values(), key=len) for series in by_study.values()]


def volume_dataset(
    data_dir: Path, task: TaskPreset, split: str, seed: int | None = None
) -> PatientDataset:
    """The site's labelled patients of ``split``, one ``(depth, matrix, matrix)`` volume
    per study (the task's ``input`` geometry), slices through the preprocessing cache."""
    from siteapp.dicom.cache import PreprocessCache
    from siteapp.statistics.windows import task_with_windows

    task = task_with_windows(task, data_dir)
    depth, spacing = task.input.depth, task.input.slice_spacing_mm
    if depth is None or spacing is None:
        raise ValueError(f"task {task.name} is not a 3d_volume task")
    patients = task_patients(data_dir, task, split)
    studies = [study_series(p) for p in patients]
    records = [
        PatientRecord(str(p.patient_key), patient_class(task, p), len(volumes))
        for p, volumes in zip(patients, studies, strict=True)
    ]
    cache = PreprocessCache(data_dir)
    positions: dict[tuple[int, int], list[float]] = {}

    def load(patient_index: int, study_index: int) -> np.ndarray:
        instances = studies[patient_index][study_index]
        where = positions.get((patient_index, study_index))
        if where is None:  # headers are read once per study, pixels come from the cache
            where = [
                slice_position_mm(pydicom.dcmread(path, stop_before_pixels=True))
                for _, path in instances
            ]
            positions[(patient_index, study_index)] = where
        slices = [cache.load(uid, path, task) for uid, path in instances]
        return resample_along_slices(slices, where, depth, spacing)

    return PatientDataset(records, load, seed=seed)
