"""Running a site's model on new DICOM files: one prediction per study, with Grad-CAM.

Files are grouped by StudyInstanceUID; each study's images (an evenly spaced subset when
there are many) are scored and their class probabilities aggregated the same way
validation aggregates a patient's images. The saliency overlay explains one class (the
predicted one unless the caller chooses another) on the study's image most typical of
it. Files that cannot be read are reported with the reason, never
fatal for the other files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from siteapp.errors import UserFacingError
from siteapp.tasks import TaskDefinition
from siteapp.training.checkpoints import Checkpoint, checkpoint_task, inference_checkpoint
from siteapp.training.config import EVALUATION, INFERENCE, EvaluationDefaults, InferenceDefaults
from siteapp.training.evaluation import class_probabilities
from siteapp.training.metrics import aggregate_vectors_by_patient
from siteapp.training.models import ZooModel, build_model
from siteapp.training.saliency import grad_cam, write_overlay
from siteapp.training.weights import load_state, load_weights


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
    task = checkpoint_task(checkpoint, data_dir)
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


def _group_by_study(
    files: Sequence[Path], skipped: list[dict[str, str]]
) -> dict[str, list[tuple[int, Path, str]]]:
    import pydicom
    from pydicom.errors import InvalidDicomError

    studies: dict[str, list[tuple[int, Path, str]]] = defaultdict(list)
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
        study = str(ds.get("StudyInstanceUID", "")) or f"no-study-uid:{path.parent}"
        number = int(ds.get("InstanceNumber", 0) or 0)
        studies[study].append((number, path, str(ds.get("PatientID", ""))))
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
    from siteapp.dicom.pixels import preprocess

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
    studies = _group_by_study(_candidate_files(paths), report.skipped)
    for study_uid, members in sorted(studies.items()):
        members.sort(key=lambda m: (m[0], str(m[1])))
        if len(members) > settings.max_images_per_study:
            picks = (
                np.linspace(0, len(members) - 1, settings.max_images_per_study).round().astype(int)
            )
            members = [members[i] for i in sorted(set(picks.tolist()))]
        images: list[np.ndarray] = []
        for _, path, _ in members:
            try:
                images.append(preprocess(path, task))
            except UserFacingError as exc:
                report.skipped.append({"path": str(path), "reason": str(exc)})
        if not images:
            continue
        batch = torch.from_numpy(np.stack(images)).unsqueeze(1)
        per_image = class_probabilities(model, batch)
        vector = aggregate_vectors_by_patient(
            [study_uid] * len(per_image), per_image, evaluation.patient_aggregation
        )[study_uid]
        predicted = _predicted_class(task, vector, evaluation.operating_threshold)
        explained = saliency_class or predicted
        focus = int(np.argmax(per_image[:, task.class_index(explained)]))
        cam = grad_cam(model, batch[focus], task.class_index(explained))
        overlay = write_overlay(
            images[focus],
            cam,
            data_dir / settings.saliency_dirname / _overlay_name(study_uid),
            settings,
        )
        report.studies.append(
            StudyPrediction(
                study_uid,
                members[0][2],
                len(images),
                predicted,
                float(vector[task.class_index(predicted)]),
                checkpoint.round,
                str(overlay),
                {name: float(vector[k]) for k, name in enumerate(task.classes)},
                explained,
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


def _predicted_class(task: TaskDefinition, probabilities: np.ndarray, threshold: float) -> str:
    """A binary task's positive class from ``threshold`` on, else the most probable class
    (the rule validation uses, ``siteapp.training.metrics.classification_metrics``)."""
    if task.is_binary and task.positive_class is not None:
        positive = task.class_index(task.positive_class)
        negative = task.classes[1 - positive]
        return task.positive_class if probabilities[positive] >= threshold else negative
    return task.classes[int(np.argmax(probabilities))]
