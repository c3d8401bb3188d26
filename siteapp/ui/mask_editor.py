"""The mask being drawn on a series in the viewer: labels, brush strokes, undo, colours.

Plain numpy, no Qt: the viewer page turns mouse gestures into :meth:`MaskEditor.stroke_to`
calls and shows :meth:`MaskEditor.rgba`; tests drive it without a display. Label ``k``
is ``segments[k - 1]`` as in :class:`siteapp.dicom.masks.SeriesMask`. What gets saved
covers the images the loaded mask covered plus every image touched by a stroke, so
drawing on one slice does not declare the untouched slices lesion-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from siteapp.dicom.masks import SeriesMask

#: RGB of segment 1, 2, ... (cycled): distinct on grey images, red first for a lesion.
SEGMENT_COLOURS: tuple[tuple[int, int, int], ...] = (
    (230, 40, 40), (40, 200, 80), (60, 120, 255), (250, 200, 30),
    (220, 60, 220), (30, 210, 220), (255, 130, 30), (150, 90, 255),
)
#: Alpha of a painted pixel (0-255): the image stays readable under the mask.
MASK_ALPHA = 110
#: Strokes kept for undo (each keeps one slice as it was before the stroke).
UNDO_DEPTH = 50
BRUSH_RADIUS_RANGE = (1, 40)
DEFAULT_BRUSH_RADIUS = 4


def label_rgba(labels: np.ndarray) -> np.ndarray:
    """An RGBA image (rows, cols, 4) colouring each label of ``labels`` (0 transparent)."""
    palette = np.zeros((256, 4), dtype=np.uint8)
    for value in range(1, 256):
        palette[value, :3] = SEGMENT_COLOURS[(value - 1) % len(SEGMENT_COLOURS)]
        palette[value, 3] = MASK_ALPHA
    return palette[labels]


@dataclass
class _Undo:
    index: int
    before: np.ndarray
    was_covered: bool


class MaskEditor:
    """Labels of every frame of one series, edited with a round brush."""

    def __init__(
        self, frame_uids: Sequence[str], shape: tuple[int, int], mask: SeriesMask | None = None
    ) -> None:
        self.frame_uids = list(frame_uids)
        self.labels = np.zeros((len(self.frame_uids), *shape), dtype=np.uint8)
        self.segments: list[str] = list(mask.segments) if mask is not None else []
        self.source = mask.source if mask is not None else None
        self.covered: set[int] = set()
        if mask is not None:
            for index, uid in enumerate(self.frame_uids):
                frame = mask.frames.get(uid)
                if frame is not None and frame.shape == shape:
                    self.labels[index] = frame
                    self.covered.add(index)
        self.dirty = False
        self._undo: list[_Undo] = []
        self._last: tuple[float, float] | None = None

    # -- segments ---------------------------------------------------------------------
    def label_of(self, segment: str) -> int:
        """The label value of ``segment``, adding it as a new segment when unknown."""
        name = segment.strip()
        if not name:
            raise ValueError("a segment needs a name")
        if name not in self.segments:
            if len(self.segments) >= 255:
                raise ValueError("a mask holds at most 255 segments")
            self.segments.append(name)
        return self.segments.index(name) + 1

    # -- strokes ----------------------------------------------------------------------
    def begin_stroke(self, index: int, x: float, y: float, radius: int, value: int) -> None:
        """Start a stroke on frame ``index`` at image point (x, y) (pixel ``(row, col)``
        spans ``[col, col+1) x [row, row+1)``, as the viewer draws it); ``value`` 0 erases. The frame as it was is kept for :meth:`undo`."""
        self._undo.append(_Undo(index, self.labels[index].copy(), index in self.covered))
        del self._undo[:-UNDO_DEPTH]
        self._last = None
        self.stroke_to(index, x, y, radius, value)

    def stroke_to(self, index: int, x: float, y: float, radius: int, value: int) -> None:
        """Continue the stroke to (x, y), painting the line from the last point."""
        start = self._last or (x, y)
        length = float(np.hypot(x - start[0], y - start[1]))
        steps = max(1, int(np.ceil(length / max(1.0, radius / 2))))
        for t in np.linspace(0.0, 1.0, steps + 1):
            self._dab(index, start[0] + (x - start[0]) * t, start[1] + (y - start[1]) * t,
                      radius, value)
        self._last = (x, y)
        self.covered.add(index)
        self.dirty = True

    def end_stroke(self) -> None:
        self._last = None

    def _dab(self, index: int, x: float, y: float, radius: int, value: int) -> None:
        rows, cols = self.labels.shape[1:]
        cx, cy = int(np.floor(x)), int(np.floor(y))  # the pixel under the point
        top, bottom = max(0, cy - radius), min(rows, cy + radius + 1)
        left, right = max(0, cx - radius), min(cols, cx + radius + 1)
        if top >= bottom or left >= right:
            return
        yy, xx = np.ogrid[top:bottom, left:right]
        disk = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius * radius
        self.labels[index, top:bottom, left:right][disk] = value

    def undo(self) -> int | None:
        """Take back the last stroke; returns the frame it changed (None: nothing to undo)."""
        if not self._undo:
            return None
        step = self._undo.pop()
        self.labels[step.index] = step.before
        if not step.was_covered:
            self.covered.discard(step.index)
        self.dirty = True
        return step.index

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    # -- results ----------------------------------------------------------------------
    def frames(self) -> dict[str, np.ndarray]:
        """The covered frames by SOPInstanceUID, as :func:`siteapp.dicom.masks.save_mask`
        takes them."""
        return {self.frame_uids[i]: self.labels[i].copy() for i in sorted(self.covered)}

    def rgba(self, index: int) -> np.ndarray:
        return label_rgba(self.labels[index])

    def mark_saved(self, source: str) -> None:
        self.dirty = False
        self.source = source
