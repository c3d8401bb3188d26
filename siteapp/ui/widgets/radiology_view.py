"""A pyqtgraph view box with the mouse habits of a radiology workstation.

Left drag changes window/level (horizontal: width, vertical: centre), middle or right
drag pans, the wheel scrolls slices and Ctrl+wheel zooms. In paint mode (drawing a
mask) a left click or drag paints instead of windowing. The view box only reports
gestures; :class:`siteapp.ui.widgets.image_viewer.ImageViewer` decides what they mean.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal


class RadiologyViewBox(pg.ViewBox):
    window_dragged = Signal(float, float)
    slice_stepped = Signal(int)
    #: Image point (x, y) of a paint gesture, whether it starts and whether it ends it.
    painted = Signal(float, float, bool, bool)

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self.setBackgroundColor("k")
        self.paint_mode = False

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 (pyqtgraph override)
        if self.paint_mode and ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            point = self.mapToView(ev.pos())
            self.painted.emit(float(point.x()), float(point.y()), True, True)
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 (pyqtgraph override)
        button = ev.button()
        if self.paint_mode and button == Qt.MouseButton.LeftButton:
            ev.accept()
            point = self.mapToView(ev.buttonDownPos() if ev.isStart() else ev.pos())
            self.painted.emit(float(point.x()), float(point.y()), ev.isStart(), ev.isFinish())
        elif button == Qt.MouseButton.LeftButton:
            ev.accept()
            delta = ev.screenPos() - ev.lastScreenPos()
            self.window_dragged.emit(float(delta.x()), float(delta.y()))
        elif button in (Qt.MouseButton.MiddleButton, Qt.MouseButton.RightButton):
            ev.accept()
            shift = self.mapToView(ev.lastPos()) - self.mapToView(ev.pos())
            self.translateBy(t=shift)
        else:
            ev.ignore()

    def wheelEvent(self, ev, axis=None) -> None:  # noqa: N802 (pyqtgraph override)
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis)
            return
        ev.accept()
        delta = ev.delta()
        if delta:
            self.slice_stepped.emit(-1 if delta > 0 else 1)
