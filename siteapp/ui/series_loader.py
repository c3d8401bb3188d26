"""Load a series into one volume for the viewer (run in a worker).

Frames of every instance are stacked in viewing order (slice position, then instance
number); a multi-frame instance contributes all its frames. ``frame_paths[i]`` is the file
of frame ``i``, so the tag panel can show the header of the image on screen. Frames of
different sizes (a scout beside the axial images, say) are all shown, each centred on a
canvas of the largest size, rather than hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from siteapp.dicom.index import StudyIndex
from siteapp.dicom.orientation import EdgeLabels, edge_labels
from siteapp.dicom.pixels import read_display_frames
from siteapp.errors import UserFacingError
from siteapp.ui.logging_setup import get_logger

log = get_logger("viewer")


@dataclass(frozen=True)
class SeriesHeader:
    """What the viewer writes in the image corners and at its edges."""

    modality: str = ""
    patient_id: str = ""
    patient_name: str = ""
    study_date: str = ""
    series_description: str = ""
    edges: EdgeLabels | None = None


@dataclass
class LoadedSeries:
    series_uid: str
    modality: str
    volume: np.ndarray
    frame_paths: list[Path]
    skipped: list[str] = field(default_factory=list)
    header: SeriesHeader = field(default_factory=SeriesHeader)
    # SOPInstanceUID of each frame, and whether every frame filled the canvas (no
    # padding): masks are drawn only where frame i is exactly image frame_uids[i].
    frame_uids: list[str] = field(default_factory=list)
    same_size: bool = True

    @property
    def maskable(self) -> bool:
        """One single-frame image per frame, all the same size: a mask can be drawn."""
        return self.same_size and len(set(self.frame_uids)) == len(self.frame_uids) > 0


def load_series(
    data_dir: Path,
    series_uid: str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    modality: str = "",
) -> LoadedSeries | None:
    """Decode every image of ``series_uid``; None when cancelled.

    Images that cannot be decoded are left out and named in ``skipped`` with the reason
    (the decoder's own words go to the log). When none can be decoded the series cannot
    be shown, and the error says why in words.
    """
    with StudyIndex(data_dir) as index:
        instances = index.instances(series_uid)
    if not instances:
        raise UserFacingError(
            "this series has no images in the index; import its files again from the Studies page"
        )
    frames: list[np.ndarray] = []
    paths: list[Path] = []
    uids: list[str] = []
    skipped: list[str] = []
    for done, instance in enumerate(instances, start=1):
        if cancelled is not None and cancelled():
            return None
        try:
            data = read_display_frames(instance.file_path)
        except UserFacingError as exc:
            skipped.append(str(exc))
            log.warning("viewer skipped %s: %s (%s)", instance.file_path, exc,
                        getattr(exc, "detail", ""))
            continue
        frames.extend(data)
        paths.extend([instance.file_path] * data.shape[0])
        uids.extend([instance.sop_instance_uid] * data.shape[0])
        if progress is not None:
            progress(done, len(instances))
    if not frames:
        raise SeriesCannotBeShownError(len(instances), skipped)
    header = read_series_header(paths[0])
    modality = modality or header.modality
    same_size = len({frame.shape[:2] for frame in frames}) == 1
    return LoadedSeries(series_uid, modality, stack_on_common_canvas(frames), paths, skipped,
                        header, uids, same_size)


class SeriesCannotBeShownError(UserFacingError):
    """No image of a series could be decoded; the message says why, in words."""

    def __init__(self, image_count: int, reasons: list[str]) -> None:
        why = _reason_in_words(reasons[0]) if reasons else "its files could not be read"
        super().__init__(
            f"This series cannot be shown: none of its {image_count} image(s) could be "
            f"decoded ({why}). The other series are not affected; the details are in the "
            "log file (Help > Open log folder)."
        )


def _reason_in_words(reason: str) -> str:
    """The part of a per-file reason after the file name ("cannot decode the pixels of X: why")."""
    return reason.split(": ", 1)[1] if ": " in reason else reason


def stack_on_common_canvas(frames: list[np.ndarray]) -> np.ndarray:
    """Stack frames of any sizes as one (n, rows, cols[, 3]) volume, each centred.

    The canvas is the largest height by the largest width; the border around a smaller
    frame takes that frame's minimum, so it reads as background in any window. A series
    that mixes grey and colour frames is shown in colour (grey repeated on R, G and B).
    """
    if any(frame.ndim == 3 for frame in frames):
        frames = [frame if frame.ndim == 3 else np.repeat(frame[..., None], 3, axis=-1)
                  for frame in frames]
    rows = max(int(frame.shape[0]) for frame in frames)
    cols = max(int(frame.shape[1]) for frame in frames)
    if all(frame.shape[:2] == (rows, cols) for frame in frames):
        return np.stack(frames)
    volume = np.empty((len(frames), rows, cols, *frames[0].shape[2:]), dtype=np.float32)
    for index, frame in enumerate(frames):
        finite = frame[np.isfinite(frame)]
        volume[index] = float(finite.min()) if finite.size else 0.0
        top, left = (rows - frame.shape[0]) // 2, (cols - frame.shape[1]) // 2
        volume[index, top : top + frame.shape[0], left : left + frame.shape[1]] = frame
    return volume


def read_series_header(path: Path) -> SeriesHeader:
    """Corner text and edge letters from one image's header (no pixels read)."""
    import pydicom

    dataset = pydicom.dcmread(path, stop_before_pixels=True, force=True)

    def text(keyword: str) -> str:
        return str(dataset.get(keyword, "") or "")

    orientation = dataset.get("ImageOrientationPatient")
    letters = dataset.get("PatientOrientation")
    try:
        edges = edge_labels([float(v) for v in orientation] if orientation else None,
                            [str(v) for v in letters] if letters else None)
    except (TypeError, ValueError):
        edges = None
    return SeriesHeader(
        modality=text("Modality"), patient_id=text("PatientID"),
        patient_name=text("PatientName").replace("^", " ").strip(),
        study_date=text("StudyDate"), series_description=text("SeriesDescription"),
        edges=edges,
    )
