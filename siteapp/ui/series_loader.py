"""Load a series into one volume for the viewer (run in a worker).

Frames of every instance are stacked in viewing order (slice position, then instance
number); a multi-frame instance contributes all its frames. ``frame_paths[i]`` is the file
of frame ``i``, so the tag panel can show the header of the image on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from siteapp.dicom.index import StudyIndex
from siteapp.dicom.pixels import read_frames
from siteapp.errors import UserFacingError


@dataclass
class LoadedSeries:
    series_uid: str
    modality: str
    volume: np.ndarray
    frame_paths: list[Path]
    skipped: list[str] = field(default_factory=list)


def load_series(
    data_dir: Path,
    series_uid: str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    modality: str = "",
) -> LoadedSeries | None:
    """Decode every image of ``series_uid``; None when cancelled.

    Images whose size differs from the first one, or that cannot be decoded, are left
    out and named in ``skipped`` with the reason.
    """
    with StudyIndex(data_dir) as index:
        instances = index.instances(series_uid)
    if not instances:
        raise UserFacingError(
            "this series has no images in the index; import its files again from the Studies page"
        )
    frames: list[np.ndarray] = []
    paths: list[Path] = []
    skipped: list[str] = []
    shape: tuple[int, int] | None = None
    for done, instance in enumerate(instances, start=1):
        if cancelled is not None and cancelled():
            return None
        try:
            data = read_frames(instance.file_path)
        except UserFacingError as exc:
            skipped.append(str(exc))
            continue
        if shape is None:
            shape = (int(data.shape[1]), int(data.shape[2]))
        if data.shape[1:] != shape:
            skipped.append(f"{instance.file_path}: {data.shape[1]}x{data.shape[2]} pixels, "
                           f"the rest of the series is {shape[0]}x{shape[1]}")
            continue
        frames.extend(data)
        paths.extend([instance.file_path] * data.shape[0])
        if progress is not None:
            progress(done, len(instances))
    if not modality:
        modality = _modality_of(paths[0]) if paths else ""
    if not frames:
        raise UserFacingError(
            "no image of this series could be decoded: " + "; ".join(skipped[:3])
        )
    return LoadedSeries(series_uid, modality, np.stack(frames), paths, skipped)


def _modality_of(path: Path) -> str:
    import pydicom

    dataset = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["Modality"], force=True)
    return str(dataset.get("Modality", ""))
