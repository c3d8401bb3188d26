"""What segmentation training sees of the index: each patient's masked images.

A patient counts when a series of theirs passes the task's modality and series
description filter and has a mask naming at least one of the task's regions; their
images are the images the mask covers (an image never masked is not "no lesion", so it
is left out). Segments the task does not name are background. Patients with masks get a
train/validation split like labelled ones (stored, seeded, stratified by whether any of
their masks holds a region), so no validation patient's image is ever trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from siteapp.dicom.index import StudyIndex
from siteapp.dicom.masks import mask_for_series, series_with_masks
from siteapp.dicom.splits import assign_splits, patient_splits
from siteapp.tasks import TaskDefinition


@dataclass(frozen=True)
class MaskedImage:
    instance_uid: str
    path: Path
    spacing_mm: tuple[float, float] | None
    labels: np.ndarray  # the image's own size, task class indices


@dataclass(frozen=True)
class MaskedPatient:
    key: str
    images: tuple[MaskedImage, ...]

    @property
    def has_region(self) -> bool:
        return any(image.labels.any() for image in self.images)


def masked_patients(data_dir: Path, task: TaskDefinition) -> list[MaskedPatient]:
    """Every patient with images the task can learn from, in patient order."""
    by_patient: dict[str, list[MaskedImage]] = {}
    with StudyIndex(data_dir) as index:
        for series_uid in series_with_masks(index):
            row = index.connection.execute(
                "SELECT st.patient_key, se.modality, se.description FROM series se"
                " JOIN studies st USING (study_uid) WHERE se.series_uid = ?", (series_uid,)
            ).fetchone()
            if row is None or row[1] not in task.modality:
                continue
            if not task.series_filter.accepts_description(row[2] or ""):
                continue
            mask = mask_for_series(index, series_uid)
            if mask is None or not set(mask.segments) & set(task.regions):
                continue
            # mask label k (segments[k-1]) -> the task's class of that name, else background
            relabel = np.array([0] + [
                task.class_index(name) if name in task.regions else 0 for name in mask.segments
            ], dtype=np.uint8)
            for instance in index.instances(series_uid):
                frame = mask.frames.get(instance.sop_instance_uid)
                if frame is not None:
                    by_patient.setdefault(str(row[0]), []).append(MaskedImage(
                        instance.sop_instance_uid, instance.file_path,
                        instance.pixel_spacing_mm, relabel[np.asarray(frame)],
                    ))
    return [MaskedPatient(key, tuple(images)) for key, images in sorted(by_patient.items())]


def masked_patient_splits(data_dir: Path, patients: list[MaskedPatient]) -> dict[str, str]:
    """Each patient's stored split; patients without one get one first."""
    with StudyIndex(data_dir) as index:
        conn = index.connection
        existing = patient_splits(conn)
        new = {p.key: "region" if p.has_region else "none" for p in patients if p.key not in existing}
        if new:
            assign_splits(conn, strata=new)
        return patient_splits(conn)
