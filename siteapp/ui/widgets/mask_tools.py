"""The viewer's mask controls: show/hide, segment, draw/erase brush and its size, undo, save.

Only widgets and their state; the viewer page decides what a gesture does to the mask
(:class:`siteapp.ui.mask_editor.MaskEditor`) and saves it in a worker.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from siteapp.ui.mask_editor import BRUSH_RADIUS_RANGE, DEFAULT_BRUSH_RADIUS

# The segment offered when a series has no mask yet.
DEFAULT_SEGMENT = "lesion"


class BrushTool(Enum):
    NONE = "none"  # the mouse windows, pans and scrolls as usual
    DRAW = "draw"
    ERASE = "erase"


class MaskTools(QWidget):
    tool_changed = Signal(object)  # BrushTool
    visibility_changed = Signal(bool)
    undo_requested = Signal()
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.show_mask = QCheckBox(self.tr("Show mask"))
        self.show_mask.setChecked(True)
        self.show_mask.setToolTip(self.tr("Show or hide the mask over the image (key M)"))
        self.show_mask.toggled.connect(self.visibility_changed)
        self.segment = QComboBox()
        self.segment.setEditable(True)
        self.segment.setMinimumContentsLength(10)
        self.segment.setToolTip(self.tr("The segment the brush draws; type a name for a new one"))
        self.draw = QToolButton()
        self.draw.setText(self.tr("Draw"))
        self.draw.setToolTip(self.tr("Paint the segment with the left mouse button (key D)"))
        self.erase = QToolButton()
        self.erase.setText(self.tr("Erase"))
        self.erase.setToolTip(self.tr("Erase the mask with the left mouse button (key E)"))
        for button, tool in ((self.draw, BrushTool.DRAW), (self.erase, BrushTool.ERASE)):
            button.setCheckable(True)
            button.clicked.connect(lambda checked, t=tool: self.set_tool(t if checked else BrushTool.NONE))
        self.brush = QSpinBox()
        self.brush.setRange(*BRUSH_RADIUS_RANGE)
        self.brush.setValue(DEFAULT_BRUSH_RADIUS)
        self.brush.setSuffix(self.tr(" px"))
        self.brush.setToolTip(self.tr("Brush radius in image pixels"))
        self.undo = QToolButton()
        self.undo.setText(self.tr("Undo"))
        self.undo.setToolTip(self.tr("Take back the last stroke (Ctrl+Z)"))
        self.undo.clicked.connect(self.undo_requested)
        self.save = QPushButton(self.tr("Save mask"))
        self.save.setToolTip(self.tr("Store the mask as this site's DICOM SEG of the series"))
        self.save.clicked.connect(self.save_requested)
        self.status = QLabel()

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.show_mask)
        row.addSpacing(8)
        row.addWidget(QLabel(self.tr("Segment")))
        row.addWidget(self.segment)
        row.addWidget(self.draw)
        row.addWidget(self.erase)
        row.addWidget(QLabel(self.tr("Brush")))
        row.addWidget(self.brush)
        row.addWidget(self.undo)
        row.addWidget(self.save)
        row.addWidget(self.status, 1)
        self.tool = BrushTool.NONE
        self.set_segments([])

    def set_tool(self, tool: BrushTool) -> None:
        self.tool = tool
        self.draw.setChecked(tool is BrushTool.DRAW)
        self.erase.setChecked(tool is BrushTool.ERASE)
        self.tool_changed.emit(tool)

    def set_segments(self, names: list[str]) -> None:
        """Offer ``names`` (or the default segment), keeping the current choice if it is one."""
        current = self.segment.currentText().strip()
        self.segment.blockSignals(True)
        self.segment.clear()
        self.segment.addItems(names or [DEFAULT_SEGMENT])
        if current in names:
            self.segment.setCurrentText(current)
        self.segment.blockSignals(False)

    @property
    def segment_name(self) -> str:
        return self.segment.currentText().strip()

    def set_editable(self, editable: bool) -> None:
        """Drawing tools on or off (off: no series, or one a mask cannot be drawn on)."""
        for widget in (self.segment, self.draw, self.erase, self.brush):
            widget.setEnabled(editable)
        if not editable:
            self.set_tool(BrushTool.NONE)
