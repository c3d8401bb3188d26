"""What training sees of the index: one record per labelled patient.

DP-SGD treats a patient as one record, so the unit here is the patient with all of
its images, never a single image. Splits are assigned (and stored) on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from pydicom.dataset import Dataset

from coordinator.task_definition import ImageAttributes
from siteapp.dicom.config import SPLIT_TRAIN, SPLIT_VAL
from siteapp.dicom.schema import open_dicom_db
from siteapp.dicom.splits import assign_splits, effective_labels, patient_splits
from siteapp.errors import UsageError


@dataclass(frozen=True)
class PatientImages:
    """A labelled patient's images, in study/series/slice order; ``series_uids`` and
    ``study_uids`` are each image's (a 3D task builds one volume per study from them)."""

    patient_key: str
    label: str
    split: str
    instance_uids: tuple[str, ...]
    paths: tuple[Path, ...]
    series_uids: tuple[str, ...] = ()
    study_uids: tuple[str, ...] = ()


def labelled_patients(
    data_dir: Path,
    split: str | None = None,
    modality: str | Collection[str] | None = None,
    series: Callable[[ImageAttributes], bool] | None = None,
) -> list[PatientImages]:
    """Labelled patients with at least one image, optionally of one split, of some
    modalities and whose images ``series`` accepts (a task's series filter).

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
            " se.series_uid, st.study_uid, se.description, i.image_type, i.view_position,"
            " i.laterality, i.convolution_kernel, i.slice_thickness"
            " FROM instances i JOIN series se USING (series_uid) JOIN studies st USING (study_uid)"
            " LEFT JOIN study_labels l USING (study_uid)"
            " ORDER BY st.patient_key, st.study_date, st.study_uid, se.series_number,"
            " se.series_uid, i.slice_position IS NULL, i.slice_position, i.instance_number,"
            " i.sop_instance_uid"
        ).fetchall()
    finally:
        conn.close()
    images: dict[str, tuple[list[str], list[Path], list[str], list[str]]] = {}
    modalities = {modality} if isinstance(modality, str) else modality
    for key, uid, path, study_label, series_modality, series_uid, study_uid, *filtered in rows:
        if key not in labels or (modalities is not None and series_modality not in modalities):
            continue
        if series is not None and not series(image_attributes(*filtered)):
            continue
        if key not in patient_level and study_label != labels[key]:
            continue
        uids, paths, series_uids, study_uids = images.setdefault(key, ([], [], [], []))
        uids.append(uid)
        paths.append(Path(path))
        series_uids.append(series_uid)
        study_uids.append(study_uid)
    return [
        PatientImages(key, labels[key], splits[key], tuple(uids), tuple(paths),
                      tuple(series_uids), tuple(study_uids))
        for key, (uids, paths, series_uids, study_uids) in images.items()
        if key in splits and (split is None or splits[key] == split)
    ]


def image_attributes(
    description: str, image_type: str, view_position: str, laterality: str,
    convolution_kernel: str, slice_thickness: float | None,
) -> ImageAttributes:
    """An indexed image's attributes as a series filter reads them."""
    return ImageAttributes(
        series_description=description or "",
        image_type=tuple(v for v in (image_type or "").split("\\") if v),
        view_position=view_position or "",
        laterality=laterality or "",
        convolution_kernel=convolution_kernel or "",
        slice_thickness_mm=slice_thickness,
    )


def _values(value: object) -> tuple[str, ...]:
    """A DICOM value of multiplicity 1-n as its strings."""
    if value is None or value == "":
        return ()
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        return (str(value),)
    return tuple(str(v) for v in value)


def dataset_attributes(ds: Dataset) -> ImageAttributes:
    """A DICOM dataset's attributes as a series filter reads them (files outside the
    index: inference, the public pretraining cohort)."""
    thickness = ds.get("SliceThickness")
    laterality = _values(ds.get("ImageLaterality")) or _values(ds.get("Laterality"))
    return ImageAttributes(
        series_description="\\".join(_values(ds.get("SeriesDescription"))),
        image_type=tuple(v.upper() for v in _values(ds.get("ImageType"))),
        view_position="\\".join(_values(ds.get("ViewPosition"))).upper(),
        laterality="\\".join(laterality).upper(),
        convolution_kernel="\\".join(_values(ds.get("ConvolutionKernel"))),
        slice_thickness_mm=float(thickness) if thickness not in (None, "") else None,
    )
