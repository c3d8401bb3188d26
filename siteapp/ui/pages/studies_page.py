"""Studies: import DICOM (folders, DICOMDIR, zip), see what was skipped, browse the index.

The import runs :func:`siteapp.dicom.importer.import_paths` in a worker (it yields
``progress(done, total)`` and honours cancel); the tree is loaded by
:func:`siteapp.ui.study_tree.load_study_tree` in a worker too, then thumbnails fill in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, QSortFilterProxyModel, Qt
from PySide6.QtGui import QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from coordinator.task_definition import TaskFileError
from siteapp.tasks import TaskDefinition, load_task
from siteapp.ui.pacs.receiver_service import receiver_service
from siteapp.ui.pages.base import Page
from siteapp.ui.session import SiteSession
from siteapp.ui.study_tree import PatientNode, SeriesNode, task_uses
from siteapp.ui.thumbnails import thumbnail_array, to_pixmap
from siteapp.ui.ui_settings import UI_DEFAULTS
from siteapp.ui.vocabulary import class_text, split_text
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.workers import JobContext, Worker

ROLE_KIND = Qt.ItemDataRole.UserRole + 1
ROLE_UID = Qt.ItemDataRole.UserRole + 2
KIND_PATIENT, KIND_STUDY, KIND_SERIES = "patient", "study", "series"
ALL = "*"


def import_job(data_dir: Path, paths: list[Path]):
    """The worker function of an import: the importer with the worker's progress/cancel."""
    from siteapp.dicom.importer import import_paths

    def run(ctx: JobContext):
        return import_paths(data_dir, paths, ctx.progress, ctx.cancel)

    return run


#: The search box never gets narrower than this (it held "Se…" beside the buttons).
SEARCH_MIN_PX = 240

class StudiesPage(Page):
    page_id = "studies"
    icon_name = "studies"

    def title(self) -> str:
        return self.tr("Studies")

    def description(self) -> str:
        return self.tr(
            "Import DICOM studies from a folder, a DICOMDIR or a zip file. Files stay where "
            "they are; MedFed indexes them and never sends them anywhere."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.import_worker: Worker | None = None
        self.tree_worker: Worker | None = None
        self.thumb_worker: Worker | None = None
        self.last_report = None
        self.patients: list[PatientNode] = []
        self._series_items: dict[str, QStandardItem] = {}

        actions = QHBoxLayout()
        self.import_folder_button = QPushButton(self.tr("Import folder…"))
        self.import_folder_button.setObjectName("Primary")
        self.import_folder_button.clicked.connect(self.choose_and_import)
        self.import_files_button = QPushButton(self.tr("Import zip or DICOMDIR…"))
        self.import_files_button.clicked.connect(self.choose_files_and_import)
        self.query_pacs_button = QPushButton(self.tr("Query PACS…"))
        self.query_pacs_button.clicked.connect(self.open_query_pacs)
        # What the DICOM receiver indexes is reported here as an import is.
        receiver_service(session).batch_received.connect(lambda batch: self.show_report(batch.report))
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search patient, study, series…"))
        self.search_edit.setClearButtonEnabled(True)
        self.modality_combo = QComboBox()
        self.label_combo = QComboBox()
        for combo in (self.modality_combo, self.label_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        actions.addWidget(self.import_folder_button)
        actions.addWidget(self.import_files_button)
        actions.addWidget(self.query_pacs_button)
        actions.addStretch(1)
        self.body.addLayout(actions)
        # Filters get a row of their own: beside the buttons the search box was squeezed
        # to a few letters at the default window size.
        filters = QHBoxLayout()
        self.search_edit.setMinimumWidth(SEARCH_MIN_PX)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(QLabel(self.tr("Modality")))
        filters.addWidget(self.modality_combo)
        filters.addWidget(QLabel(self.tr("Label")))
        filters.addWidget(self.label_combo)
        self.task_only = QCheckBox(self.tr("Only what the task uses"))
        self.task_only.setToolTip(self.tr(
            "Hide patients with no series of the task's modality that its series filter accepts"))
        self.task_only.toggled.connect(self._apply_filters)
        filters.addWidget(self.task_only)
        self.body.addLayout(filters)

        progress_row = QHBoxLayout()
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.cancel_button = QPushButton(self.tr("Cancel import"))
        self.cancel_button.clicked.connect(self.cancel_import)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_widget = QWidget()
        self.progress_widget.setLayout(progress_row)
        self.progress_widget.hide()
        self.body.addWidget(self.progress_widget)

        self.model = QStandardItemModel(0, 6, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("Patient / study / series"), self.tr("Modality"), self.tr("Date"),
             self.tr("Images"), self.tr("Label"), self.tr("Split")]
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.tree.setIconSize(QSize(UI_DEFAULTS.tree_icon_px, UI_DEFAULTS.tree_icon_px))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.doubleClicked.connect(self._on_double_click)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("Hint")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(self.summary_label)

        self.report_box = QGroupBox(self.tr("Last import"))
        report_layout = QVBoxLayout(self.report_box)
        self.report_summary = QLabel(self.tr("No import in this session yet."))
        self.report_summary.setWordWrap(True)
        self.skipped_table = QTableWidget(0, 2)
        self.skipped_table.setHorizontalHeaderLabels([self.tr("File"), self.tr("Why it was skipped")])
        self.skipped_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.skipped_table.verticalHeader().hide()
        self.skipped_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.skipped_table.setWordWrap(True)
        report_layout.addWidget(self.report_summary)
        report_layout.addWidget(QLabel(self.tr("Skipped files and non-image objects:")))
        report_layout.addWidget(self.skipped_table, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.report_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 400])
        self.body.addWidget(splitter, 1)

        self.search_edit.textChanged.connect(self._apply_filters)
        self.modality_combo.currentIndexChanged.connect(self._apply_filters)
        self.label_combo.currentIndexChanged.connect(self._apply_filters)
        session.index_changed.connect(self.mark_stale)
        session.labels_changed.connect(self.mark_stale)

    # -- import -----------------------------------------------------------------------
    def choose_and_import(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder of DICOM files"))
        if folder:
            self.start_import([Path(folder)])

    def choose_files_and_import(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Choose zip archives or DICOMDIR files"),
            "",
            self.tr("DICOM sources (*.zip DICOMDIR *.dcm);;All files (*)"),
        )
        if files:
            self.start_import([Path(f) for f in files])

    def open_query_pacs(self) -> QDialog:
        """The Query PACS dialog; what it retrieves is reported here like an import."""
        from siteapp.ui.pacs.query_dialog import QueryPacsDialog

        dialog = QueryPacsDialog(self.session, self)
        dialog.retrieved.connect(lambda report: self._on_import_finished(report.imported))
        dialog.show()
        return dialog

    def start_import(self, paths: list[Path]) -> Worker | None:
        """Import ``paths`` in a worker; returns it (None if an import is already running)."""
        if self.import_worker is not None:
            self.show_info(self.tr("An import is already running; wait for it or cancel it first."), NoticeKind.WARNING)
            return None
        worker = Worker(import_job(self.session.data_dir, paths), self.tr("importing studies"))
        worker.signals.progress.connect(self._on_import_progress)
        worker.signals.finished.connect(self._on_import_finished)
        worker.signals.errored.connect(self._on_import_error)
        worker.signals.done.connect(self._on_import_done)
        self.import_worker = worker
        self.progress_bar.setRange(0, 0)
        self.progress_label.setText(self.tr("Looking for DICOM files…"))
        self.progress_widget.show()
        self.cancel_button.setEnabled(True)
        self.import_folder_button.setEnabled(False)
        self.import_files_button.setEnabled(False)
        self.notice.hide()
        self.session.busy_changed.emit(self.tr("Importing studies…"))
        return worker.start()

    def cancel_import(self) -> None:
        if self.import_worker is not None:
            self.import_worker.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Stopping after the current batch…"))

    def _on_import_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.progress_label.setText(self.tr("{done} of {total} files").format(done=done, total=total))

    def _on_import_finished(self, report) -> None:
        self.last_report = report
        self.show_report(report)
        trouble = report.cancelled or report.skipped or report.mask_problems
        kind = NoticeKind.WARNING if trouble else NoticeKind.SUCCESS
        text = self.tr(
            "{images} images imported ({patients} new patients, {studies} new studies, "
            "{series} new series) from {files} files; {skipped} skipped."
        ).format(
            images=report.instances_imported, patients=report.patients, studies=report.studies,
            series=report.series, files=report.files_seen, skipped=len(report.skipped),
        )
        if report.cancelled:
            text += " " + self.tr("The import was cancelled; what was imported before is kept. Import the same folder again to finish.")
        self.show_info(text, kind)
        self.session.index_changed.emit()

    def _on_import_error(self, message: str) -> None:
        self.show_error(message)

    def _on_import_done(self) -> None:
        self.import_worker = None
        self.progress_widget.hide()
        self.import_folder_button.setEnabled(True)
        self.import_files_button.setEnabled(True)
        self.session.busy_changed.emit("")

    def show_report(self, report) -> None:
        self.report_summary.setText(report.summary())
        rows = [(item["path"], item["reason"]) for item in report.skipped]
        rows += [(item["path"], self.tr("mask not stored: {reason}").format(reason=item["reason"]))
                 for item in report.mask_problems]
        # SEG/RTSTRUCT objects stored as masks, or listed above with why not, are not
        # "not imported" objects.
        masks = {item["path"] for item in report.masks} | {p for p, _ in rows}
        rows += [
            (item["path"], self.tr("not an image ({kind}); listed, not imported").format(kind=item["kind"]))
            for item in report.non_image if item["path"] not in masks
        ]
        self.skipped_table.setRowCount(len(rows))
        for row, (path, reason) in enumerate(rows):
            self.skipped_table.setItem(row, 0, QTableWidgetItem(path))
            self.skipped_table.setItem(row, 1, QTableWidgetItem(reason))
        self.skipped_table.resizeRowsToContents()

    # -- tree -------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.tree_worker is not None:
            self._stale = True
            return
        worker = self.study_tree_worker(self._fill_tree)
        worker.signals.done.connect(self._on_tree_done)
        self.tree_worker = worker.start()

    def _on_tree_done(self) -> None:
        self.tree_worker = None
        if self._stale and self.isVisible():
            self.refresh_now()

    def _fill_tree(self, patients: list[PatientNode]) -> None:
        self.patients = patients
        self.model.removeRows(0, self.model.rowCount())
        self._series_items.clear()
        modalities: set[str] = set()
        labels: set[str] = set()
        for patient in patients[: UI_DEFAULTS.max_tree_patients]:
            p_item = self._row(self.model.invisibleRootItem(), KIND_PATIENT, patient.patient_key,
                               [patient.title, "", "", str(patient.image_count),
                                class_text(patient.label) if patient.label else "",
                                split_text(patient.split)])
            for study in patient.studies:
                s_item = self._row(p_item, KIND_STUDY, study.study_uid,
                                   [study.title, study.modality, study.date, str(study.image_count),
                                    class_text(study.label) if study.label else "", ""])
                for series in study.series:
                    modalities.add(series.modality)
                    item = self._row(s_item, KIND_SERIES, series.series_uid,
                                     [series.title, series.modality, "", str(series.image_count), "", ""])
                    self._series_items[series.series_uid] = item
            if patient.label:
                labels.add(patient.label)
        self._fill_combo(self.modality_combo, sorted(modalities), self.tr("All modalities"))
        self._fill_combo(self.label_combo, [*sorted(labels), "-"], self.tr("All labels"), class_text)
        self._apply_filters()
        self.tree.expandToDepth(1)
        studies = sum(len(p.studies) for p in patients)
        images = sum(p.image_count for p in patients)
        self.summary_label.setText(
            self.tr("{patients} patients, {studies} studies, {images} images").format(
                patients=len(patients), studies=studies, images=images
            )
        )
        self._load_thumbnails([s for p in patients for st in p.studies for s in st.series])

    def _row(self, parent: QStandardItem, kind: str, uid: str, texts: list[str]) -> QStandardItem:
        items = [QStandardItem(text) for text in texts]
        for item in items:
            item.setEditable(False)
        items[0].setData(kind, ROLE_KIND)
        items[0].setData(uid, ROLE_UID)
        parent.appendRow(items)
        return items[0]

    def _fill_combo(self, combo: QComboBox, values: list[str], all_text: str,
                    shown: Callable[[str], str] = str) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(all_text, ALL)
        for value in values:
            combo.addItem(self.tr("Unlabelled") if value == "-" else shown(value), value)
        index = combo.findData(current)
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.blockSignals(False)

    def _apply_filters(self) -> None:
        """Search text over every column; modality and label filters hide whole patients."""
        self.proxy.setFilterFixedString(self.search_edit.text().strip())
        modality = self.modality_combo.currentData()
        label = self.label_combo.currentData()
        task = self.current_task() if self.task_only.isChecked() else None
        root = self.model.invisibleRootItem()
        for row in range(root.rowCount()):
            patient = self.patients[row] if row < len(self.patients) else None
            hide = False
            if patient is not None:
                if modality not in (None, ALL) and modality not in patient.modalities:
                    hide = True
                if label not in (None, ALL) and (patient.label or "-") != label:
                    hide = True
                if task is not None and not task_uses(patient, task):
                    hide = True
            source_index = self.model.index(row, 0)
            proxy_index = self.proxy.mapFromSource(source_index)
            if proxy_index.isValid():
                self.tree.setRowHidden(proxy_index.row(), proxy_index.parent(), hide)

    def current_task(self) -> TaskDefinition | None:
        """The task the site works on (its federation's, else the one chosen for labels)."""
        try:
            return load_task(self.session.preferences.task, self.session.data_dir)
        except TaskFileError:
            return None

    def visible_patient_keys(self) -> list[str]:
        keys = []
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if not self.tree.isRowHidden(row, index.parent()):
                keys.append(str(index.data(ROLE_UID)))
        return keys

    def _on_double_click(self, proxy_index) -> None:
        index = proxy_index.siblingAtColumn(0)
        kind = index.data(ROLE_KIND)
        uid = str(index.data(ROLE_UID))
        if kind == KIND_SERIES:
            self.session.open_series_requested.emit(uid)
        elif kind == KIND_STUDY:
            for patient in self.patients:
                for study in patient.studies:
                    if study.study_uid == uid and study.series:
                        self.session.open_series_requested.emit(study.series[0].series_uid)
                        return

    # -- thumbnails -------------------------------------------------------------------
    def _load_thumbnails(self, series: list[SeriesNode]) -> None:
        if self.thumb_worker is not None:
            self.thumb_worker.cancel()
        size = UI_DEFAULTS.thumbnail_px
        wanted = [(s.series_uid, s.middle_path, s.modality) for s in series if s.middle_path]

        def run(ctx: JobContext) -> None:
            for done, (uid, path, modality) in enumerate(wanted, start=1):
                if ctx.cancelled():
                    return
                try:
                    array = thumbnail_array(path, modality, size)
                except Exception:
                    continue  # a file that cannot be decoded keeps the row without a picture
                ctx.publish((uid, array))
                ctx.progress(done, len(wanted))

        worker = Worker(run, self.tr("drawing thumbnails"))
        worker.signals.yielded.connect(self._set_thumbnail)
        self.thumb_worker = worker.start()

    def _set_thumbnail(self, payload: tuple[str, np.ndarray]) -> None:
        series_uid, array = payload
        item = self._series_items.get(series_uid)
        if item is not None:
            item.setIcon(QIcon(to_pixmap(array)))
