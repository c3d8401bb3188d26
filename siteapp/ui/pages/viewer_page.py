"""Viewer: check any imported series; slices, window/level, zoom, tags, masks.

Masks: the series' stored mask (:func:`siteapp.dicom.masks.mask_for_series`) is loaded
with its images and shown over them; staff draw and erase with a brush, undo (Ctrl+Z)
and save, which writes the site's own DICOM SEG (:func:`siteapp.dicom.masks.save_mask`)
in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QWidget,
)

from siteapp.dicom.config import SOURCE_DRAWN
from siteapp.dicom.index import StudyIndex
from siteapp.dicom.masks import MaskError, SeriesMask, mask_for_series, save_mask
from siteapp.dicom.pixels import WINDOW_PRESETS, window_presets_for
from siteapp.ui.mask_editor import MaskEditor
from siteapp.ui.pages.base import Page
from siteapp.ui.series_loader import LoadedSeries, load_series
from siteapp.ui.session import SiteSession
from siteapp.ui.study_tree import PatientNode, format_dicom_date
from siteapp.ui.ui_settings import DEFAULT_WINDOW_BY_MODALITY
from siteapp.ui.widgets.confirm import ask_before
from siteapp.ui.widgets.image_viewer import ImageViewer
from siteapp.ui.widgets.mask_tools import BrushTool, MaskTools
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.widgets.tag_panel import TagPanel
from siteapp.ui.workers import JobContext, Worker


@dataclass(frozen=True)
class _Opened:
    """What the load worker hands back: the images, and their mask or why it is missing."""

    series: LoadedSeries
    mask: SeriesMask | None
    mask_problem: str = ""


def _load_with_mask(
    data_dir: Path, series_uid: str, ctx: JobContext, modality: str
) -> _Opened | None:
    loaded = load_series(data_dir, series_uid, ctx.progress, ctx.cancelled, modality)
    if loaded is None:
        return None
    try:
        with StudyIndex(data_dir) as index:
            return _Opened(loaded, mask_for_series(index, series_uid))
    except MaskError as exc:  # the images still show; the notice says what is wrong
        return _Opened(loaded, None, str(exc))


class ViewerPage(Page):
    page_id = "viewer"
    icon_name = "viewer"

    def title(self) -> str:
        return self.tr("Viewer")

    def description(self) -> str:
        return self.tr(
            "Wheel or arrow keys: slices. Left drag: window/level. Right or middle drag: pan. "
            "Ctrl+wheel or +/-: zoom. Keys 1-9: window presets. F: fit. "
            "Masks: D draw, E erase, M show/hide, Ctrl+Z undo."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.series_combo = QComboBox()
        self.series_combo.setMinimumContentsLength(40)
        self.series_combo.activated.connect(self._on_series_chosen)
        self.load_progress = QProgressBar()
        self.load_progress.setMaximumWidth(200)
        self.load_progress.hide()
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Series")))
        row.addWidget(self.series_combo, 1)
        row.addWidget(self.load_progress)
        self.body.addLayout(row)

        self.viewer = ImageViewer()
        self.viewer.set_presets(WINDOW_PRESETS)
        self.tags = TagPanel()
        splitter = QSplitter()
        splitter.addWidget(self.viewer)
        splitter.addWidget(self.tags)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([620, 420])
        self.body.addWidget(splitter, 1)
        self.mask_tools = MaskTools()
        self.body.addWidget(self.mask_tools)
        self.mask_tools.tool_changed.connect(lambda _tool: self._update_paint_mode())
        self.mask_tools.brush.valueChanged.connect(lambda _radius: self._update_paint_mode())
        self.mask_tools.visibility_changed.connect(lambda _on: self._show_mask())
        self.mask_tools.undo_requested.connect(self.undo_stroke)
        self.mask_tools.save_requested.connect(self.save_mask)
        self.viewer.painted.connect(self._on_paint)
        for keys, action in (
            (QKeySequence.StandardKey.Undo, self.undo_stroke),
            ("D", lambda: self._toggle_tool(BrushTool.DRAW)),
            ("E", lambda: self._toggle_tool(BrushTool.ERASE)),
            ("M", self.mask_tools.show_mask.toggle),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.editor: MaskEditor | None = None
        self.save_worker: Worker | None = None
        self.discard_box: QMessageBox | None = None

        self.loaded: LoadedSeries | None = None
        self.load_worker: Worker | None = None
        self.tree_worker: Worker | None = None
        self._wanted_series: str | None = None
        self.viewer.slice_changed.connect(self._on_slice)
        session.open_series_requested.connect(self.open_series)
        session.index_changed.connect(self.mark_stale)
        session.masks_changed.connect(self.mark_stale)

    def refresh(self) -> None:
        self.tree_worker = self.study_tree_worker(self._on_tree).start()

    def _on_tree(self, patients: list[PatientNode]) -> None:
        self._fill_series_combo(patients)
        if self.loaded is None and self._wanted_series is None and self.series_combo.count():
            self._on_series_chosen(0)

    def _fill_series_combo(self, patients: list[PatientNode]) -> None:
        current = self.series_combo.currentData()
        selected = self._wanted_series or (current[0] if current else None)
        self.series_combo.blockSignals(True)
        self.series_combo.clear()
        for patient in patients:
            for study in patient.studies:
                for series in study.series:
                    text = (f"{patient.patient_id} · {study.date} · {study.title} · "
                            f"{series.title} ({series.image_count})")
                    if series.has_mask:
                        text += " · " + self.tr("mask")
                    self.series_combo.addItem(text, (series.series_uid, series.modality))
                    if series.series_uid == selected:
                        self.series_combo.setCurrentIndex(self.series_combo.count() - 1)
        self.series_combo.blockSignals(False)

    def _on_series_chosen(self, row: int) -> None:
        data = self.series_combo.itemData(row)
        if not data:
            return
        if self.editor is not None and self.editor.dirty and self.loaded is not None:
            self._ask_discard_then_open(data[0])
            return
        self.open_series(data[0])

    def _ask_discard_then_open(self, series_uid: str) -> None:
        """Unsaved strokes are not lost to a slip of the series box: ask first."""
        current = self.loaded.series_uid if self.loaded is not None else None

        def answered(discard: bool) -> None:
            self.discard_box = None
            if discard:
                self.open_series(series_uid)
            elif current is not None:
                self._select_in_combo(current)

        self.discard_box = ask_before(
            self, self.tr("Unsaved mask"),
            self.tr("The mask of this series has changes that are not saved. "
                    "Open the other series and discard them?"),
            self.tr("Discard changes"), self.tr("Keep editing"), answered, destructive=True)

    def _select_in_combo(self, series_uid: str) -> None:
        for row in range(self.series_combo.count()):
            if self.series_combo.itemData(row)[0] == series_uid:
                self.series_combo.setCurrentIndex(row)

    def open_series(self, series_uid: str) -> Worker | None:
        """Load ``series_uid`` in a worker and show it; returns the worker."""
        modality = ""
        for row in range(self.series_combo.count()):
            uid, mod = self.series_combo.itemData(row)
            if uid == series_uid:
                self.series_combo.setCurrentIndex(row)
                modality = mod
        if self.load_worker is not None:
            self.load_worker.cancel()
        self._wanted_series = series_uid
        # Nothing of the previous series may stay on screen under this one's name.
        self.loaded = None
        self.editor = None
        self.viewer.clear()
        self.tags.show_file(None)
        self.notice.hide()
        self._update_mask_tools()
        data_dir = self.session.data_dir

        def run(ctx: JobContext) -> _Opened | None:
            return _load_with_mask(data_dir, series_uid, ctx, modality)

        worker = Worker(run, self.tr("opening the series"))
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(self._on_loaded)
        worker.signals.errored.connect(lambda text: self._on_load_failed(series_uid, text))
        worker.signals.done.connect(lambda: self.load_progress.hide())
        self.load_progress.setRange(0, 0)
        self.load_progress.show()
        self.load_worker = worker
        return worker.start()

    def _on_progress(self, done: int, total: int) -> None:
        self.load_progress.setRange(0, total)
        self.load_progress.setValue(done)

    def _on_load_failed(self, series_uid: str, text: str) -> None:
        """Say why the chosen series cannot be shown; a late failure of another is ignored."""
        if series_uid == self._wanted_series:
            self.viewer.clear()
            self.show_error(text)

    def _on_loaded(self, opened: _Opened | None) -> None:
        if opened is None or opened.series.series_uid != self._wanted_series:
            return
        loaded = self.loaded = opened.series
        self.viewer.set_presets(window_presets_for(loaded.modality))
        self.viewer.set_volume(loaded.volume, DEFAULT_WINDOW_BY_MODALITY.get(loaded.modality.upper()))
        header = loaded.header
        self.viewer.set_annotations(
            patient="\n".join(v for v in (header.patient_name, header.patient_id,
                                          format_dicom_date(header.study_date)) if v),
            series="\n".join(v for v in (header.series_description, loaded.modality) if v),
            edges=header.edges,
            value_unit="HU" if loaded.modality.upper() == "CT" else "",
        )
        self.tags.show_file(loaded.frame_paths[self.viewer.index])
        if loaded.skipped:
            self.show_info(
                self.tr("{n} image(s) of this series could not be shown: {first}. "
                        "The details are in the log file.").format(
                    n=len(loaded.skipped), first=loaded.skipped[0]
                ),
                NoticeKind.WARNING,
            )
        elif opened.mask_problem:
            self.show_info(opened.mask_problem, NoticeKind.WARNING)
        else:
            self.notice.hide()
        if loaded.maskable:
            self.editor = MaskEditor(loaded.frame_uids, loaded.volume.shape[1:3], opened.mask)
        self._update_mask_tools()
        self._show_mask()
        self.viewer.graphics.setFocus()

    # -- masks ------------------------------------------------------------------------
    def _update_paint_mode(self) -> None:
        self.viewer.set_paint_mode(self.mask_tools.tool is not BrushTool.NONE,
                                   self.mask_tools.brush.value())

    def _toggle_tool(self, tool: BrushTool) -> None:
        if self.editor is not None:
            self.mask_tools.set_tool(BrushTool.NONE if self.mask_tools.tool is tool else tool)

    def _on_paint(self, x: float, y: float, start: bool, finish: bool) -> None:
        editor, tools = self.editor, self.mask_tools
        if editor is None or tools.tool is BrushTool.NONE:
            return
        try:
            value = editor.label_of(tools.segment_name) if tools.tool is BrushTool.DRAW else 0
        except ValueError as exc:
            self.show_error(self.tr("Cannot draw: {why}. Type a segment name first.").format(
                why=exc))
            return
        index, radius = self.viewer.index, tools.brush.value()
        if start:
            editor.begin_stroke(index, x, y, radius, value)
        else:
            editor.stroke_to(index, x, y, radius, value)
        if finish:
            editor.end_stroke()
            self._update_mask_tools()
        if not tools.show_mask.isChecked():
            tools.show_mask.setChecked(True)  # drawing blind helps nobody
        self._show_mask()

    def undo_stroke(self) -> None:
        if self.editor is None:
            return
        index = self.editor.undo()
        if index is not None:
            if index != self.viewer.index:
                self.viewer.set_slice(index)
            self._show_mask()
        self._update_mask_tools()

    def _show_mask(self) -> None:
        editor = self.editor
        if editor is None or not self.mask_tools.show_mask.isChecked() or self.viewer.is_empty:
            self.viewer.set_mask_overlay(None)
            return
        self.viewer.set_mask_overlay(editor.rgba(self.viewer.index))

    def _update_mask_tools(self) -> None:
        editor, tools = self.editor, self.mask_tools
        saving = self.save_worker is not None
        tools.set_editable(editor is not None and not saving)
        tools.undo.setEnabled(editor is not None and editor.can_undo and not saving)
        tools.save.setEnabled(editor is not None and editor.dirty and bool(editor.covered)
                              and not saving)
        tools.set_segments(editor.segments if editor is not None else [])
        tools.status.setText(self._mask_status())

    def _mask_status(self) -> str:
        editor = self.editor
        if self.loaded is None:
            return ""
        if editor is None:
            return self.tr("Masks can be drawn on series whose images are all single-frame "
                           "and of one size.")
        if self.save_worker is not None:
            return self.tr("Saving the mask…")
        sources = {
            "phantom": self.tr("phantom"), "imported-seg": self.tr("imported DICOM SEG"),
            "imported-rtstruct": self.tr("imported RTSTRUCT"), "drawn": self.tr("drawn here"),
        }
        if editor.source is None and not editor.covered:
            text = self.tr("No mask yet")
        else:
            text = self.tr("Mask ({source}): {masked} of {count} images").format(
                source=sources.get(editor.source or "", self.tr("not saved")),
                masked=len(editor.covered), count=len(editor.frame_uids))
        if editor.dirty:
            text += " · " + self.tr("unsaved changes")
        return text

    def save_mask(self) -> Worker | None:
        """Store the edited mask as the site's DICOM SEG (in a worker); returns it."""
        editor, loaded = self.editor, self.loaded
        if editor is None or loaded is None or not editor.dirty or not editor.covered:
            return None
        frames, segments = editor.frames(), list(editor.segments)
        data_dir, series_uid = self.session.data_dir, loaded.series_uid

        def run(_ctx: JobContext) -> SeriesMask:
            with StudyIndex(data_dir) as index:
                return save_mask(index, series_uid, frames, segments, SOURCE_DRAWN)

        worker = Worker(run, self.tr("saving the mask"))
        worker.signals.finished.connect(lambda mask: self._on_saved(editor, mask))
        worker.signals.errored.connect(self.show_error)
        worker.signals.done.connect(self._on_save_done)
        self.save_worker = worker
        self._update_mask_tools()
        return worker.start()

    def _on_saved(self, editor: MaskEditor, mask: SeriesMask) -> None:
        editor.mark_saved(mask.source)
        self.show_info(self.tr("Mask saved as DICOM SEG: {path}").format(path=mask.path))
        self.session.masks_changed.emit()

    def _on_save_done(self) -> None:
        self.save_worker = None
        self._update_mask_tools()

    def work_in_progress(self) -> str | None:
        if self.editor is not None and self.editor.dirty:
            return self.tr("the mask drawn on the open series is not saved")
        return None

    def _on_slice(self, index: int) -> None:
        self._show_mask()
        if self.loaded is not None and index < len(self.loaded.frame_paths):
            path = self.loaded.frame_paths[index]
            if path != self.tags.path:
                self.tags.show_file(path)

