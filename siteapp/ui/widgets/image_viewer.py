"""The image viewer: slices, window/level, zoom/pan, multi-frame, saliency overlay.

Data in: a ``float32`` volume ``(frames, rows, cols)`` in modality units (HU for CT) as
``siteapp.dicom.pixels.read_frames`` returns it. Windowing is done by the image item's
lookup (levels), so a drag on a 512x512 slice costs one re-colouring, not a copy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsEllipseItem,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from siteapp.dicom.orientation import EdgeLabels
from siteapp.ui.widgets.radiology_view import RadiologyViewBox

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)

AUTO_PRESET = "auto"
CUSTOM_PRESET = "custom"
#: Percentiles that bound the "auto" window (mammography, unknown modalities).
AUTO_PERCENTILES = (1.0, 99.0)
#: Pixels of mouse travel for a window change of 1/WINDOW_DRAG_STEPS of the data range.
WINDOW_DRAG_STEPS = 600.0
MIN_WINDOW_WIDTH = 1.0
#: Colour frames are 0-255 RGB: the window spans exactly that.
COLOUR_WINDOW = (127.5, 255.0)
OVERLAY_OPACITY = 0.45
MASK_Z = 5  # above the image, below a saliency overlay and the corner text
BRUSH_OUTLINE_RGB = (255, 255, 255)
OVERLAY_TEXT_RGB = (235, 235, 200)
EDGE_TEXT_RGB = (255, 210, 90)
SLIDER_MIN_PX = 80


def auto_window(frame: np.ndarray) -> tuple[float, float]:
    """Centre and width that span the 1st to 99th percentile of ``frame``."""
    finite = frame[np.isfinite(frame)]
    if finite.size == 0:
        return 0.0, 1.0
    sample = finite[:: max(1, finite.size // 65536)]
    low, high = np.percentile(sample, AUTO_PERCENTILES)
    width = max(float(high - low), MIN_WINDOW_WIDTH)
    return float(low + high) / 2.0, width


class ImageViewer(QWidget):
    """Shows one volume; emits what changed so pages can show tags or save state."""

    slice_changed = Signal(int)
    window_changed = Signal(float, float)
    #: A paint gesture in paint mode: image (x, y), starts a stroke, ends it.
    painted = Signal(float, float, bool, bool)

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        """``compact``: a preview beside a list (the Labels page) leaves out the window and
        pixel readouts (the image's own corner shows the window), so the list keeps room
        for names."""
        super().__init__(parent)
        self.volume = np.zeros((1, 1, 1), dtype=np.float32)
        self.index = 0
        self.window_center, self.window_width = 0.0, 1.0
        self._range = 1.0
        self.presets: dict[str, tuple[float, float]] = {}

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("ViewerFrame")
        self.graphics.setBackground("k")
        self.graphics.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.graphics.installEventFilter(self)
        self.view = RadiologyViewBox()
        self.graphics.addItem(self.view)
        self.image_item = pg.ImageItem()
        self.overlay_item = pg.ImageItem()
        self.overlay_item.setOpacity(OVERLAY_OPACITY)
        self.overlay_item.setZValue(10)
        self.overlay_item.hide()
        self.mask_item = pg.ImageItem()
        self.mask_item.setZValue(MASK_Z)
        self.mask_item.hide()
        # The brush's footprint follows the mouse while painting, so its size is visible.
        self.brush_outline = QGraphicsEllipseItem()
        self.brush_outline.setPen(pg.mkPen(BRUSH_OUTLINE_RGB, width=1, cosmetic=True))
        self.brush_outline.setZValue(MASK_Z + 1)
        self.brush_outline.hide()
        self.brush_radius = 0
        self.view.addItem(self.image_item)
        self.view.addItem(self.mask_item)
        self.view.addItem(self.brush_outline, ignoreBounds=True)
        self.view.addItem(self.overlay_item)
        self.info_text = pg.TextItem(color=OVERLAY_TEXT_RGB, anchor=(0, 1))
        self.patient_text = pg.TextItem(color=OVERLAY_TEXT_RGB, anchor=(0, 0))
        self.series_text = pg.TextItem(color=OVERLAY_TEXT_RGB, anchor=(1, 0))
        self.edge_texts = {
            "left": pg.TextItem(color=EDGE_TEXT_RGB, anchor=(0, 0.5)),
            "right": pg.TextItem(color=EDGE_TEXT_RGB, anchor=(1, 0.5)),
            "top": pg.TextItem(color=EDGE_TEXT_RGB, anchor=(0.5, 0)),
            "bottom": pg.TextItem(color=EDGE_TEXT_RGB, anchor=(0.5, 1)),
        }
        for item in (self.info_text, self.patient_text, self.series_text, *self.edge_texts.values()):
            item.setZValue(20)
            self.view.addItem(item, ignoreBounds=True)
        self.value_unit = ""
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.view.window_dragged.connect(self._on_window_drag)
        self.view.slice_stepped.connect(self.step)
        self.view.painted.connect(self.painted)
        self.view.sigRangeChanged.connect(self._place_info)

        self.preset_combo = QComboBox()
        self.preset_combo.setToolTip(self.tr("Window preset (keys 1-9)"))
        self.preset_combo.activated.connect(self._on_preset_chosen)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(self.tr("Slice (mouse wheel, arrow keys, Page Up/Down)"))
        self.slider.valueChanged.connect(self.set_slice)
        self.slider.setMinimumWidth(SLIDER_MIN_PX)
        self.slice_label = QLabel()
        self.slice_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("Slice 0000 / 0000") + 8)
        self.window_label = QLabel()
        self.window_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("W 00000  L -00000") + 8)
        self.pixel_label = QLabel()
        self.pixel_label.setToolTip(self.tr("The pixel under the mouse: column, row and its value"))
        self.pixel_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("x 0000 y 0000: -00000 HU") + 8)
        reset = QToolButton()
        reset.setText(self.tr("Fit"))
        reset.setToolTip(self.tr("Fit the image to the view (key F)"))
        reset.clicked.connect(self.fit)

        window_row = QHBoxLayout()
        window_row.addWidget(QLabel(self.tr("Window")))
        window_row.addWidget(self.preset_combo)
        window_row.addWidget(self.window_label)
        # A compact preview puts the slice row under the window row: one row of both
        # was 525 px at least and, beside the list and the class buttons, wider than
        # the Labels page at the window's default size.
        slice_row = QHBoxLayout() if compact else window_row
        if not compact:
            window_row.addSpacing(12)
        slice_row.addWidget(self.slider, 1)
        slice_row.addWidget(self.slice_label)
        slice_row.addWidget(self.pixel_label)
        slice_row.addWidget(reset)
        if compact:
            self.window_label.hide()
            self.pixel_label.hide()
            self.preset_combo.setMinimumContentsLength(14)
            self.preset_combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            window_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics, 1)
        layout.addLayout(window_row)
        if compact:
            layout.addLayout(slice_row)
        self.set_presets({})
        self._update_labels()

    # -- data -------------------------------------------------------------------------
    def preset_label(self, name: str) -> str:
        """What the preset box shows: a readable name and its width/level."""
        names = {
            "lung": self.tr("Lung"), "mediastinum": self.tr("Mediastinum"),
            "bone": self.tr("Bone"), "brain": self.tr("Brain"),
            "soft_tissue": self.tr("Soft tissue"),
        }
        center, width = self.presets[name]
        return self.tr("{name} (W {width:.0f} L {center:.0f})").format(
            name=names.get(name, name.replace("_", " ").capitalize()), width=width, center=center)

    def set_presets(self, presets: Mapping[str, tuple[float, float]]) -> None:
        """Named (centre, width) windows; "auto" is always offered."""
        self.presets = {name: (float(c), float(w)) for name, (c, w) in presets.items()}
        self.preset_combo.clear()
        self.preset_combo.addItem(self.tr("Auto (image percentiles)"), AUTO_PRESET)
        for name in self.presets:
            if name != AUTO_PRESET:
                self.preset_combo.addItem(self.preset_label(name), name)

    def _show_custom_window(self) -> None:
        """The preset box follows a manual window: it says "Custom", not the last preset."""
        index = self.preset_combo.findData(CUSTOM_PRESET)
        if index < 0:
            self.preset_combo.addItem(self.tr("Custom"), CUSTOM_PRESET)
            index = self.preset_combo.count() - 1
        self.preset_combo.setCurrentIndex(index)

    def set_volume(self, volume: np.ndarray, preset: str | None = None) -> None:
        """Show ``volume`` (frames, rows, cols), starting in the middle slice."""
        if volume.ndim == 2:
            volume = volume[np.newaxis]
        colour = volume.ndim == 4 and volume.shape[-1] == 3
        if not (volume.ndim == 3 or colour) or volume.shape[0] == 0:
            raise ValueError(f"expected a (frames, rows, cols[, 3]) volume, got shape {volume.shape}")
        self.volume = volume.astype(np.float32, copy=False)
        finite = self.volume[np.isfinite(self.volume)]
        self._range = float(finite.max() - finite.min()) if finite.size else 1.0
        self._range = max(self._range, MIN_WINDOW_WIDTH)
        self.slider.blockSignals(True)
        self.slider.setRange(0, self.volume.shape[0] - 1)
        self.slider.blockSignals(False)
        self.clear_overlay()
        self.index = -1
        self.set_slice(self.volume.shape[0] // 2)
        self.apply_preset(preset or AUTO_PRESET)
        self.fit()

    def clear(self) -> None:
        """Show nothing: no image, no overlay, no slice counter (while a series loads)."""
        self.volume = np.zeros((1, 1, 1), dtype=np.float32)
        self.index = 0
        self.image_item.clear()
        self.clear_overlay()
        self.set_mask_overlay(None)
        self.slider.blockSignals(True)
        self.slider.setRange(0, 0)
        self.slider.blockSignals(False)
        self.slice_label.setText("")
        self.info_text.setText("")
        self.pixel_label.setText("")
        self.set_annotations()

    @property
    def is_empty(self) -> bool:
        return self.image_item.image is None

    @property
    def is_colour(self) -> bool:
        """RGB frames (ultrasound, photographs): window/level scales all three channels."""
        return self.volume.ndim == 4

    def frame(self) -> np.ndarray:
        return self.volume[self.index]

    @property
    def slice_count(self) -> int:
        return int(self.volume.shape[0])

    # -- slices -----------------------------------------------------------------------
    def set_slice(self, index: int) -> None:
        index = int(np.clip(index, 0, self.volume.shape[0] - 1))
        if index == self.index:
            return
        self.index = index
        self.image_item.setImage(self.volume[index], autoLevels=False, levels=self._levels())
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self._update_labels()
        self.slice_changed.emit(index)

    def step(self, delta: int) -> None:
        self.set_slice(self.index + delta)

    # -- window / level ---------------------------------------------------------------
    def _levels(self) -> tuple[float, float]:
        return self.window_center - self.window_width / 2.0, self.window_center + self.window_width / 2.0

    def set_window(self, center: float, width: float) -> None:
        self.window_center = float(center)
        self.window_width = max(float(width), MIN_WINDOW_WIDTH)
        self.image_item.setLevels(self._levels())
        self._update_labels()
        self.window_changed.emit(self.window_center, self.window_width)

    def apply_preset(self, name: str) -> None:
        if self.is_colour:  # colours are shown as stored, never stretched
            center, width = COLOUR_WINDOW
            name = AUTO_PRESET
        elif name == AUTO_PRESET or name not in self.presets:
            center, width = auto_window(self.frame())
            name = AUTO_PRESET
        else:
            center, width = self.presets[name]
        index = self.preset_combo.findData(name)
        if index >= 0:
            self.preset_combo.setCurrentIndex(index)
        custom = self.preset_combo.findData(CUSTOM_PRESET)
        if custom >= 0:
            self.preset_combo.removeItem(custom)
        self.set_window(center, width)

    def _on_preset_chosen(self, index: int) -> None:
        name = str(self.preset_combo.itemData(index))
        if name != CUSTOM_PRESET:
            self.apply_preset(name)

    def _on_window_drag(self, dx: float, dy: float) -> None:
        step = self._range / WINDOW_DRAG_STEPS
        self.set_window(self.window_center - dy * step, self.window_width + dx * step)
        self._show_custom_window()

    # -- view -------------------------------------------------------------------------
    def fit(self) -> None:
        rows, cols = self.volume.shape[1:3]
        self.view.setRange(xRange=(0, cols), yRange=(0, rows), padding=0.02)

    def zoom(self, factor: float) -> None:
        self.view.scaleBy((1.0 / factor, 1.0 / factor))

    def set_overlay(self, rgba: np.ndarray | None) -> None:
        """Draw an RGBA overlay (rows, cols, 4) over the image, e.g. a saliency map."""
        if rgba is None:
            self.clear_overlay()
            return
        self.overlay_item.setImage(rgba, autoLevels=False, levels=(0, 255))
        rows, cols = self.volume.shape[1:3]
        self.overlay_item.setRect(0, 0, cols, rows)
        self.overlay_item.show()

    def clear_overlay(self) -> None:
        self.overlay_item.hide()
        self.overlay_item.clear()

    def set_mask_overlay(self, rgba: np.ndarray | None) -> None:
        """Draw a mask's RGBA image (rows, cols, 4; alpha per pixel) over the current
        slice, under any saliency overlay; None hides it."""
        if rgba is None:
            self.mask_item.hide()
            self.mask_item.clear()
            return
        self.mask_item.setImage(rgba, autoLevels=False, levels=(0, 255))
        rows, cols = self.volume.shape[1:3]
        self.mask_item.setRect(0, 0, cols, rows)
        self.mask_item.show()

    def set_paint_mode(self, on: bool, brush_radius: int = 0) -> None:
        """Left click and drag paint (``painted``) instead of changing the window; the
        brush's outline (``brush_radius`` image pixels) follows the mouse."""
        self.view.paint_mode = on
        self.brush_radius = brush_radius
        self.graphics.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)
        if not on:
            self.brush_outline.hide()

    def _place_brush(self, x: float, y: float) -> None:
        radius = self.brush_radius + 0.5  # the disk covers whole pixels out to the radius
        centre_x, centre_y = np.floor(x) + 0.5, np.floor(y) + 0.5
        self.brush_outline.setRect(centre_x - radius, centre_y - radius, 2 * radius, 2 * radius)
        self.brush_outline.show()

    def _update_labels(self) -> None:
        self.slice_label.setText(
            self.tr("Slice {index} / {count}").format(index=self.index + 1, count=self.volume.shape[0])
        )
        self.window_label.setText(
            self.tr("W {width:.0f}  L {center:.0f}").format(width=self.window_width, center=self.window_center)
        )
        self.info_text.setText(
            f"{self.index + 1}/{self.volume.shape[0]}   W {self.window_width:.0f}  L {self.window_center:.0f}"
        )

    def _place_info(self, *_args: object) -> None:
        """Keep the corner and edge text at the corners and edges of what is in view."""
        (x0, x1), (y0, y1) = self.view.viewRange()
        xm, ym = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        self.info_text.setPos(x0, y1)
        self.patient_text.setPos(x0, y0)
        self.series_text.setPos(x1, y0)
        positions = {"left": (x0, ym), "right": (x1, ym), "top": (xm, y0), "bottom": (xm, y1)}
        for edge, item in self.edge_texts.items():
            item.setPos(*positions[edge])

    def set_annotations(self, patient: str = "", series: str = "",
                        edges: EdgeLabels | None = None, value_unit: str = "") -> None:
        """Corner text (patient top left, series top right), edge letters, value unit."""
        self.patient_text.setText(patient)
        self.series_text.setText(series)
        for edge, item in self.edge_texts.items():
            item.setText(getattr(edges, edge) if edges is not None else "")
        self.value_unit = value_unit
        self._place_info()

    def value_at(self, col: int, row: int) -> float | tuple[float, ...] | None:
        """The current slice's value at (column, row) (R, G, B for colour), None outside."""
        rows, cols = self.volume.shape[1:3]
        if self.is_empty or not (0 <= row < rows and 0 <= col < cols):
            return None
        value = self.volume[self.index, row, col]
        return tuple(float(v) for v in value) if self.is_colour else float(value)

    def _on_mouse_moved(self, scene_pos: object) -> None:
        point = self.view.mapSceneToView(scene_pos)
        if self.view.paint_mode:
            self._place_brush(point.x(), point.y())
        col, row = int(np.floor(point.x())), int(np.floor(point.y()))
        value = self.value_at(col, row)
        if value is None:
            self.pixel_label.setText("")
            return
        if isinstance(value, tuple):
            self.pixel_label.setText(f"x {col} y {row}: RGB {' '.join(f'{v:.0f}' for v in value)}")
            return
        unit = f" {self.value_unit}" if self.value_unit else ""
        self.pixel_label.setText(f"x {col} y {row}: {value:.0f}{unit}")

    # -- keyboard ---------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.graphics and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self.handle_key(event.key())
        return super().eventFilter(watched, event)

    def handle_key(self, key: int) -> bool:
        """Keyboard habits: arrows/page keys scroll, Home/End jump, 1-9 presets, F fits."""
        page = max(1, self.slice_count // 10)
        moves = {
            Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_Right: 1,
            Qt.Key.Key_PageUp: -page, Qt.Key.Key_PageDown: page,
        }
        if key in moves:
            self.step(moves[Qt.Key(key)])
        elif key == Qt.Key.Key_Home:
            self.set_slice(0)
        elif key == Qt.Key.Key_End:
            self.set_slice(self.slice_count - 1)
        elif key == Qt.Key.Key_F:
            self.fit()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom(0.8)
        elif Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            row = key - Qt.Key.Key_1
            if row < self.preset_combo.count():
                self.apply_preset(str(self.preset_combo.itemData(row)))
        else:
            return False
        return True
