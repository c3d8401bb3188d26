"""A site's segmentation examples: its masked patients' images and masks on the task's
grid (which patients and images count: :mod:`siteapp.dicom.mask_source`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siteapp.dicom.cache import PreprocessCache
from siteapp.dicom.mask_source import masked_patient_splits, masked_patients
from siteapp.tasks import TaskDefinition
from siteapp.training.datasets import NoTrainingDataError, PatientRecord
from siteapp.training.segmentation_data import SegmentationDataset, resample_labels


def site_segmentation_dataset(
    data_dir: Path, task: TaskDefinition, split: str, seed: int | None = None
) -> SegmentationDataset:
    """The site's masked patients of ``split``, images and masks on the task's grid."""
    everyone = masked_patients(data_dir, task)
    splits = masked_patient_splits(data_dir, everyone)
    patients = [p for p in everyone if splits.get(p.key) == split]
    if not patients:
        raise NoTrainingDataError(
            f"no patients with masks of {', '.join(task.regions)} in the '{split}' split; "
            "import DICOM SEG or RTSTRUCT masks, or draw them on the Labels page"
        )
    cache = PreprocessCache(data_dir)
    grids: dict[tuple[int, int], np.ndarray] = {}

    def load(patient_index: int, image_index: int) -> np.ndarray:
        image = patients[patient_index].images[image_index]
        return cache.load(image.instance_uid, image.path, task)

    def masks(patient_index: int, image_index: int) -> np.ndarray:
        grid = grids.get((patient_index, image_index))
        if grid is None:
            image = patients[patient_index].images[image_index]
            grid = resample_labels(image.labels, image.spacing_mm, task.pixel_spacing_mm,
                                   task.matrix, task.num_classes).astype(np.uint8)
            grids[(patient_index, image_index)] = grid
        return grid

    records = [PatientRecord(p.key, int(p.has_region), len(p.images)) for p in patients]
    return SegmentationDataset(records, load, masks, task.matrix, seed=seed)
