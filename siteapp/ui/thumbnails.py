"""Series thumbnails: the middle image of a series, windowed and shrunk.

``thumbnail_array`` is plain numpy (run it in a worker); ``to_pixmap`` turns the result
into a QPixmap on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage, QPixmap

from siteapp.dicom.pixels import WINDOW_PRESETS, read_frames, window
from siteapp.ui.ui_settings import DEFAULT_WINDOW_BY_MODALITY


def thumbnail_array(path: Path, modality: str, size: int) -> np.ndarray:
    """A ``uint8`` greyscale thumbnail at most ``size`` pixels on its longer side."""
    frames = read_frames(path)
    frame = frames[frames.shape[0] // 2]
    preset = DEFAULT_WINDOW_BY_MODALITY.get(modality.upper(), "auto")
    if preset != "auto" and preset not in WINDOW_PRESETS:
        preset = "auto"
    grey = window(frame, preset)
    step = max(1, int(np.ceil(max(grey.shape) / size)))
    rows, cols = grey.shape[0] // step * step, grey.shape[1] // step * step
    if step > 1:
        grey = grey[:rows, :cols].reshape(rows // step, step, cols // step, step).mean(axis=(1, 3))
    return np.ascontiguousarray(np.round(grey * 255.0).astype(np.uint8))


def to_pixmap(array: np.ndarray) -> QPixmap:
    """A QPixmap of a ``uint8`` greyscale array (copied, so the array may be freed)."""
    rows, cols = array.shape
    image = QImage(array.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy())
