"""What training sees of the index: one record per labelled patient.

DP-SGD treats a patient as one record, so the unit here is the patient with all of
its images, never a single image. Splits are assigned (and stored) on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from siteapp.dicom.config import SPLIT_TRAIN, SPLIT_VAL
from siteapp.dicom.schema import open_dicom_db
from siteapp.dicom.splits import assign_splits, effective_labels, patient_splits
from siteapp.errors import UsageError


@dataclass(frozen=True)
class PatientImages:
    """A labelled patient's images, in study/series/slice order."""

    patient_key: str
    label: str
    split: str
    instance_uids: tuple[str, ...]
    paths: tuple[Path, ...]


def labelled_patients(
    data_dir: Path,
    split: str | None = None,
    modality: str | Collection[str] | None = None,
    series: Callable[[str], bool] | None = None,
) -> list[PatientImages]:
    """Labelled patients with at least one image, optionally of one split, of some
    modalities and of series whose description ``series`` accepts.

    A patient labelled as a whole contributes all its images; one labelled only through
    its studies contributes the images of those studies.
    """
    if split not in (None, SPLIT_TRAIN, SPLIT_VAL):
        raise UsageError(f"unknown split '{split}' (use '{SPLIT_TRAIN}' or '{SPLIT_VAL}')")
    conn = open_dicom_db(Path(data_dir))
    try:
        assign_splits(conn)
        labels = effective_labels(conn)
        splits = patient_splits(conn)
        patient_level = {str(r[0]) for r in conn.execute("SELECT patient_key FROM patient_labels")}
        rows = conn.execute(
            "SELECT st.patient_key, i.sop_instance_uid, i.file_path, l.label, se.modality,"
            " se.description"
            " FROM instances i JOIN series se USING (series_uid) JOIN studies st USING (study_uid)"
            " LEFT JOIN study_labels l USING (study_uid)"
            " ORDER BY st.patient_key, st.study_date, st.study_uid, se.series_number,"
            " se.series_uid, i.slice_position IS NULL, i.slice_position, i.instance_number,"
            " i.sop_instance_uid"
        ).fetchall()
    finally:
        conn.close()
    images: dict[str, tuple[list[str], list[Path]]] = {}
    modalities = {modality} if isinstance(modality, str) else modality
    for key, uid, path, study_label, series_modality, description in rows:
        if key not in labels or (modalities is not None and series_modality not in modalities):
            continue
        if series is not None and not series(description):
            continue
        if key not in patient_level and study_label != labels[key]:
            continue
        uids, paths = images.setdefault(key, ([], []))
        uids.append(uid)
        paths.append(Path(path))
    return [
        PatientImages(key, labels[key], splits[key], tuple(uids), tuple(paths))
        for key, (uids, paths) in images.items()
        if key in splits and (split is None or splits[key] == split)
    ]
