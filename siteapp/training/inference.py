"""Running a site's model on new DICOM files: one prediction per study, with Grad-CAM.

Files are grouped by StudyInstanceUID, leaving out those the task's series filter does
not accept; for a 2D task each study's images (an evenly spaced subset when there are
many) are scored and their class probabilities aggregated the same way validation
aggregates a patient's images, for a 3D task the study becomes one volume as in
training (:mod:`siteapp.training.volumes`). The saliency overlay explains one class (the
predicted one unless the caller chooses another) on the study's image most typical of
it. Files that cannot be read are reported with the reason, never
fatal for the other files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from coordinator.task_definition import InputKind
from siteapp.errors import UserFacingError
from siteapp.tasks import TaskDefinition
from siteapp.training.checkpoints import Checkpoint, checkpoint_task, inference_checkpoint
from siteapp.training.config import EVALUATION, INFERENCE, EvaluationDefaults, InferenceDefaults
from siteapp.training.evaluation import class_probabilities
from siteapp.training.metrics import aggregate_vectors_by_patient
from siteapp.training.models import ZooModel, build_model
from siteapp.training.saliency import grad_cam, plain_picture_path, salient_plane, write_overlay
from siteapp.training.weights import load_state, load_weights

if TYPE_CHECKING:
    from siteapp.training.segmentation_inference import SegmentationReport


class NoImagesError(UserFacingError):
    """None of the given paths held a readable DICOM image."""


@dataclass(frozen=True)
class StudyPrediction:
    study_uid: str
    patient_id: str
    images: int
    predicted_class: str
    probability: float  # of the predicted class
    model_round: int
    saliency_png: str
    probabilities: dict[str, float] = field(default_factory=dict)  # every class's
    saliency_class: str = ""  # the class the overlay explains
    study_date: str = ""  # DICOM StudyDate (YYYYMMDD), so staff can tell studies apart
    study_description: str = ""
    # Which picture the overlay is drawn on: (1-based position, out of how many). For a
    # series, the image with the most evidence for the explained class; for a volume,
    # the plane with the most saliency.
    saliency_position: tuple[int, int] = (1, 1)
    plain_png: str = ""  # the same picture without the heat map (the page fades between them)


@dataclass
class InferenceReport:
    model_path: str
    model_name: str
    task: str
    model_round: int
    classes: list[str] = field(default_factory=list)
    studies: list[StudyPrediction] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def load_checkpoint_model(
    checkpoint: Checkpoint, data_dir: Path | None = None
) -> tuple[ZooModel, TaskDefinition]:
    """The checkpoint's model, ready to predict, and its task ready to window images:
    with the federation's windows the checkpoint pinned, else (a 'site' scope, or a
    checkpoint saved before the windows travelled with the model) the windows kept in
    ``data_dir`` now."""
    from siteapp.statistics.windows import task_with_windows

    task = checkpoint_task(checkpoint, data_dir)
    if data_dir is not None:
        task = task_with_windows(task, data_dir)  # keeps pinned windows as they are
    model = build_model(checkpoint.model_name, task)
    load_state(model, load_weights(checkpoint.path), strict=True)
    model.eval()
    return model, task


def _candidate_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            files.append(path)
    return files


@dataclass(frozen=True)
class _Member:
    """One image file of a study to predict."""

    number: int
    path: Path
    patient_id: str
    series_uid: str
    study_date: str = ""
    study_description: str = ""


def _group_by_study(
    files: Sequence[Path], skipped: list[dict[str, str]], task: TaskDefinition
) -> dict[str, list[_Member]]:
    """Readable image files by study; those the task's series filter leaves out are
    listed in ``skipped`` with the filter in words."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    from siteapp.dicom.dataset_source import dataset_attributes

    studies: dict[str, list[_Member]] = defaultdict(list)
    for path in files:
        if not path.exists():
            skipped.append({"path": str(path), "reason": "file does not exist"})
            continue
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError) as exc:
            skipped.append({"path": str(path), "reason": f"not a readable DICOM file ({exc})"})
            continue
        if "PixelData" not in ds and "Rows" not in ds:
            skipped.append({"path": str(path), "reason": "DICOM file without an image"})
            continue
        if not task.series_filter.accepts(dataset_attributes(ds)):
            skipped.append({
                "path": str(path),
                "reason": f"left out by the task's series filter ({task.series_filter.describe()})",
            })
            continue
        study = str(ds.get("StudyInstanceUID", "")) or f"no-study-uid:{path.parent}"
        number = int(ds.get("InstanceNumber", 0) or 0)
        studies[study].append(
            _Member(number, path, str(ds.get("PatientID", "")), str(ds.get("SeriesInstanceUID", "")),
                    str(ds.get("StudyDate", "")), str(ds.get("StudyDescription", "")))
        )
    return studies


def _overlay_name(study_uid: str) -> str:
    safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in study_uid)
    return f"{safe}.png"


def predict_paths(
    data_dir: Path,
    paths: Sequence[Path],
    checkpoint: Checkpoint | None = None,
    settings: InferenceDefaults = INFERENCE,
    evaluation: EvaluationDefaults = EVALUATION,
    saliency_class: str | None = None,
) -> InferenceReport:
    """Predict every study found in ``paths`` (files or folders) with ``checkpoint``
    (default: the model pinned for inference, else the newest federated one); the
    overlays explain ``saliency_class`` (default: each study's predicted class)."""
    data_dir = Path(data_dir)
    checkpoint = checkpoint or inference_checkpoint(data_dir)
    model, task = load_checkpoint_model(checkpoint, data_dir)
    if saliency_class is not None and saliency_class not in task.classes:
        raise UserFacingError(
            f"class '{saliency_class}' is not one of the model's classes ({', '.join(task.classes)})"
        )
    report = InferenceReport(
        str(checkpoint.path), checkpoint.model_name, task.name, checkpoint.round,
        classes=list(task.classes),
    )
    studies = _group_by_study(_candidate_files(paths), report.skipped, task)
    score = _score_volume if task.input.kind is InputKind.VOLUME_3D else _score_images
    for study_uid, members in sorted(studies.items()):
        members.sort(key=lambda m: (m.number, str(m.path)))
        scored = score(model, task, members, settings, report.skipped)
        if scored is None:
            continue
        batch, per_input, pictures, used = scored
        vector = aggregate_vectors_by_patient(
            [study_uid] * len(per_input), per_input, evaluation.patient_aggregation
        )[study_uid]
        predicted = _predicted_class(task, vector, evaluation.operating_threshold)
        explained = saliency_class or predicted
        focus = int(np.argmax(per_input[:, task.class_index(explained)]))
        cam = grad_cam(model, batch[focus], task.class_index(explained))
        picture = pictures[focus]
        position = (focus + 1, len(per_input))
        if cam.ndim == 3:  # a volume: show the plane with the most evidence
            plane = salient_plane(cam)
            position = (plane + 1, cam.shape[0])
            cam, picture = cam[plane], picture[plane]
        overlay = write_overlay(
            picture, cam, data_dir / settings.saliency_dirname / _overlay_name(study_uid), settings,
        )
        report.studies.append(
            StudyPrediction(
                study_uid,
                members[0].patient_id,
                used,
                predicted,
                float(vector[task.class_index(predicted)]),
                checkpoint.round,
                str(overlay),
                {name: float(vector[k]) for k, name in enumerate(task.classes)},
                explained,
                members[0].study_date,
                members[0].study_description,
                position,
                str(plain_picture_path(overlay)),
            )
        )
    if not report.studies:
        reasons = (
            "; ".join(f"{s['path']}: {s['reason']}" for s in report.skipped[:3]) or "no files found"
        )
        raise NoImagesError(
            f"no readable DICOM image in the given paths ({reasons}); check the paths"
        )
    return report


Scored = tuple[torch.Tensor, np.ndarray, list[np.ndarray], int]


def _score_images(
    model: ZooModel, task: TaskDefinition, members: list[_Member], settings: InferenceDefaults,
    skipped: list[dict[str, str]],
) -> Scored | None:
    """A 2D task: each image of the study (an evenly spaced subset when there are many)
    scored on its own. Returns the batch, the class probabilities per image, the images
    and how many there are; None when none could be read."""
    from siteapp.dicom.pixels import preprocess

    if len(members) > settings.max_images_per_study:
        picks = np.linspace(0, len(members) - 1, settings.max_images_per_study).round().astype(int)
        members = [members[i] for i in sorted(set(picks.tolist()))]
    images: list[np.ndarray] = []
    for member in members:
        try:
            images.append(preprocess(member.path, task))
        except UserFacingError as exc:
            skipped.append({"path": str(member.path), "reason": str(exc)})
    if not images:
        return None
    batch = torch.from_numpy(np.stack(images)).unsqueeze(1)
    return batch, class_probabilities(model, batch), images, len(images)


def _score_volume(
    model: ZooModel, task: TaskDefinition, members: list[_Member], settings: InferenceDefaults,
    skipped: list[dict[str, str]],
) -> Scored | None:
    """A 3D task: the study's largest series (as training chooses) resampled to the
    task's volume and scored once."""
    import pydicom

    from siteapp.dicom.pixels import preprocess
    from siteapp.training.volumes import resample_along_slices, slice_position_mm

    by_series: dict[str, list[_Member]] = defaultdict(list)
    for member in members:
        by_series[member.series_uid].append(member)
    slices: list[np.ndarray] = []
    positions: list[float] = []
    for member in max(by_series.values(), key=len):
        try:
            image = preprocess(member.path, task)
        except UserFacingError as exc:
            skipped.append({"path": str(member.path), "reason": str(exc)})
            continue
        slices.append(image)
        positions.append(slice_position_mm(pydicom.dcmread(member.path, stop_before_pixels=True)))
    depth, spacing = task.input.depth, task.input.slice_spacing_mm
    if not slices or depth is None or spacing is None:
        return None
    volume = resample_along_slices(slices, positions, depth, spacing)
    batch = torch.from_numpy(volume)[None, None]
    return batch, class_probabilities(model, batch), [volume], len(slices)


def _predicted_class(task: TaskDefinition, probabilities: np.ndarray, threshold: float) -> str:
    """A binary task's positive class from ``threshold`` on, else the most probable class
    (the rule validation uses, ``siteapp.training.metrics.classification_metrics``)."""
    if task.is_binary and task.positive_class is not None:
        positive = task.class_index(task.positive_class)
        negative = task.classes[1 - positive]
        return task.positive_class if probabilities[positive] >= threshold else negative
    return task.classes[int(np.argmax(probabilities))]


def predict_or_segment(
    data_dir: Path, paths: Sequence[Path], saliency_class: str | None = None
) -> InferenceReport | SegmentationReport:
    """What the site's inference model answers on ``paths``: :func:`predict_paths` for a
    classification model, the predicted masks of a segmentation model
    (:func:`siteapp.training.segmentation_inference.segment_paths`)."""
    checkpoint = inference_checkpoint(Path(data_dir))
    if checkpoint_task(checkpoint, Path(data_dir)).is_segmentation:
        from siteapp.training.segmentation_inference import segment_paths

        return segment_paths(data_dir, paths, checkpoint)
    return predict_paths(data_dir, paths, checkpoint, saliency_class=saliency_class)
