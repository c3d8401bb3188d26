"""Viewer: check any imported series; slices, window/level, zoom, tags, saliency overlay."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QSplitter, QWidget

from siteapp.dicom.pixels import WINDOW_PRESETS, window_presets_for
from siteapp.ui.pages.base import Page
from siteapp.ui.series_loader import LoadedSeries, load_series
from siteapp.ui.session import SiteSession
from siteapp.ui.study_tree import PatientNode, format_dicom_date
from siteapp.ui.ui_settings import DEFAULT_WINDOW_BY_MODALITY
from siteapp.ui.widgets.image_viewer import ImageViewer
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.widgets.tag_panel import TagPanel
from siteapp.ui.workers import JobContext, Worker


class ViewerPage(Page):
    page_id = "viewer"
    icon_name = "viewer"

    def title(self) -> str:
        return self.tr("Viewer")

    def description(self) -> str:
        return self.tr(
            "Wheel or arrow keys: slices. Left drag: window/level. Right or middle drag: pan. "
            "Ctrl+wheel or +/-: zoom. Keys 1-9: window presets. F: fit."
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

        self.loaded: LoadedSeries | None = None
        self.load_worker: Worker | None = None
        self.tree_worker: Worker | None = None
        self._wanted_series: str | None = None
        self.viewer.slice_changed.connect(self._on_slice)
        session.open_series_requested.connect(self.open_series)
        session.index_changed.connect(self.mark_stale)

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
                    self.series_combo.addItem(text, (series.series_uid, series.modality))
                    if series.series_uid == selected:
                        self.series_combo.setCurrentIndex(self.series_combo.count() - 1)
        self.series_combo.blockSignals(False)

    def _on_series_chosen(self, row: int) -> None:
        data = self.series_combo.itemData(row)
        if data:
            self.open_series(data[0])

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
        self.viewer.clear()
        self.tags.show_file(None)
        self.notice.hide()
        data_dir = self.session.data_dir

        def run(ctx: JobContext) -> LoadedSeries | None:
            return load_series(data_dir, series_uid, ctx.progress, ctx.cancelled, modality)

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

    def _on_loaded(self, loaded: LoadedSeries | None) -> None:
        if loaded is None or loaded.series_uid != self._wanted_series:
            return
        self.loaded = loaded
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
        else:
            self.notice.hide()
        self.viewer.graphics.setFocus()

    def _on_slice(self, index: int) -> None:
        if self.loaded is not None and index < len(self.loaded.frame_paths):
            path = self.loaded.frame_paths[index]
            if path != self.tags.path:
                self.tags.show_file(path)

