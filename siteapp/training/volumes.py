"""CT series as volumes for 3D networks: one resampled volume per study, the patient
still the DP record.

Each slice goes through the one 2D pixel pipeline (``siteapp.dicom.pixels.preprocess``:
window, in-plane resampling to the task's matrix and spacing); the slices of a study are
ordered by their position along the slice normal (``ImagePositionPatient`` projected on
the normal from ``ImageOrientationPatient``; else ``SliceLocation``; else
``InstanceNumber``) and resampled linearly along it to ``depth`` slices
``slice_spacing_mm`` apart, centred on the series. Outside the scanned range the volume is
0 (the window's floor). A patient with several studies contributes one of them per draw,
as a 2D patient contributes one of their images: a batch never holds a patient twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pydicom

from siteapp.tasks import TaskPreset
from siteapp.training.datasets import NoTrainingDataError, PatientDataset, PatientRecord

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


def volume_dataset(
    data_dir: Path, task: TaskPreset, split: str, depth: int, slice_spacing_mm: float,
    seed: int = 0,
) -> PatientDataset:
    """The site's labelled patients of ``split``, one ``(depth, matrix, matrix)`` volume
    per study, slices through the preprocessing cache."""
    from siteapp.dicom.cache import PreprocessCache
    from siteapp.dicom.dataset_source import labelled_patients

    cache = PreprocessCache(data_dir)
    records: list[PatientRecord] = []
    studies: list[list[list[tuple[str, Path]]]] = []
    for patient in labelled_patients(data_dir, split=split, modality=task.modality):
        by_study: dict[str, list[tuple[str, Path]]] = {}
        for uid, path in zip(patient.instance_uids, patient.paths, strict=True):
            study = str(pydicom.dcmread(path, stop_before_pixels=True).StudyInstanceUID)
            by_study.setdefault(study, []).append((uid, Path(path)))
        if not by_study:
            continue
        records.append(PatientRecord(patient.patient_key, task.class_index(str(patient.label)), len(by_study)))
        studies.append(list(by_study.values()))
    if not records:
        raise NoTrainingDataError(
            f"no labelled CT studies in the '{split}' split; import, label and split first"
        )

    def load(patient_index: int, study_index: int) -> np.ndarray:
        instances = studies[patient_index][study_index]
        uid_of = {path: uid for uid, path in instances}
        return study_volume(
            [path for _, path in instances],
            lambda path: cache.load(uid_of[path], path, task),
            depth, slice_spacing_mm,
        )

    return PatientDataset(records, load, seed=seed)
