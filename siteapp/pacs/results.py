"""Inference results as DICOM objects a PACS and its viewers understand (via highdicom).

For each predicted study: a Comprehensive SR in the study (predicted class, probability,
model, round, task, and the image it looked at) and the saliency overlay as a Secondary
Capture image, both inheriting the study's patient and study attributes from one of its
source images so the PACS files them with the study. Segmentation results would be a
DICOM SEG; MedFed's tasks are classifications, so there is none yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import highdicom as hd
import numpy as np
import pydicom
from highdicom.sr import (
    CodeContentItem,
    CodedConcept,
    ContainerContentItem,
    ContentSequence,
    ImageContentItem,
    NumContentItem,
    RelationshipTypeValues,
    TextContentItem,
)
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from siteapp.errors import UserFacingError
from siteapp.pacs.received import safe_name

if TYPE_CHECKING:
    from siteapp.training.inference import InferenceReport

MANUFACTURER = "MedFed"
SR_SERIES_NUMBER = 9001
SC_SERIES_NUMBER = 9002
#: MedFed's own codes (a "99" scheme is private by the standard's convention).
CODING_SCHEME = "99MEDFED"
DISCLAIMER = (
    "Decision support from a federated model; not a diagnosis. "
    "Review the images before acting on it."
)

_REPORT_TITLE = CodedConcept("18748-4", "LN", "Diagnostic imaging report")
_FINDING = CodedConcept("121071", "DCM", "Finding")
_ALGORITHM_NAME = CodedConcept("111001", "DCM", "Algorithm Name")
_ALGORITHM_VERSION = CodedConcept("111003", "DCM", "Algorithm Version")
_COMMENT = CodedConcept("121106", "DCM", "Comment")
_TASK = CodedConcept("task", CODING_SCHEME, "MedFed task")
_SOURCE_IMAGE = CodedConcept("121112", "DCM", "Source of Measurement")
_NO_UNITS = CodedConcept("1", "UCUM", "no units")


class ResultsExportError(UserFacingError):
    """A result could not be written as DICOM; the message says which and why."""


@dataclass(frozen=True)
class StudyResult:
    """What one study's DICOM results say (taken from an inference report)."""

    study_uid: str
    predicted_class: str
    probability: float
    probability_of: str
    model_name: str
    model_round: int
    task: str
    saliency_png: Path | None


def study_results(report: InferenceReport) -> list[StudyResult]:
    """One :class:`StudyResult` per study of an inference report (the probability is the
    predicted class's, whatever the number of classes)."""
    results = []
    for study in report.studies:
        png = Path(study.saliency_png) if study.saliency_png else None
        results.append(StudyResult(
            study.study_uid, study.predicted_class, float(study.probability),
            study.predicted_class, report.model_name, int(study.model_round), report.task, png,
        ))
    return results


def reference_images(paths: Iterable[Path], study_uids: set[str]) -> dict[str, Path]:
    """One readable image file per study in ``study_uids``, found among ``paths``
    (files or folders): the source the results inherit patient and study from."""
    found: dict[str, Path] = {}
    for path in _files(paths):
        if len(found) == len(study_uids):
            break
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError):
            continue
        uid = str(ds.get("StudyInstanceUID", ""))
        if uid in study_uids and uid not in found and "Rows" in ds:
            found[uid] = Path(path)
    return found


def _files(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def structured_report(result: StudyResult, source: Dataset) -> Dataset:
    """The SR of one study's prediction, in ``source``'s study."""
    finding = CodedConcept(result.predicted_class[:16], CODING_SCHEME, result.predicted_class)
    items = [
        CodeContentItem(_FINDING, finding, relationship_type=RelationshipTypeValues.CONTAINS),
        NumContentItem(
            CodedConcept(f"p-{result.probability_of}"[:16], CODING_SCHEME,
                         f"Probability of {result.probability_of}"),
            round(result.probability, 6), _NO_UNITS,
            relationship_type=RelationshipTypeValues.CONTAINS,
        ),
        TextContentItem(_ALGORITHM_NAME, f"MedFed {result.model_name}",
                        RelationshipTypeValues.HAS_OBS_CONTEXT),
        TextContentItem(_ALGORITHM_VERSION, f"round {result.model_round}",
                        RelationshipTypeValues.HAS_OBS_CONTEXT),
        TextContentItem(_TASK, result.task, RelationshipTypeValues.HAS_OBS_CONTEXT),
        ImageContentItem(_SOURCE_IMAGE, str(source.SOPClassUID), str(source.SOPInstanceUID),
                         relationship_type=RelationshipTypeValues.CONTAINS),
        TextContentItem(_COMMENT, DISCLAIMER, RelationshipTypeValues.CONTAINS),
    ]
    root = ContainerContentItem(_REPORT_TITLE)
    root.ContentSequence = ContentSequence(items, is_root=False)
    sr = hd.sr.ComprehensiveSR(
        evidence=[source],
        content=root,
        series_instance_uid=hd.UID(),
        series_number=SR_SERIES_NUMBER,
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer=MANUFACTURER,
        series_description=f"MedFed result: {result.predicted_class}",
    )
    return sr


def saliency_capture(result: StudyResult, source: Dataset) -> Dataset | None:
    """The saliency overlay as a Secondary Capture image in ``source``'s study."""
    if result.saliency_png is None or not result.saliency_png.is_file():
        return None
    from PIL import Image

    with Image.open(result.saliency_png) as image:
        pixels = np.ascontiguousarray(np.asarray(image.convert("RGB")), dtype=np.uint8)
    capture = hd.sc.SCImage.from_ref_dataset(
        ref_dataset=source,
        pixel_array=pixels,
        photometric_interpretation=hd.PhotometricInterpretationValues.RGB,
        bits_allocated=8,
        coordinate_system=hd.CoordinateSystemNames.PATIENT,
        series_instance_uid=hd.UID(),
        series_number=SC_SERIES_NUMBER,
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer=MANUFACTURER,
        patient_orientation=("L", "P"),
        series_description="MedFed saliency (Grad-CAM)",
    )
    return capture


def write_study_results(
    results: Sequence[StudyResult], sources: dict[str, Path], out_dir: Path
) -> list[Path]:
    """Write each study's SR (and Secondary Capture) under ``out_dir/<study>/``; a study
    without a readable source image is an error that names it."""
    written: list[Path] = []
    for result in results:
        source_path = sources.get(result.study_uid)
        if source_path is None:
            raise ResultsExportError(
                f"no source image of study {result.study_uid} was found; the results need "
                "one to know the patient and study. Keep the study's files where they were"
            )
        source = pydicom.dcmread(source_path, stop_before_pixels=True)
        folder = Path(out_dir) / safe_name(result.study_uid)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            objects = [("sr", structured_report(result, source))]
            capture = saliency_capture(result, source)
            if capture is not None:
                objects.append(("saliency", capture))
            for kind, ds in objects:
                target = folder / f"{kind}-{ds.SOPInstanceUID}.dcm"
                ds.save_as(target, enforce_file_format=True)
                written.append(target)
        except OSError as exc:
            raise ResultsExportError(
                f"cannot write results to {folder}: {exc.strerror}; choose another folder"
            ) from exc
    return written

