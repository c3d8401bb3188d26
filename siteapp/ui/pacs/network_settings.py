"""Settings > DICOM network: the site's receiver (start/stop) and the PACS nodes."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from siteapp.pacs.config import (
    DicomNetworkConfig,
    PacsConfigError,
    PacsNode,
    ReceiverSettings,
    TlsFiles,
    load_network_config,
    save_network_config,
)
from siteapp.pacs.received import ReceivedBatch
from siteapp.pacs.send import echo
from siteapp.ui.pacs.receiver_service import receiver_service, start_if_configured
from siteapp.ui.pages.base import Page
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.workers import JobContext, Worker

NODE_COLUMNS = ("name", "ae_title", "host", "port", "retrieve", "tls_ca")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


class DicomNetworkSection(QGroupBox):
    """Edits ``dicom-network.json`` of the page's data folder; reports in the page's bar."""

    def __init__(self, page: Page, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("DICOM network (PACS and modalities)"), parent)
        self.page = page
        self.session = page.session
        self.service = receiver_service(self.session)
        self._echo_worker: Worker | None = None
        layout = QVBoxLayout(self)

        form = QFormLayout()
        self.ae_edit = QLineEdit()
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.allowed_ae_edit = QLineEdit()
        self.allowed_ae_edit.setPlaceholderText(self.tr("e.g. CT_SCANNER1, PACS_MAIN"))
        self.allowed_hosts_edit = QLineEdit()
        self.allowed_hosts_edit.setPlaceholderText(self.tr("any host (the AE title is still checked)"))
        self.start_with_app = QCheckBox(self.tr("Start the receiver when the app starts"))
        form.addRow(self.tr("This site's AE title"), self.ae_edit)
        form.addRow(self.tr("Receiver port"), self.port_spin)
        form.addRow(self.tr("Allowed calling AE titles"), self.allowed_ae_edit)
        form.addRow(self.tr("Allowed hosts"), self.allowed_hosts_edit)
        form.addRow("", self.start_with_app)
        receiver_row = QHBoxLayout()
        self.receiver_state = QLabel()
        self.receiver_button = QPushButton()
        self.receiver_button.clicked.connect(self.toggle_receiver)
        receiver_row.addWidget(self.receiver_state, 1)
        receiver_row.addWidget(self.receiver_button)
        form.addRow(self.tr("Receiver"), receiver_row)
        layout.addLayout(form)

        layout.addWidget(QLabel(self.tr("PACS nodes this site queries, retrieves from and sends results to:")))
        self.nodes = QTableWidget(0, len(NODE_COLUMNS))
        self.nodes.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("AE title"), self.tr("Host"), self.tr("Port"),
            self.tr("Retrieve by"), self.tr("TLS: CA file (empty = no TLS)"),
        ])
        self.nodes.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.nodes.verticalHeader().hide()
        self.nodes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.nodes.horizontalHeader().setStretchLastSection(True)
        self.nodes.setMinimumHeight(110)
        layout.addWidget(self.nodes)
        buttons = QHBoxLayout()
        add = QPushButton(self.tr("Add node"))
        add.clicked.connect(lambda: self.add_node_row(PacsNode("", "", "", 104)))
        remove = QPushButton(self.tr("Remove node"))
        remove.clicked.connect(self._remove_selected)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_selected)
        save = QPushButton(self.tr("Save DICOM network settings"))
        save.clicked.connect(self.save)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(save)
        layout.addLayout(buttons)

        self.service.running_changed.connect(lambda _running: self._show_receiver_state())
        self.service.batch_received.connect(self._on_batch)
        problem = start_if_configured(self.session)
        if problem:
            self.page.show_error(self.tr("The DICOM receiver did not start: {problem}").format(problem=problem))
        self.refresh()

    # -- reading and writing the settings -------------------------------------------
    def refresh(self) -> None:
        try:
            config = load_network_config(self.session.data_dir)
        except PacsConfigError as exc:
            self.page.show_error(str(exc))
            config = DicomNetworkConfig()
        receiver = config.receiver
        self.ae_edit.setText(receiver.ae_title)
        self.port_spin.setValue(receiver.port)
        self.allowed_ae_edit.setText(", ".join(receiver.allowed_calling_ae_titles))
        self.allowed_hosts_edit.setText(", ".join(receiver.allowed_hosts))
        self.start_with_app.setChecked(receiver.start_with_app)
        self._receiver_tls = receiver.tls
        self._bind_address = receiver.bind_address
        self.nodes.setRowCount(0)
        for node in config.nodes:
            self.add_node_row(node)
        self._show_receiver_state()

    def add_node_row(self, node: PacsNode) -> None:
        row = self.nodes.rowCount()
        self.nodes.insertRow(row)
        values = [node.name, node.ae_title, node.host, str(node.port), "",
                  node.tls.ca_file if node.tls else ""]
        for column, value in enumerate(values):
            self.nodes.setItem(row, column, QTableWidgetItem(value))
        method = QComboBox()
        method.addItem(self.tr("C-MOVE to this site"), "move")
        method.addItem(self.tr("C-GET"), "get")
        method.setCurrentIndex(max(0, method.findData(node.retrieve_method)))
        self.nodes.setCellWidget(row, NODE_COLUMNS.index("retrieve"), method)

    def _cell(self, row: int, column: str) -> str:
        item = self.nodes.item(row, NODE_COLUMNS.index(column))
        return item.text().strip() if item is not None else ""

    def _node_at(self, row: int) -> PacsNode:
        port_text = self._cell(row, "port")
        if not port_text.isdigit():
            raise PacsConfigError(
                f"the port of node '{self._cell(row, 'name')}' must be a number (often 104 or 11112)"
            )
        method = self.nodes.cellWidget(row, NODE_COLUMNS.index("retrieve"))
        ca = self._cell(row, "tls_ca")
        return PacsNode(
            self._cell(row, "name"), self._cell(row, "ae_title"), self._cell(row, "host"),
            int(port_text), str(method.currentData()) if isinstance(method, QComboBox) else "move",
            TlsFiles(ca) if ca else None,
        )

    def config_from_form(self) -> DicomNetworkConfig:
        receiver = ReceiverSettings(
            ae_title=self.ae_edit.text().strip(), port=self.port_spin.value(),
            bind_address=self._bind_address,
            allowed_calling_ae_titles=_split(self.allowed_ae_edit.text()),
            allowed_hosts=_split(self.allowed_hosts_edit.text()),
            start_with_app=self.start_with_app.isChecked(), tls=self._receiver_tls,
        )
        config = DicomNetworkConfig(receiver)
        for row in range(self.nodes.rowCount()):
            config = config.with_node(self._node_at(row))
        return config

    def save(self) -> bool:
        try:
            save_network_config(self.session.data_dir, self.config_from_form())
        except (PacsConfigError, OSError) as exc:
            self.page.show_exception(exc, self.tr("saving the DICOM network settings"))
            return False
        message = self.tr("DICOM network settings saved.")
        if self.service.running:
            message += " " + self.tr("Stop and start the receiver to use them.")
        self.page.show_info(message, NoticeKind.SUCCESS)
        return True

    def _remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.nodes.selectedIndexes()}, reverse=True):
            self.nodes.removeRow(row)

    # -- the receiver -----------------------------------------------------------------
    def _show_receiver_state(self) -> None:
        if self.service.running and self.service.receiver is not None:
            settings = self.service.receiver.config.receiver
            self.receiver_state.setText(self.tr("Listening as {ae} on port {port}.").format(
                ae=settings.ae_title, port=self.service.receiver.port))
            self.receiver_button.setText(self.tr("Stop receiver"))
        else:
            self.receiver_state.setText(self.tr("Stopped: nothing can send studies to this site."))
            self.receiver_button.setText(self.tr("Start receiver"))

    def toggle_receiver(self) -> None:
        if self.service.running:
            self.service.stop()
            self.page.show_info(self.tr("DICOM receiver stopped."))
            return
        if not self.save():
            return
        try:
            self.service.start()
        except Exception as exc:
            self.page.show_exception(exc, self.tr("starting the DICOM receiver"))
            return
        self.page.show_info(self.tr("DICOM receiver started."), NoticeKind.SUCCESS)

    def _on_batch(self, batch: ReceivedBatch) -> None:
        report = batch.report
        kind = NoticeKind.WARNING if report.skipped else NoticeKind.SUCCESS
        self.page.show_info(self.tr("Received from {ae}: {summary}").format(
            ae=batch.calling_ae_title, summary=report.summary()), kind)

    # -- testing a node -------------------------------------------------------------
    def test_selected(self) -> Worker | None:
        rows = sorted({i.row() for i in self.nodes.selectedIndexes()}) or [0]
        if self.nodes.rowCount() == 0 or self._echo_worker is not None:
            return None
        try:
            node = self._node_at(rows[0])
            local = self.ae_edit.text().strip()
        except PacsConfigError as exc:
            self.page.show_error(str(exc))
            return None

        def run(ctx: JobContext) -> str:
            echo(node, local)
            return node.describe()

        worker = Worker(run, self.tr("testing the connection to {node}").format(node=node.name))
        worker.signals.finished.connect(lambda text: self.page.show_info(
            self.tr("{node} answered.").format(node=text), NoticeKind.SUCCESS))
        worker.signals.errored.connect(self.page.show_error)
        worker.signals.done.connect(self._echo_done)
        self.test_button.setEnabled(False)
        self._echo_worker = worker
        return worker.start()

    def _echo_done(self) -> None:
        self._echo_worker = None
        self.test_button.setEnabled(True)
