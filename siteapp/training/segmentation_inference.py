"""Running a segmentation model on new DICOM files: a predicted mask per series, exported
as DICOM SEG that other viewers open, and an overlay picture.

Images are grouped by series (a SEG refers to one series' images), each is windowed and
resampled to the task's grid exactly as in training, labelled pixel by pixel, and the
labels are carried back onto the image's own pixels
(:func:`siteapp.training.segmentation_data.labels_on_image_grid`). The SEG is written
with highdicom (:func:`siteapp.dicom.masks.segmentations`, source ``predicted``: its
segments say AUTOMATIC) under ``<data_dir>/segmentations/<series>/``; it is never stored
as one of the site's masks, since a prediction is not ground truth. Files that cannot be
read are reported with the reason, never fatal for the other files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from siteapp.dicom.config import SOURCE_PREDICTED
from siteapp.training.checkpoints import Checkpoint, inference_checkpoint
from siteapp.training.config import INFERENCE, InferenceDefaults
from siteapp.training.inference import NoImagesError, _candidate_files, load_checkpoint_model
from siteapp.training.segmentation_data import labels_on_image_grid
from siteapp.training.segmentation_metrics import predict_labels

SEGMENTATIONS_DIRNAME = "segmentations"
# The overlay's colour per region (RGB), cycled.
REGION_COLOURS = ((255, 64, 64), (64, 200, 255), (255, 200, 0), (120, 255, 120))


@dataclass(frozen=True)
class SeriesSegmentation:
    series_uid: str
    study_uid: str
    patient_id: str
    images: int
    region_pixels: dict[str, int]  # pixels of each region over the series, image grid
    seg_paths: list[str]  # the DICOM SEG file(s) written
    overlay_png: str  # the image with the most predicted region, mask blended over it
    model_round: int


@dataclass
class SegmentationReport:
    model_path: str
    model_name: str
    task: str
    model_round: int
    regions: list[str] = field(default_factory=list)
    series: list[SeriesSegmentation] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def segment_paths(
    data_dir: Path, paths: Sequence[Path], checkpoint: Checkpoint | None = None,
    settings: InferenceDefaults = INFERENCE,
) -> SegmentationReport:
    """Segment every series found in ``paths`` (files or folders) with ``checkpoint``
    (default: the model pinned for inference, else the newest federated one)."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    from siteapp.dicom.pixels import PixelDecodeError, preprocess

    data_dir = Path(data_dir)
    checkpoint = checkpoint or inference_checkpoint(data_dir)
    model, task = load_checkpoint_model(checkpoint, data_dir)
    report = SegmentationReport(str(checkpoint.path), checkpoint.model_name, task.name,
                                checkpoint.round, regions=list(task.regions))
    by_series: dict[str, list[tuple[pydicom.Dataset, Path]]] = defaultdict(list)
    for path in _candidate_files(paths):
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError) as exc:
            report.skipped.append({"path": str(path), "reason": f"not a readable DICOM file ({exc})"})
            continue
        if "Rows" not in ds or str(ds.get("Modality", "")) not in task.modality:
            report.skipped.append({"path": str(path), "reason": (
                f"not a {'/'.join(task.modality)} image, which task {task.name} segments")})
            continue
        by_series[str(ds.get("SeriesInstanceUID", ""))].append((ds, path))
    for members in (by_series[uid] for uid in sorted(by_series)):
        members.sort(key=lambda m: (int(m[0].get("InstanceNumber", 0) or 0), str(m[1])))
        images, headers, labels = [], [], []
        for header, image_path in members:
            try:
                images.append(preprocess(image_path, task))
            except (PixelDecodeError, OSError, ValueError) as exc:
                report.skipped.append({"path": str(image_path), "reason": f"cannot decode it ({exc})"})
                continue
            headers.append(header)
        if not headers:
            continue
        batch = torch.from_numpy(np.stack(images)).unsqueeze(1)
        grid_labels = predict_labels(model, batch)
        for header, grid in zip(headers, grid_labels, strict=True):
            spacing = header.get("PixelSpacing") or header.get("ImagerPixelSpacing")
            mm = (float(spacing[0]), float(spacing[1])) if spacing else None
            labels.append(labels_on_image_grid(grid, (int(header.Rows), int(header.Columns)), mm,
                                               task.pixel_spacing_mm))
        report.series.append(_export(data_dir, task.regions, headers, labels, images, grid_labels,
                                     checkpoint.round, settings))
    if not report.series:
        reasons = "; ".join(f"{s['path']}: {s['reason']}" for s in report.skipped[:3])
        raise NoImagesError(f"no image to segment in the given paths ({reasons or 'no files found'}); "
                            "check the paths")
    return report


def _export(
    data_dir: Path, regions: Sequence[str], headers: list, labels: list[np.ndarray],
    images: list[np.ndarray], grid_labels: np.ndarray, model_round: int,
    settings: InferenceDefaults,
) -> SeriesSegmentation:
    from siteapp.dicom.masks import segmentations

    first = headers[0]
    series_uid = str(first.get("SeriesInstanceUID", ""))
    folder = data_dir / SEGMENTATIONS_DIRNAME / _safe(series_uid)
    folder.mkdir(parents=True, exist_ok=True)
    stack = np.empty(len(labels), dtype=object)
    stack[:] = labels
    written = []
    for _, seg in segmentations(headers, stack, list(regions), SOURCE_PREDICTED):
        path = folder / f"{seg.SOPInstanceUID}.dcm"
        seg.save_as(path, enforce_file_format=True)
        written.append(str(path))
    focus = int(np.argmax([(g > 0).sum() for g in grid_labels]))
    overlay = write_mask_overlay(images[focus], grid_labels[focus], folder / "overlay.png", settings)
    pixels = {name: int(sum((lab == k).sum() for lab in labels))
              for k, name in enumerate(regions, start=1)}
    return SeriesSegmentation(series_uid, str(first.get("StudyInstanceUID", "")),
                              str(first.get("PatientID", "")), len(labels), pixels, written,
                              str(overlay), model_round)


def mask_colours(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(H, W, 3)`` colours of a label map's regions and the ``(H, W)`` mask of where any is."""
    colours = np.zeros((*labels.shape, 3), dtype=np.float32)
    for k in range(1, int(labels.max(initial=0)) + 1):
        colours[labels == k] = REGION_COLOURS[(k - 1) % len(REGION_COLOURS)]
    return colours, labels > 0


def write_mask_overlay(
    image: np.ndarray, labels: np.ndarray, path: Path, settings: InferenceDefaults = INFERENCE
) -> Path:
    """The grayscale ``image`` (``(H, W)`` in [0, 1]) with ``labels`` blended over it, a PNG."""
    from PIL import Image

    gray = (np.clip(image, 0, 1) * 255).astype(np.float32)
    base = np.stack([gray] * 3, axis=-1)
    colours, where = mask_colours(labels)
    alpha = settings.overlay_alpha * where[..., None]
    blended = (base * (1 - alpha) + colours * alpha).astype(np.uint8)
    picture = Image.fromarray(blended, mode="RGB").resize(
        (settings.overlay_size, settings.overlay_size), Image.Resampling.NEAREST
    )
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.png")
    picture.save(tmp, format="PNG")
    tmp.replace(path)
    return path


def _safe(uid: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "_" for c in uid) or "no-series-uid"
