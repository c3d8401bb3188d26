"""Inference: run the site's current model on a new scan or on chosen studies.

Shows the predicted class, the probability, the model's round and the Grad-CAM saliency
overlay that ``siteapp.training.inference.predict_paths`` writes; batch over several
studies and export the results as CSV.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from siteapp.dicom.index import StudyIndex
from siteapp.ui.child_process import run_in_child
from siteapp.ui.inference_jobs import study_files, write_predictions_csv
from siteapp.ui.pages.base import Page
from siteapp.ui.session import SiteSession
from siteapp.ui.study_tree import PatientNode, format_dicom_date
from siteapp.ui.vocabulary import class_text
from siteapp.ui.widgets.elided_label import ElidedLabel
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.workers import JobContext, Worker

#: Column keys of the results table, in order.
RESULT_COLUMNS = ("patient", "study", "images", "answer", "probability", "label", "round")
DEFAULT_OVERLAY_OPACITY = 100  # the overlay as written: its own opacity follows the saliency
log = logging.getLogger(__name__)
POSITIVE_COLOR = "#a12a2a"
NEGATIVE_COLOR = "#1d6b3a"


def predict_job(data_dir: Path, paths: list[Path], saliency_class: str | None = None):
    """The worker function: :func:`siteapp.ui.jobs.predict` in a child process."""

    def run(ctx: JobContext):
        return run_in_child(ctx, "siteapp.ui.jobs:predict", log_dir=data_dir, data_dir=data_dir,
                            paths=paths, saliency_class=saliency_class)

    return run


def read_png(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


class InferencePage(Page):
    page_id = "inference"
    icon_name = "inference"

    def title(self) -> str:
        return self.tr("Inference")

    def description(self) -> str:
        return self.tr(
            "Run the current model on a new scan or on studies already imported. The "
            "highlighted regions show what the model looked at. This is decision support, not a diagnosis."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.report = None
        self.worker: Worker | None = None

        actions = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Open a new scan (folder)…"))
        self.open_button.setObjectName("Primary")
        self.open_button.clicked.connect(self.choose_and_predict_folder)
        self.selected_button = QPushButton(self.tr("Predict selected studies"))
        self.selected_button.clicked.connect(self.predict_selected)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.choose_and_export)
        self.export_button.setEnabled(False)
        self.dicom_button = QPushButton(self.tr("Export as DICOM…"))
        self.dicom_button.clicked.connect(self.open_dicom_export)
        self.dicom_button.setEnabled(False)
        self.predicted_paths: list[Path] = []
        self.explained_class: str | None = None  # None: each study's predicted class
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        actions.addWidget(self.open_button)
        actions.addWidget(self.selected_button)
        actions.addWidget(self.progress)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        actions.addWidget(self.dicom_button)
        self.body.addLayout(actions)

        self.studies = QListWidget()
        self.studies.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        studies_box = QGroupBox(self.tr("Imported studies (select one or more)"))
        QVBoxLayout(studies_box).addWidget(self.studies)

        self.results = QTableWidget(0, len(RESULT_COLUMNS))
        self.results.setHorizontalHeaderLabels([
            self.tr("Patient"), self.tr("Study"), self.tr("Images"), self.tr("Model's answer"),
            self.tr("Its probability"), self.tr("Your label"), self.tr("Model round"),
        ])
        for key, tip in (
            ("probability", self.tr(
                "The model's estimated probability that the study shows its answer (the classes' "
                "probabilities add up to 100%). It is not a diagnosis.")),
            ("label", self.tr("The label this site gave the study or its patient, where there is one.")),
        ):
            header_item = self.results.horizontalHeaderItem(RESULT_COLUMNS.index(key))
            if header_item is not None:
                header_item.setToolTip(tip)
        self.known_labels: dict[str, str] = {}
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().hide()
        self.results.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.results.currentCellChanged.connect(lambda row, *_: self.show_result(row))
        self.model_label = QLabel()
        self.model_label.setObjectName("Hint")
        self.model_label.setWordWrap(True)
        self.model_combo = QComboBox()
        self.model_combo.setToolTip(self.tr(
            "The model that answers. By default the newest federated model; choose another to "
            "pin it, so that training a local-only model never changes it silently."))
        self.model_combo.activated.connect(self._on_model_chosen)
        self.export_model_button = QPushButton(self.tr("Export model…"))
        self.export_model_button.setToolTip(self.tr(
            "Write the model's weights and its card (task, rounds, privacy, figures) to a folder."))
        self.export_model_button.clicked.connect(self.choose_and_export_model)
        model_row = QHBoxLayout()
        model_row.addWidget(QLabel(self.tr("Model")))
        model_row.addWidget(self.model_combo, 1)
        model_row.addWidget(self.export_model_button)
        results_box = QGroupBox(self.tr("Results"))
        results_layout = QVBoxLayout(results_box)
        results_layout.addLayout(model_row)
        results_layout.addWidget(self.results, 1)
        results_layout.addWidget(self.model_label)

        self.prediction_label = QLabel(self.tr("No prediction yet."))
        self.prediction_label.setObjectName("Prediction")
        self.prediction_detail = QLabel()
        self.prediction_detail.setWordWrap(True)
        # Which class the saliency overlay explains: the predicted one, or one chosen here
        # (the studies are run again for it).
        self.explain_combo = QComboBox()
        self.explain_combo.setToolTip(self.tr("The class the saliency overlay explains"))
        self.explain_combo.activated.connect(self._on_explain_chosen)
        self.saliency = pg.GraphicsLayoutWidget()
        self.saliency.setBackground("k")
        self.saliency_view = self.saliency.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.saliency_item = pg.ImageItem(axisOrder="row-major")
        self.saliency_view.addItem(self.saliency_item)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(DEFAULT_OVERLAY_OPACITY)
        self.opacity.setToolTip(self.tr("How strongly the heat map covers the image"))
        self.opacity.valueChanged.connect(self._show_saliency)
        self.opacity_row = QWidget()
        opacity_row = QHBoxLayout(self.opacity_row)
        opacity_row.setContentsMargins(0, 0, 0, 0)
        opacity_row.addWidget(QLabel(self.tr("Heat map")))
        opacity_row.addWidget(self.opacity, 1)
        # A segmentation's DICOM SEG file(s): elided, so a long path never widens the window.
        self.seg_paths_label = ElidedLabel()
        self.copy_seg_paths_button = QPushButton(self.tr("Copy path"))
        self.copy_seg_paths_button.setToolTip(self.tr("Copy the DICOM SEG file's full path"))
        self.copy_seg_paths_button.clicked.connect(self.copy_seg_paths)
        self.seg_paths_row = QWidget()
        seg_paths_layout = QHBoxLayout(self.seg_paths_row)
        seg_paths_layout.setContentsMargins(0, 0, 0, 0)
        seg_paths_layout.addWidget(self.seg_paths_label, 1)
        seg_paths_layout.addWidget(self.copy_seg_paths_button)
        self.seg_paths_row.hide()
        self._pictures: tuple[np.ndarray, np.ndarray] | None = None  # plain, overlay
        caption = QLabel(self.tr("Saliency (Grad-CAM) on the model's input image: warmer = more influence."))
        caption.setObjectName("Hint")
        caption.setWordWrap(True)
        self.caption = caption
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.prediction_label)
        right_layout.addWidget(self.explain_combo)
        right_layout.addWidget(self.prediction_detail)
        right_layout.addWidget(self.seg_paths_row)
        right_layout.addWidget(self.saliency, 1)
        right_layout.addWidget(self.opacity_row)
        right_layout.addWidget(caption)

        splitter = QSplitter()
        splitter.addWidget(studies_box)
        splitter.addWidget(results_box)
        splitter.addWidget(right)
        splitter.setSizes([250, 470, 380])
        self.body.addWidget(splitter, 1)
        session.index_changed.connect(self.mark_stale)
        session.models_changed.connect(self.mark_stale)

    def refresh(self) -> None:
        self.tree_worker = self.study_tree_worker(self._fill_studies).start()
        self._describe_model()

    def _describe_model(self) -> None:
        """Fill the model chooser (default, then every checkpoint) and say which answers."""
        from siteapp.training.checkpoints import (
            inference_checkpoint,
            list_checkpoints,
            pinned_checkpoint_id,
        )

        data_dir = self.session.data_dir
        checkpoints = list_checkpoints(data_dir)
        self.model_combo.clear()
        self.export_model_button.setEnabled(bool(checkpoints))
        if not checkpoints:
            self.model_combo.addItem(self.tr("No model yet"), None)
            self.model_label.setText(self.tr("No trained model yet: join a federation round or train a local-only model first."))
            return
        self.model_combo.addItem(self.tr("Default: the newest federated model"), None)
        for checkpoint in reversed(checkpoints):
            source = (self.tr("federated") if checkpoint.source == "federated"
                      else self.tr("local-only"))
            self.model_combo.addItem(
                self.tr("{source}, round {round} · {model} · {when}").format(
                    source=source, round=checkpoint.round, model=checkpoint.model_name,
                    when=checkpoint.created_at[:16].replace("T", " ")),
                checkpoint.id,
            )
        pinned = pinned_checkpoint_id(data_dir)
        index = self.model_combo.findData(pinned) if pinned is not None else 0
        self.model_combo.setCurrentIndex(max(index, 0))
        used = inference_checkpoint(data_dir)
        how = self.tr("pinned") if pinned is not None else self.tr("the default choice")
        what = (self.tr("the federation's model after round {round}") if used.source == "federated"
                else self.tr("this site's local-only model after round {round}")).format(round=used.round)
        epsilon = ("" if used.epsilon is None else
                   self.tr(", this site's ε then {eps:.2f}").format(eps=used.epsilon))
        self.model_label.setText(self.tr(
            "Answering: {what} ({model}, task {task}, saved {when}{epsilon}; {how})."
        ).format(what=what, model=used.model_name, task=used.task,
                 when=used.created_at[:16].replace("T", " "), epsilon=epsilon, how=how))

    def _on_model_chosen(self, row: int) -> None:
        from siteapp.training.checkpoints import pin_for_inference

        try:
            pin_for_inference(self.session.data_dir, self.model_combo.itemData(row))
        except Exception as exc:
            self.show_exception(exc, self.tr("choosing the model"))
        self._describe_model()

    def choose_and_export_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder for the model and its card"))
        if folder:
            self.export_model(Path(folder))

    def export_model(self, folder: Path) -> tuple[Path, Path] | None:
        """Write the answering model and its card to ``folder``."""
        from siteapp.training.checkpoints import inference_checkpoint
        from siteapp.training.model_card import export_model

        try:
            written = export_model(self.session.data_dir, inference_checkpoint(self.session.data_dir), folder)
        except Exception as exc:
            self.show_exception(exc, self.tr("exporting the model"))
            return None
        self.show_info(self.tr("Model and card written to {folder}.").format(folder=folder), NoticeKind.SUCCESS)
        return written

    def _fill_studies(self, patients: list[PatientNode]) -> None:
        self.studies.clear()
        for patient in patients:
            for study in patient.studies:
                item = QListWidgetItem(f"{patient.patient_id} · {study.date} · {study.title} ({study.image_count})")
                item.setData(Qt.ItemDataRole.UserRole, study.study_uid)
                self.studies.addItem(item)

    # -- predicting -------------------------------------------------------------------
    def choose_and_predict_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the folder of the new scan"))
        if folder:
            self.predict_paths([Path(folder)])

    def selected_study_uids(self) -> list[str]:
        return [str(item.data(Qt.ItemDataRole.UserRole)) for item in self.studies.selectedItems()]

    def predict_selected(self) -> Worker | None:
        uids = self.selected_study_uids()
        if not uids:
            self.show_info(self.tr("Select one or more studies in the list first."), NoticeKind.WARNING)
            return None
        try:
            files = study_files(self.session.data_dir, uids)
        except Exception as exc:
            self.show_exception(exc, self.tr("finding the studies' files"))
            return None
        return self.predict_paths(files)

    def predict_paths(self, paths: list[Path], saliency_class: str | None = None) -> Worker | None:
        if self.worker is not None:
            return None
        job = predict_job(self.session.data_dir, paths, saliency_class)
        self.predicted_paths = list(paths)
        self.explained_class = saliency_class
        worker = Worker(job, self.tr("running the model"))
        worker.signals.finished.connect(self._on_report)
        worker.signals.errored.connect(self.show_error)
        worker.signals.done.connect(self._on_done)
        self.worker = worker
        self.progress.show()
        self.open_button.setEnabled(False)
        self.selected_button.setEnabled(False)
        self.notice.hide()
        return worker.start()

    def _on_done(self) -> None:
        self.worker = None
        self.progress.hide()
        self.open_button.setEnabled(True)
        self.selected_button.setEnabled(True)

    def _on_explain_chosen(self, row: int) -> Worker | None:
        """Run the same studies again with the overlay explaining the chosen class."""
        if not self.predicted_paths:
            return None
        chosen = self.explain_combo.itemData(row)
        return self.predict_paths(self.predicted_paths, chosen or None)

    def _fill_explain_combo(self, report, explained: str | None) -> None:
        self.explain_combo.clear()
        self.explain_combo.addItem(self.tr("Explain: the predicted class"), "")
        for name in report.classes:
            self.explain_combo.addItem(self.tr("Explain: {c}").format(c=class_text(name)), name)
        self.explain_combo.setCurrentIndex(max(self.explain_combo.findData(explained or ""), 0))

    def _on_report(self, report) -> None:
        from siteapp.training.segmentation_inference import SegmentationReport

        if isinstance(report, SegmentationReport):
            self._on_segmentation(report)
            return
        self.caption.setText(self.tr(
            "Saliency (Grad-CAM) on the model's input image: warmer = more influence."))
        self.explain_combo.show()
        self.opacity_row.show()
        self.seg_paths_row.hide()
        report.studies.sort(key=lambda s: (s.patient_id, s.study_uid))
        self.report = report
        self._fill_explain_combo(report, self.explained_class)
        self.known_labels = self._known_labels()
        self.results.setRowCount(len(report.studies))
        for row, s in enumerate(report.studies):
            known = self.known_labels.get(s.study_uid)
            values = [s.patient_id or self.tr("(no patient ID)"), self._study_text(s), str(s.images),
                      class_text(s.predicted_class), f"{s.probability:.1%}",
                      class_text(known) if known else "–", str(s.model_round)]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 1:
                    item.setToolTip(s.study_uid)
                if col == RESULT_COLUMNS.index("label") and known and known != s.predicted_class:
                    item.setForeground(QColor(POSITIVE_COLOR))  # the model disagrees
                self.results.setItem(row, col, item)
        self.export_button.setEnabled(bool(report.studies))
        self.dicom_button.setEnabled(bool(report.studies))
        if report.studies:
            self.results.setCurrentCell(0, 0)
            self.show_result(0)
        if report.skipped:
            self.show_info(
                self.tr("{n} file(s) were skipped, for example: {first}").format(
                    n=len(report.skipped), first=f"{report.skipped[0]['path']}: {report.skipped[0]['reason']}"
                ),
                NoticeKind.WARNING,
            )

    def _on_segmentation(self, report) -> None:
        """A segmentation model's answer: one row per series, its predicted mask over the
        image, and the DICOM SEG files written (other viewers open them)."""
        self.report = report
        self.explain_combo.hide()
        self.opacity_row.hide()  # the mask is drawn into the picture: no heat map to blend
        self.seg_paths_row.show()
        self.caption.setText(self.tr(
            "Predicted mask over the model's input image (the slice with the most of it)."))
        self.results.setRowCount(len(report.series))
        for row, series in enumerate(report.series):
            found = ", ".join(f"{class_text(name)} {n} px" for name, n in series.region_pixels.items())
            values = [series.patient_id or series.series_uid, series.series_uid,
                      str(series.images), found, "", "–", str(series.model_round)]
            for col, value in enumerate(values):
                self.results.setItem(row, col, QTableWidgetItem(value))
        self.export_button.setEnabled(False)
        self.dicom_button.setEnabled(False)
        if report.series:
            self.results.setCurrentCell(0, 0)
            self.show_result(0)

    def show_result(self, row: int) -> None:
        from siteapp.training.segmentation_inference import SegmentationReport

        if isinstance(self.report, SegmentationReport):
            self._show_segmentation(row)
            return
        if self.report is None or not 0 <= row < len(self.report.studies):
            return
        s = self.report.studies[row]
        # The first class is the task's "nothing found" class (normal, no_nodule...).
        normal = self.report.classes[0] if self.report.classes else ""
        color = NEGATIVE_COLOR if s.predicted_class == normal else POSITIVE_COLOR
        self.prediction_label.setText(self.tr("{answer} (probability {p:.0%})").format(
            answer=f"<span style='color:{color}'>{class_text(s.predicted_class)}</span>",
            p=s.probability))
        every = ", ".join(f"{class_text(name)} {p:.1%}" for name, p in s.probabilities.items())
        known = self.known_labels.get(s.study_uid)
        known_text = (self.tr("Your label: {label}.").format(label=class_text(known)) if known
                      else self.tr("This site has no label for this study."))
        position, total = tuple(s.saliency_position)
        self.prediction_detail.setText(
            self.tr("The model's estimated probability of each class: {every}. {known} The "
                    "overlay shows what points to {explained}, on image {position} of {total} "
                    "(the one with the most evidence for it); model round {round}.").format(
                every=every, known=known_text, explained=class_text(s.saliency_class),
                position=position, total=total, round=s.model_round,
            )
        )
        path = Path(s.saliency_png)
        plain = Path(s.plain_png) if s.plain_png else path
        if path.is_file():
            overlay = read_png(path).astype(np.float32)
            base = read_png(plain).astype(np.float32) if plain.is_file() else overlay
            self._pictures = (base, overlay)
            self._show_saliency()
            self.saliency_view.autoRange(padding=0.02)

    def _show_saliency(self, *_args: object) -> None:
        """The picture with the heat map blended in at the slider's opacity."""
        if self._pictures is None:
            return
        base, overlay = self._pictures
        alpha = self.opacity.value() / 100.0
        self.saliency_item.setImage(base * (1.0 - alpha) + overlay * alpha, levels=(0, 255))

    def _study_text(self, s) -> str:
        date = format_dicom_date(s.study_date) if s.study_date else ""
        return " · ".join(part for part in (date, s.study_description) if part) or self.tr("(no date)")

    def _known_labels(self) -> dict[str, str]:
        try:
            with StudyIndex(self.session.data_dir) as index:
                return index.labels_by_study()
        except Exception:  # an empty folder or a locked index: show no labels, keep the answers
            log.warning("could not read this site's labels for the predictions", exc_info=True)
            return {}

    def _show_segmentation(self, row: int) -> None:
        if self.report is None or not 0 <= row < len(self.report.series):
            return
        series = self.report.series[row]
        found = sum(series.region_pixels.values()) > 0
        self.prediction_label.setText(
            f"<span style='color:{POSITIVE_COLOR if found else NEGATIVE_COLOR}'>"
            + (", ".join(class_text(name) for name, n in series.region_pixels.items() if n)
               if found else self.tr("nothing found")) + "</span>")
        self.prediction_detail.setText(
            self.tr("Written as DICOM SEG, which other viewers open (model round {round}):").format(
                round=series.model_round))
        self.seg_paths_label.set_full_text(", ".join(series.seg_paths))
        path = Path(series.overlay_png)
        self._pictures = None  # no heat map to blend: the mask is drawn in
        if path.is_file():
            self.saliency_item.setImage(read_png(path), levels=(0, 255))
            self.saliency_view.autoRange(padding=0.02)

    def copy_seg_paths(self) -> None:
        """The shown series' DICOM SEG path(s), whole, to the clipboard."""
        QGuiApplication.clipboard().setText(self.seg_paths_label.full_text)
        self.show_info(self.tr("Path copied."), NoticeKind.SUCCESS)

    # -- export -----------------------------------------------------------------------
    def choose_and_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export predictions"), "predictions.csv", self.tr("CSV files (*.csv)"))
        if path:
            self.export_csv(Path(path))

    def open_dicom_export(self) -> QDialog | None:
        """The results as DICOM (SR + saliency capture), to a folder and a PACS node."""
        from siteapp.ui.pacs.results_export import ResultsExportDialog

        if self.report is None:
            return None
        dialog = ResultsExportDialog(self.session, self.report, self.predicted_paths, self)
        dialog.show()
        return dialog

    def export_csv(self, path: Path) -> int | None:
        if self.report is None:
            return None
        try:
            count = write_predictions_csv(self.report, path)
        except Exception as exc:
            self.show_exception(exc, self.tr("exporting the predictions"))
            return None
        self.show_info(self.tr("{n} prediction(s) written to {file}.").format(n=count, file=path), NoticeKind.SUCCESS)
        return count
