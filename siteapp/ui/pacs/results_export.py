"""Export inference results as DICOM: SR and saliency Secondary Capture per study, written
to a folder and, if chosen, sent to a PACS node (C-STORE), in a worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from siteapp.federation.audit import AuditLog
from siteapp.pacs.config import DicomNetworkConfig, load_network_config
from siteapp.pacs.export import ExportOutcome, default_results_dir, export_results
from siteapp.pacs.received import safe_name
from siteapp.ui.error_messages import user_message
from siteapp.ui.session import SiteSession
from siteapp.ui.workers import JobContext, Worker

if TYPE_CHECKING:
    from siteapp.training.inference import InferenceReport


class ResultsExportDialog(QDialog):
    """Shows what will be written (one SR and one saliency image per study) and where."""

    def __init__(self, session: SiteSession, report: InferenceReport, source_paths: list[Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report = report
        self.source_paths = source_paths
        self.worker: Worker | None = None
        self.outcome: ExportOutcome | None = None
        self.config = DicomNetworkConfig()
        self.setWindowTitle(self.tr("Export results as DICOM"))
        self.resize(720, 460)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "For each of the {n} studies: a Structured Report (predicted class, probability, "
            "model {model}, round {round}) and the saliency map as a Secondary Capture image, "
            "both filed in the patient's study.").format(
                n=len(report.studies), model=report.model_name, round=report.model_round))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit(str(default_results_dir(session.data_dir)))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form.addRow(self.tr("Write to folder"), folder_row)
        send_row = QHBoxLayout()
        self.send_check = QCheckBox(self.tr("Also send to"))
        self.node_combo = QComboBox()
        send_row.addWidget(self.send_check)
        send_row.addWidget(self.node_combo, 1)
        form.addRow(self.tr("PACS"), send_row)
        layout.addLayout(form)

        self.files = QListWidget()
        layout.addWidget(self.files, 1)
        self._list_studies()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        bottom = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.hide()
        self.export_button = QPushButton(self.tr("Export"))
        self.export_button.setObjectName("Primary")
        self.export_button.clicked.connect(self.export)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self._load_nodes()

    def _study_line(self, study_uid: str) -> str:
        study = next(s for s in self.report.studies if s.study_uid == study_uid)
        return self.tr("{patient}: {predicted} (probability {p:.0%})").format(
            patient=study.patient_id or study.study_uid, predicted=study.predicted_class,
            p=study.probability)

    def _list_studies(self) -> None:
        self.files.clear()
        for study in self.report.studies:
            self.files.addItem(self._study_line(study.study_uid) + " · " + self.tr(
                "Structured Report + saliency image"))

    def _load_nodes(self) -> None:
        try:
            self.config = load_network_config(self.session.data_dir)
        except Exception as exc:
            self.status_label.setText(user_message(exc, self.tr("reading the DICOM network settings")))
        for node in self.config.nodes:
            self.node_combo.addItem(node.describe(), node.name)
        has_nodes = bool(self.config.nodes)
        self.send_check.setEnabled(has_nodes)
        self.send_check.setChecked(has_nodes)
        self.node_combo.setEnabled(has_nodes)
        if not has_nodes:
            self.node_combo.addItem(self.tr("no PACS node configured (Settings > DICOM network)"))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder for the DICOM results"),
                                                  self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def export(self) -> Worker | None:
        if self.worker is not None:
            return None
        out_dir = Path(self.folder_edit.text().strip()).expanduser()
        node = str(self.node_combo.currentData()) if self.send_check.isChecked() else None
        report, sources, config = self.report, self.source_paths, self.config
        audit = AuditLog(self.session.data_dir)

        def run(ctx: JobContext) -> ExportOutcome:
            ctx.status("writing the results")
            return export_results(report, sources, out_dir, config, node, ctx.progress,
                                  ctx.cancel, audit.record)

        worker = Worker(run, self.tr("exporting the results as DICOM"))
        worker.signals.finished.connect(self._on_finished)
        worker.signals.errored.connect(self.status_label.setText)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.done.connect(self._on_done)
        self.worker = worker
        self.progress.setRange(0, 0)
        self.progress.show()
        self.export_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status_label.setText(self.tr("Writing…"))
        return worker.start()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _on_finished(self, outcome: ExportOutcome) -> None:
        self.outcome = outcome
        if outcome.sent is not None:
            self.session.audit_changed.emit()
        self.files.clear()
        sent = set(outcome.sent.sent) if outcome.sent else set()
        by_uid = {safe_name(s.study_uid): s.study_uid for s in self.report.studies}
        for path in outcome.written:
            kind = (self.tr("Structured Report") if path.name.startswith("sr-")
                    else self.tr("saliency image (Secondary Capture)"))
            state = self.tr("written, sent") if str(path) in sent else self.tr("written")
            study_uid = by_uid.get(path.parent.name)
            line = self._study_line(study_uid) if study_uid else path.parent.name
            item = QListWidgetItem(f"{line} · {kind} · {state}")
            item.setToolTip(str(path))
            self.files.addItem(item)
        text = self.tr("{n} DICOM objects written to {folder}.").format(
            n=len(outcome.written), folder=self.folder_edit.text())
        if outcome.sent is not None:
            text += " " + self.tr("Sent {sent} to {node}; {failed} refused.").format(
                sent=len(outcome.sent.sent), node=outcome.sent.node, failed=len(outcome.sent.failed))
            for failure in outcome.sent.failed[:3]:
                text += f"\n{failure['path']}: {failure['reason']}"
        self.status_label.setText(text)

    def _on_done(self) -> None:
        self.worker = None
        self.progress.hide()
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def reject(self) -> None:
        self.cancel()
        super().reject()
