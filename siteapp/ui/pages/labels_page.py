"""Labels: label patients from the keyboard, see the class balance, import/export CSV.

A label belongs to a patient (the privacy record); keys 1-9 pick a class, 0 clears,
N or Space moves to the next unlabelled patient. Labelling calls
:meth:`siteapp.dicom.index.StudyIndex.set_label`; CSV files go through
:mod:`siteapp.dicom.labels`, which checks the whole file and reports row errors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from siteapp.dicom.index import StudyIndex
from siteapp.dicom.labels import LabelsFileError, export_labels, import_labels
from siteapp.dicom.pixels import WINDOW_PRESETS
from siteapp.tasks import available_tasks, load_task
from siteapp.ui.pages.base import Page
from siteapp.ui.series_loader import LoadedSeries, load_series
from siteapp.ui.session import SiteSession
from siteapp.ui.study_tree import PatientNode
from siteapp.ui.ui_settings import DEFAULT_WINDOW_BY_MODALITY
from siteapp.ui.vocabulary import class_text, split_text, task_title_text
from siteapp.ui.widgets.charts import PALETTE, BarChart
from siteapp.ui.widgets.image_viewer import ImageViewer
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.widgets.table_width import fit_width_to_columns
from siteapp.ui.workers import JobContext, Worker

MAX_TABLE_WIDTH_PX = 560  # beyond this the name elides; the preview keeps its room
COLUMNS = 6  # patient, studies, images, label, split, mask
UNLABELLED_COLOR = "#9aa5b0"


class LabelsPage(Page):
    page_id = "labels"
    icon_name = "labels"

    def title(self) -> str:
        return self.tr("Labels")

    def description(self) -> str:
        return self.tr(
            "Label each patient: press the number of a class, 0 to clear, N or Space for the "
            "next unlabelled patient. Labels never leave this site."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.patients: list[PatientNode] = []
        self.classes: tuple[str, ...] = ()
        self.preview_worker: Worker | None = None
        self.tree_worker: Worker | None = None

        top = QHBoxLayout()
        self.task_combo = QComboBox()
        self.task_combo.activated.connect(self._on_task_chosen)
        self.unlabelled_only = QCheckBox(self.tr("Show unlabelled patients only"))
        self.unlabelled_only.toggled.connect(self._fill_table)
        self.import_button = QPushButton(self.tr("Import labels CSV…"))
        self.import_button.clicked.connect(self.choose_and_import_csv)
        self.export_button = QPushButton(self.tr("Export labels CSV…"))
        self.export_button.clicked.connect(self.choose_and_export_csv)
        top.addWidget(QLabel(self.tr("Task")))
        top.addWidget(self.task_combo)
        top.addSpacing(12)
        top.addWidget(self.unlabelled_only)
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)
        self.body.addLayout(top)

        self.table = QTableWidget(0, COLUMNS)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Patient"), self.tr("Studies"), self.tr("Images"), self.tr("Label"), self.tr("Split"),
             self.tr("Mask")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentCellChanged.connect(self._on_current_changed)

        self.preview = ImageViewer(compact=True)
        self.preview.set_presets(WINDOW_PRESETS)
        self.current_label = QLabel()
        self.current_label.setObjectName("Prediction")
        self.current_label.setWordWrap(True)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.class_box = QGroupBox(self.tr("Classes (press the key)"))
        self.class_buttons_layout = QVBoxLayout(self.class_box)
        balance_box = QGroupBox(self.tr("Class balance"))
        balance_layout = QVBoxLayout(balance_box)
        self.balance_chart = BarChart()
        self.balance_chart.setMinimumHeight(170)
        self.balance_text = QLabel()
        self.balance_text.setWordWrap(True)
        balance_layout.addWidget(self.balance_chart)
        balance_layout.addWidget(self.balance_text)
        self.errors_box = QGroupBox(self.tr("Problems in the labels file"))
        errors_layout = QVBoxLayout(self.errors_box)
        self.errors_table = QTableWidget(0, 2)
        self.errors_table.setHorizontalHeaderLabels([self.tr("Row"), self.tr("Problem")])
        self.errors_table.horizontalHeader().setStretchLastSection(True)
        self.errors_table.verticalHeader().hide()
        self.errors_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        errors_layout.addWidget(self.errors_table)
        self.errors_box.hide()
        right_layout.addWidget(self.class_box)
        right_layout.addWidget(balance_box)
        right_layout.addWidget(self.errors_box, 1)
        right_layout.addStretch(0)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.current_label)
        middle_layout.addWidget(self.preview, 1)

        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([430, 420, 330])
        self.body.addWidget(splitter, 1)

        self._shortcuts: list[QShortcut] = []
        for key in (Qt.Key.Key_N, Qt.Key.Key_Space):
            self._shortcut(key, self.next_unlabelled)
        for key in (Qt.Key.Key_0, Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._shortcut(key, lambda: self.label_current(None))
        for number in range(1, 10):
            self._shortcut(Qt.Key(Qt.Key.Key_0 + number), lambda n=number: self.label_by_number(n))
        session.index_changed.connect(self.mark_stale)
        session.labels_changed.connect(self.mark_stale)
        session.masks_changed.connect(self.mark_stale)

    def _shortcut(self, key: Qt.Key, slot) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        self._shortcuts.append(shortcut)

    # -- data -------------------------------------------------------------------------
    def refresh(self) -> None:
        data_dir = self.session.data_dir
        self.task_combo.clear()
        for name in available_tasks(data_dir):  # built-in ones and the federation's
            self.task_combo.addItem(task_title_text(name, load_task(name, data_dir).title), name)
        task = self.session.preferences.task
        index = self.task_combo.findData(task)
        self.task_combo.setCurrentIndex(max(index, 0))
        self.classes = load_task(str(self.task_combo.currentData()), data_dir).classes
        self._build_class_buttons()
        self.tree_worker = self.study_tree_worker(self._on_tree).start()

    def _on_tree(self, patients: list[PatientNode]) -> None:
        self.patients = patients
        self._fill_table()
        self._update_balance()

    def _on_task_chosen(self, row: int) -> None:
        self.session.preferences.task = str(self.task_combo.itemData(row))
        self.refresh_now()

    def _build_class_buttons(self) -> None:
        while self.class_buttons_layout.count():
            item = self.class_buttons_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for number, name in enumerate(self.classes, start=1):
            button = QPushButton(f"{number}   {class_text(name)}")
            button.clicked.connect(lambda _c=False, n=number: self.label_by_number(n))
            self.class_buttons_layout.addWidget(button)
        clear = QPushButton(self.tr("0   clear label"))
        clear.clicked.connect(lambda: self.label_current(None))
        nxt = QPushButton(self.tr("N   next unlabelled patient"))
        nxt.clicked.connect(self.next_unlabelled)
        self.class_buttons_layout.addWidget(clear)
        self.class_buttons_layout.addWidget(nxt)

    def visible_patients(self) -> list[PatientNode]:
        if self.unlabelled_only.isChecked():
            return [p for p in self.patients if not p.label]
        return list(self.patients)

    def _fill_table(self, *_args: object) -> None:
        current_key = self.current_patient_key()
        rows = self.visible_patients()
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for row, patient in enumerate(rows):
            values = [patient.title, str(len(patient.studies)), str(patient.image_count),
                      class_text(patient.label) if patient.label else self.tr("unlabelled"),
                      split_text(patient.split), self.tr("yes") if patient.has_mask else ""]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, patient.patient_key)
                if col == 3 and not patient.label:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self._fit_table_width(rows)
        keys = [p.patient_key for p in rows]
        if rows:
            self.select_row(keys.index(current_key) if current_key in keys else 0)

    def _fit_table_width(self, rows: list[PatientNode]) -> None:
        """Room for the longest patient name and every other column, up to a limit: at the
        default window size names were elided and the class clipped."""
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        names = max((metrics.horizontalAdvance(p.title) for p in rows), default=0)
        names = max(names, header.sectionSizeHint(0)) + 2 * metrics.averageCharWidth()
        fit_width_to_columns(self.table, MAX_TABLE_WIDTH_PX, given_px={0: names})

    def _update_balance(self) -> None:
        counts = Counter(p.label for p in self.patients if p.label)
        unlabelled = sum(1 for p in self.patients if not p.label)
        names = [*(class_text(c) for c in self.classes), self.tr("unlabelled")]
        values = [counts.get(c, 0) for c in self.classes] + [unlabelled]
        colors = [PALETTE[i % len(PALETTE)] for i in range(len(self.classes))] + [UNLABELLED_COLOR]
        self.balance_chart.set_bars(names, values, colors)
        labelled = sum(counts.values())
        parts = [f"{class_text(c)}: {counts.get(c, 0)}" for c in self.classes]
        self.balance_text.setText(
            self.tr("{labelled} of {total} patients labelled ({parts}).").format(
                labelled=labelled, total=len(self.patients), parts=", ".join(parts)
            )
        )

    # -- current patient --------------------------------------------------------------
    def current_patient_key(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def current_patient(self) -> PatientNode | None:
        key = self.current_patient_key()
        return next((p for p in self.patients if p.patient_key == key), None)

    def select_row(self, row: int) -> None:
        self.table.setCurrentCell(row, 0)
        item = self.table.item(row, 0)
        if item is not None:
            self.table.scrollToItem(item)

    def _on_current_changed(self, row: int, *_args: object) -> None:
        patient = self.current_patient()
        if patient is None:
            self.current_label.setText("")
            return
        self.current_label.setText(
            f"{patient.title}: {class_text(patient.label) if patient.label else self.tr('unlabelled')}"
        )
        series = next((s for st in patient.studies for s in st.series), None)
        if series is not None:
            self._load_preview(series.series_uid, series.modality)

    def _load_preview(self, series_uid: str, modality: str) -> None:
        if self.preview_worker is not None:
            self.preview_worker.cancel()
        data_dir = self.session.data_dir

        def run(ctx: JobContext) -> LoadedSeries | None:
            return load_series(data_dir, series_uid, ctx.progress, ctx.cancelled, modality)

        worker = Worker(run, self.tr("opening the study preview"))
        worker.signals.finished.connect(self._show_preview)
        worker.signals.errored.connect(self.show_error)
        self.preview_worker = worker.start()

    def _show_preview(self, loaded: LoadedSeries | None) -> None:
        if loaded is None:
            return
        self.preview.set_volume(loaded.volume, DEFAULT_WINDOW_BY_MODALITY.get(loaded.modality.upper()))

    # -- labelling --------------------------------------------------------------------
    def label_by_number(self, number: int) -> None:
        if 1 <= number <= len(self.classes):
            self.label_current(self.classes[number - 1])

    def label_current(self, label: str | None) -> None:
        """Label (or, with None, unlabel) the selected patient and keep the row selected."""
        patient = self.current_patient()
        if patient is None:
            return
        try:
            with StudyIndex(self.session.data_dir) as index:
                index.set_label(patient.patient_key, label)
                rows = {r.patient_key: r for r in index.patients()}
        except Exception as exc:
            self.show_exception(exc, self.tr("saving the label"))
            return
        self.patients = [
            replace(p, label=rows[p.patient_key].label or "", split=rows[p.patient_key].split or "")
            if p.patient_key in rows else p
            for p in self.patients
        ]
        self._fill_table()
        self._update_balance()
        self._on_current_changed(self.table.currentRow())
        self.session.labels_changed.emit()
        self._stale = False  # this page is already up to date

    def next_unlabelled(self) -> None:
        rows = self.visible_patients()
        start = self.table.currentRow() + 1
        order = list(range(start, len(rows))) + list(range(0, start))
        for row in order:
            if not rows[row].label:
                self.select_row(row)
                return
        self.show_info(self.tr("Every patient is labelled."), NoticeKind.SUCCESS)

    # -- CSV --------------------------------------------------------------------------
    def choose_and_import_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import labels"), "", self.tr("CSV files (*.csv)"))
        if path:
            self.import_csv(Path(path))

    def import_csv(self, path: Path) -> bool:
        """Import a labels CSV; on errors, list every bad row and apply nothing."""
        self.errors_box.hide()
        try:
            result = import_labels(self.session.data_dir, path, str(self.task_combo.currentData()))
        except LabelsFileError as exc:
            self.errors_table.setRowCount(len(exc.errors))
            for row, error in enumerate(exc.errors):
                self.errors_table.setItem(row, 0, QTableWidgetItem(str(error.row)))
                self.errors_table.setItem(row, 1, QTableWidgetItem(error.message))
            self.errors_box.show()
            self.show_error(
                self.tr("{n} problem(s) in {file}; no labels were applied. Fix the rows listed "
                        "on the right and import the file again.").format(n=len(exc.errors), file=path.name)
            )
            return False
        except Exception as exc:
            self.show_exception(exc, self.tr("importing the labels file"))
            return False
        self.show_info(
            self.tr("{patients} patients and {studies} studies labelled from {file}.").format(
                patients=result.patients_labelled, studies=result.studies_labelled, file=path.name
            ),
            NoticeKind.SUCCESS,
        )
        self.refresh_now()
        self.session.labels_changed.emit()
        self._stale = False
        return True

    def choose_and_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export labels"), "labels.csv", self.tr("CSV files (*.csv)"))
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> int | None:
        try:
            count = export_labels(self.session.data_dir, path)
        except Exception as exc:
            self.show_exception(exc, self.tr("exporting the labels"))
            return None
        self.show_info(
            self.tr("{n} labels written to {file}. The file holds real patient IDs: keep it on this site.").format(
                n=count, file=path
            ),
            NoticeKind.SUCCESS,
        )
        return count
