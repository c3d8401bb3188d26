"""Query PACS: find studies on a configured node and retrieve the chosen ones.

The search (C-FIND) and the retrieve (C-MOVE to this site's receiver, or C-GET) run in
workers; the retrieve shows progress by instance and can be cancelled, keeping what
arrived. ``retrieved`` carries the :class:`siteapp.pacs.retrieve.RetrieveReport`, whose
import report the Studies page shows like an import's.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from siteapp.pacs.config import DicomNetworkConfig, load_network_config
from siteapp.pacs.query import StudyMatch, StudyQuery, query_studies
from siteapp.pacs.retrieve import RetrieveReport, retrieve_studies
from siteapp.ui.error_messages import user_message
from siteapp.ui.pacs.receiver_service import receiver_service
from siteapp.ui.session import SiteSession
from siteapp.ui.workers import JobContext, Worker

MODALITIES = ("", "CT", "MR", "CR", "DX", "MG", "US", "PT", "NM", "XA")
COLUMNS = ("patient_id", "patient_name", "study_date", "modalities", "accession",
           "description", "instances")


def _qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class QueryPacsDialog(QDialog):
    retrieved = Signal(object)  # RetrieveReport

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(self.tr("Query PACS"))
        self.resize(940, 560)
        self.matches: list[StudyMatch] = []
        self.worker: Worker | None = None
        self.config = DicomNetworkConfig()
        layout = QVBoxLayout(self)

        form = QFormLayout()
        self.node_combo = QComboBox()
        form.addRow(self.tr("PACS node"), self.node_combo)
        self.patient_id_edit = QLineEdit()
        self.patient_name_edit = QLineEdit()
        self.patient_name_edit.setPlaceholderText(self.tr("DOE^JOHN, or DOE* for all names starting with DOE"))
        form.addRow(self.tr("Patient ID"), self.patient_id_edit)
        form.addRow(self.tr("Patient name"), self.patient_name_edit)
        dates = QHBoxLayout()
        self.use_dates = QCheckBox(self.tr("Study date from"))
        self.date_from = QDateEdit(QDate.currentDate().addMonths(-1))
        self.date_to = QDateEdit(QDate.currentDate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.use_dates.toggled.connect(self.date_from.setEnabled)
        self.use_dates.toggled.connect(self.date_to.setEnabled)
        dates.addWidget(self.use_dates)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel(self.tr("to")))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        form.addRow(self.tr("Dates"), dates)
        self.modality_combo = QComboBox()
        for modality in MODALITIES:
            self.modality_combo.addItem(modality or self.tr("Any"), modality)
        self.accession_edit = QLineEdit()
        form.addRow(self.tr("Modality"), self.modality_combo)
        form.addRow(self.tr("Accession number"), self.accession_edit)
        layout.addLayout(form)

        search_row = QHBoxLayout()
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.setObjectName("Primary")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        search_row.addWidget(self.search_button)
        search_row.addStretch(1)
        layout.addLayout(search_row)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([
            self.tr("Patient ID"), self.tr("Name"), self.tr("Date"), self.tr("Modality"),
            self.tr("Accession"), self.tr("Description"), self.tr("Images"),
        ])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        bottom = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.hide()
        self.retrieve_button = QPushButton(self.tr("Retrieve selected studies"))
        self.retrieve_button.clicked.connect(self.retrieve_selected)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.retrieve_button)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        self._load_nodes()
        self._update_buttons()

    def _load_nodes(self) -> None:
        try:
            self.config = load_network_config(self.session.data_dir)
        except Exception as exc:
            self.status_label.setText(user_message(exc, self.tr("reading the DICOM network settings")))
            return
        for node in self.config.nodes:
            self.node_combo.addItem(node.describe(), node.name)
        if not self.config.nodes:
            self.status_label.setText(self.tr(
                "No PACS node is configured yet: add one in Settings > DICOM network."))

    def query(self) -> StudyQuery:
        use_dates = self.use_dates.isChecked()
        return StudyQuery(
            patient_id=self.patient_id_edit.text(),
            patient_name=self.patient_name_edit.text(),
            date_from=_qdate(self.date_from.date()) if use_dates else None,
            date_to=_qdate(self.date_to.date()) if use_dates else None,
            modality=str(self.modality_combo.currentData() or ""),
            accession=self.accession_edit.text(),
        )

    def _busy(self) -> bool:
        return self.worker is not None

    def _update_buttons(self) -> None:
        busy = self._busy()
        has_node = self.node_combo.count() > 0
        self.search_button.setEnabled(has_node and not busy)
        self.retrieve_button.setEnabled(has_node and not busy and bool(self.selected_rows()))
        self.cancel_button.setEnabled(busy)

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.table.selectionModel().selectedRows()})

    # -- search ---------------------------------------------------------------------
    def search(self) -> Worker | None:
        if self._busy() or self.node_combo.count() == 0:
            return None
        node = self.config.node(str(self.node_combo.currentData()))
        query, local = self.query(), self.config.receiver.ae_title

        def run(ctx: JobContext) -> list[StudyMatch]:
            ctx.status(f"asking {node.name}")
            return query_studies(node, local, query, ctx.cancel)

        self.status_label.setText(self.tr("Searching {node}…").format(node=node.describe()))
        return self._start(Worker(run, self.tr("querying {node}").format(node=node.name)),
                           self._show_matches)

    def _show_matches(self, matches: list[StudyMatch]) -> None:
        self.matches = matches
        self.table.setRowCount(len(matches))
        for row, match in enumerate(matches):
            values = [match.patient_id, match.patient_name, match.study_date, match.modalities,
                      match.accession, match.description,
                      "" if match.instances is None else str(match.instances)]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, match.study_uid)
                self.table.setItem(row, column, item)
        self.status_label.setText(self.tr("{n} studies found. Select the ones to retrieve.").format(n=len(matches)))

    # -- retrieve -------------------------------------------------------------------
    def retrieve_selected(self) -> Worker | None:
        rows = self.selected_rows()
        if self._busy() or not rows:
            return None
        node = self.config.node(str(self.node_combo.currentData()))
        uids = [self.matches[row].study_uid for row in rows]
        data_dir, config = self.session.data_dir, self.config
        service = receiver_service(self.session)
        receiver = service.receiver if service.running else None

        def run(ctx: JobContext) -> RetrieveReport:
            return retrieve_studies(data_dir, config, node, uids, receiver, ctx.progress,
                                    ctx.status, ctx.cancel)

        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_label.setText(self.tr("Retrieving {n} studies from {node}…").format(
            n=len(uids), node=node.describe()))
        worker = Worker(run, self.tr("retrieving studies from {node}").format(node=node.name))
        worker.signals.progress.connect(self._on_progress)
        worker.signals.status.connect(self.status_label.setText)
        return self._start(worker, self._on_retrieved)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _on_retrieved(self, report: RetrieveReport) -> None:
        self.status_label.setText(report.summary())
        self.retrieved.emit(report)

    # -- shared ---------------------------------------------------------------------
    def _start(self, worker: Worker, on_finished) -> Worker:
        worker.signals.finished.connect(on_finished)
        worker.signals.errored.connect(self.status_label.setText)
        worker.signals.done.connect(self._on_done)
        self.worker = worker
        self._update_buttons()
        return worker.start()

    def _on_done(self) -> None:
        self.worker = None
        self.progress.hide()
        self._update_buttons()

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.status_label.setText(self.tr("Cancelling; what has arrived is kept…"))

    def reject(self) -> None:
        self.cancel()
        super().reject()
