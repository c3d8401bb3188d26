"""Model quality: AUC, sensitivity and specificity per round on this site's held-out
patients, the federated model against the local-only one, and the confusion matrix.

"Train local-only model" runs :func:`siteapp.training.local.train_local` in a worker
(progress per DP step, cancel between steps): the baseline the federation is compared to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from siteapp.tasks import load_task
from siteapp.training.checkpoints import Checkpoint, checkpoint_task
from siteapp.training.intervals import auc_interval, wilson_interval
from siteapp.ui.child_process import run_in_child
from siteapp.ui.pages.base import Page
from siteapp.ui.quality_view import METRICS, QualityPicture, quality_picture
from siteapp.ui.session import SiteSession
from siteapp.ui.vocabulary import class_text
from siteapp.ui.widgets.charts import LineChart
from siteapp.ui.widgets.confirm import ask_before
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.widgets.synthetic_samples import SyntheticSamplesBox
from siteapp.ui.workers import JobContext, Worker, call_in_worker

if TYPE_CHECKING:
    from siteapp.training.local_cost import PrivacyCost

FEDERATED_COLOR = "#1f6f8b"
LOCAL_COLOR = "#d1495b"
DEFAULT_LOCAL_ROUNDS = 3
MATRIX_COLORS = ("#e8f5eb", "#fbeaea")  # correct, wrong


class QualityPage(Page):
    page_id = "quality"
    icon_name = "quality"

    def title(self) -> str:
        return self.tr("Model quality")

    def description(self) -> str:
        return self.tr(
            "How well the model recognises the condition on this site's own held-out patients "
            "(never used for training), round by round."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.picture: QualityPicture | None = None
        self.train_worker: Worker | None = None
        self.price_worker: Worker | None = None
        self.confirm_box: QMessageBox | None = None
        self.read_worker: Worker | None = None
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.body.addWidget(self.summary_label)

        grid = QGridLayout()
        self.charts: dict[str, LineChart] = {}
        titles = {
            "auc": self.tr("AUC (1.0 = perfect ranking)"),
            "sensitivity": self.tr("Sensitivity (positives found)"),
            "specificity": self.tr("Specificity (negatives cleared)"),
            "dice": self.tr("Dice (overlap of predicted and drawn outlines, 1.0 = exact)"),
        }
        axis_names = {"auc": self.tr("AUC"), "sensitivity": self.tr("sensitivity"),
                      "specificity": self.tr("specificity"), "dice": self.tr("Dice")}
        self.chart_boxes: dict[str, QGroupBox] = {}
        for col, name in enumerate(METRICS):
            box = QGroupBox(titles[name])
            layout = QVBoxLayout(box)
            chart = LineChart(axis_names[name], self.tr("round"))
            chart.setYRange(-0.03, 1.05, padding=0)
            chart.setMinimumHeight(200)
            layout.addWidget(chart)
            self.charts[name] = chart
            self.chart_boxes[name] = box
            grid.addWidget(box, 0, col)

        matrix_box = QGroupBox(self.tr("Confusion matrix (latest model, held-out patients)"))
        self.matrix_box = matrix_box
        matrix_layout = QVBoxLayout(matrix_box)
        self.matrix = QTableWidget(2, 2)
        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.setMinimumHeight(130)
        self.matrix_caption = QLabel()
        self.matrix_caption.setObjectName("Hint")
        self.matrix_caption.setWordWrap(True)
        self.per_class_label = QLabel()  # each class against the rest
        self.per_class_label.setWordWrap(True)
        matrix_layout.addWidget(self.matrix)
        matrix_layout.addWidget(self.per_class_label)
        matrix_layout.addWidget(self.matrix_caption)
        grid.addWidget(matrix_box, 1, 0, 1, 2)

        train_box = QGroupBox(self.tr("Local-only model (baseline)"))
        train_layout = QVBoxLayout(train_box)
        hint = QLabel(self.tr(
            "Trains on this site's labelled patients only, with the same privacy protection. "
            "It spends privacy budget like a federation round."
        ))
        hint.setWordWrap(True)
        row = QHBoxLayout()
        self.rounds_spin = QSpinBox()
        self.rounds_spin.setRange(1, 50)
        self.rounds_spin.setValue(DEFAULT_LOCAL_ROUNDS)
        self.train_button = QPushButton(self.tr("Train local-only model"))
        self.train_button.setObjectName("Primary")
        self.train_button.clicked.connect(self.start_local_training)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_training)
        self.cancel_button.setEnabled(False)
        row.addWidget(QLabel(self.tr("Rounds")))
        row.addWidget(self.rounds_spin)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.train_button)
        self.train_progress = QProgressBar()
        self.train_status = QLabel()
        self.train_status.setWordWrap(True)
        # A fixed height keeps status changes from re-laying out (and repainting) the charts.
        self.train_status.setFixedHeight(self.fontMetrics().lineSpacing() * 3)
        train_layout.addWidget(hint)
        train_layout.addLayout(row)
        train_layout.addWidget(self.train_progress)
        train_layout.addWidget(self.train_status)
        train_layout.addStretch(1)
        grid.addWidget(train_box, 1, 2)
        self.synthetic_box = SyntheticSamplesBox(session.data_dir)
        grid.addWidget(self.synthetic_box, 2, 0, 1, 3)
        self.body.addLayout(grid, 1)
        session.models_changed.connect(self.mark_stale)

    def refresh(self) -> None:
        """Read the checkpoints' metrics in a worker; only the drawing runs on this thread."""
        data_dir = self.session.data_dir
        worker = call_in_worker(lambda: quality_picture(data_dir), self.tr("reading the model metrics"))
        worker.signals.finished.connect(self.show_picture)
        worker.signals.errored.connect(self.show_error)
        self.read_worker = worker.start()

    def show_picture(self, picture: QualityPicture) -> None:
        self.picture = picture
        for name, chart in self.charts.items():
            chart.clear_series()
            fed, loc = picture.federated[name], picture.local[name]
            if fed.rounds:
                chart.set_series(self.tr("federated (global) model"), fed.rounds, fed.values, FEDERATED_COLOR)
            if loc.rounds:
                chart.set_series(self.tr("local-only model"), loc.rounds, loc.values, LOCAL_COLOR, dashed=True)
            chart.setYRange(-0.03, 1.05, padding=0)
            self.chart_boxes[name].setVisible((name == "dice") == picture.segmentation)
        self.matrix_box.setVisible(not picture.segmentation)
        self._fill_matrix(picture)
        if picture.empty:
            self.summary_label.setText(self.tr(
                "No model has been trained at this site yet. Join a federation round, or train a "
                "local-only model below."
            ))
            return
        latest = picture.latest
        assert latest is not None
        metrics = latest.metrics
        if picture.segmentation:
            regions = [self.tr("{region}: Dice {dice}").format(region=key.split(":", 1)[1],
                                                               dice=_fmt(value))
                       for key, value in metrics.items() if key.startswith("dice:")]
            self.summary_label.setText("\n".join([self.tr(
                "Latest model: {source} round {round} — Dice {dice}, Hausdorff distance (95 %) "
                "{hd95} mm on {count} held-out patients.").format(
                source=self.tr("federated") if latest.source == "federated" else self.tr("local-only"),
                round=latest.round, dice=_fmt(metrics.get("dice")),
                hd95=_fmt(metrics.get("hd95_mm")), count=metrics.get("patients", "?"),
            ), *regions]))
            return
        positives, negatives = _count(metrics, "positives"), _count(metrics, "negatives")
        tp, tn = _count(metrics, "true_positives"), _count(metrics, "true_negatives")
        auc = metrics.get("auc")
        self.summary_label.setText(
            self.tr(
                "Latest model: {source} round {round} — AUC {auc}, sensitivity {sens}, "
                "specificity {spec} on {count} held-out patients."
            ).format(
                source=self.tr("federated") if latest.source == "federated" else self.tr("local-only"),
                round=latest.round,
                auc=_with_interval(auc, auc_interval(auc, positives, negatives)
                                   if isinstance(auc, float) else None),
                sens=_with_interval(metrics.get("sensitivity"), wilson_interval(tp, positives)),
                spec=_with_interval(metrics.get("specificity"), wilson_interval(tn, negatives)),
                count=metrics.get("count", "?"),
            )
            + " " + self.tr("In brackets: the 95% confidence interval; a small validation set "
                            "gives a wide one.")
            + " " + self._threshold_text(latest)
        )

    def _threshold_text(self, latest: Checkpoint) -> str:
        """The decision rule behind sensitivity, specificity and the confusion matrix."""
        metrics = latest.metrics
        positive = metrics.get("positive_class")
        threshold = metrics.get("threshold")
        if isinstance(positive, str) and isinstance(threshold, (int, float)):
            return self.tr("Decision threshold: a patient is called {positive} when the model's "
                           "probability of {positive} is at least {t:.2f}.").format(
                positive=class_text(positive), t=threshold)
        return self.tr("Decision rule: a patient is called the class with the highest probability.")

    def _fill_matrix(self, picture: QualityPicture) -> None:
        matrix = picture.confusion_matrix()
        data_dir = self.session.data_dir
        task = (checkpoint_task(picture.latest, data_dir) if picture.latest
                else load_task(self.session.preferences.task, data_dir))
        names = list(task.classes)
        self.matrix.setRowCount(len(names))
        self.matrix.setColumnCount(len(names))
        self.matrix.setHorizontalHeaderLabels([self.tr("predicted {c}").format(c=class_text(c)) for c in names])
        self.matrix.setVerticalHeaderLabels([self.tr("truly {c}").format(c=class_text(c)) for c in names])
        if matrix is not None and len(matrix) != len(names):
            matrix = None  # a model of another task
        per_class = picture.latest.metrics.get("per_class") if picture.latest else None
        self.per_class_label.setText(_per_class_text(names, per_class))
        for r in range(len(names)):
            for c in range(len(names)):
                value = "–" if matrix is None else str(matrix[r][c])
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(QColor(MATRIX_COLORS[0 if r == c else 1])))
                self.matrix.setItem(r, c, item)
        self.matrix_caption.setText(self.tr(
            "Rows: the true class from your labels. Columns: what the model said. Green cells "
            "are correct; red cells are mistakes (a finding missed, a false alarm, or one "
            "finding taken for another)."
        ))

    def work_in_progress(self) -> str | None:
        if self.train_worker is None:
            return None
        return self.tr(
            "Local-only training is running. Quitting stops it after the current step: the "
            "round in progress stays counted in this site's privacy budget (it was recorded "
            "before training began) and its model is not saved. It does not resume by itself; "
            "train again from Model quality when you are ready."
        )

    # -- local training ---------------------------------------------------------------
    def start_local_training(self) -> Worker | None:
        """Price the run in a worker, then ask before spending (the answer starts it)."""
        if self.train_worker is not None or self.price_worker is not None:
            return None
        prefs = self.session.preferences
        data_dir, rounds = self.session.data_dir, self.rounds_spin.value()

        def price(_ctx: JobContext) -> PrivacyCost:
            from siteapp.training.local import LocalTrainingOptions
            from siteapp.training.local_cost import local_training_cost

            options = LocalTrainingOptions(rounds=rounds, task=prefs.task, device=prefs.device)
            return local_training_cost(data_dir, options)

        worker = Worker(price, self.tr("working out the privacy cost"))
        worker.signals.finished.connect(lambda cost: self._confirm_spend(cost, rounds))
        worker.signals.errored.connect(self._on_error)
        worker.signals.done.connect(self._on_priced)
        self.price_worker = worker
        self.train_button.setEnabled(False)
        self.train_status.setText(self.tr("Working out what this run costs in privacy…"))
        return worker.start()

    def _on_priced(self) -> None:
        self.price_worker = None
        if self.confirm_box is None and self.train_worker is None:
            self.train_button.setEnabled(True)

    def _confirm_spend(self, cost: PrivacyCost, rounds: int) -> None:
        """Say what the run will spend and start it only on an explicit yes."""
        self.train_status.setText(cost.sentence())

        def answered(yes: bool) -> None:
            self.confirm_box = None
            if yes:
                self.train_local_model(rounds)
            else:
                self.train_status.setText(self.tr("Not trained: no privacy budget was spent."))
                self.train_button.setEnabled(True)

        self.confirm_box = ask_before(
            self, self.tr("Spend privacy budget?"),
            self.tr(
                "Training {rounds} local-only round(s) spends privacy budget: this site's ε goes "
                "from {before:.2f} to {after:.2f} of its cap of {cap:g} (δ {delta:.1e}). "
                "Spent budget cannot be won back. Budget left after this run can still be used "
                "for federation rounds."
            ).format(rounds=cost.rounds, before=cost.epsilon_before, after=cost.epsilon_after,
                     cap=cost.cap, delta=cost.delta),
            self.tr("Train and spend"), self.tr("Cancel"), answered,
        )

    def train_local_model(self, rounds: int) -> Worker | None:
        """Start local-only training now (after the person agreed to its cost)."""
        if self.train_worker is not None:
            return None
        prefs = self.session.preferences
        data_dir = self.session.data_dir

        def job(ctx: JobContext):
            return run_in_child(ctx, "siteapp.ui.jobs:local_training", log_dir=data_dir,
                                data_dir=data_dir, rounds=rounds, task=prefs.task, device=prefs.device)

        worker = Worker(job, self.tr("training the local-only model"))
        worker.signals.progress.connect(self._on_progress)
        worker.signals.yielded.connect(self._on_round)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.errored.connect(self._on_error)
        worker.signals.done.connect(self._on_done)
        self.train_worker = worker
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.train_progress.setRange(0, 0)
        self.train_status.setText(self.tr("Preparing images and checking the privacy budget…"))
        self.session.busy_changed.emit(self.tr("Training…"))
        return worker.start()

    def cancel_training(self) -> None:
        if self.train_worker is not None:
            self.train_worker.cancel()
            self.cancel_button.setEnabled(False)
            self.train_status.setText(self.tr("Stopping after the current step…"))

    def _on_progress(self, done: int, total: int) -> None:
        self.train_progress.setRange(0, max(total, 1))
        self.train_progress.setValue(done)
        self.train_status.setText(self.tr("Training: step {done} of {total}").format(done=done, total=total))

    def _on_round(self, summary: object) -> None:
        self.session.privacy_changed.emit()
        self.session.models_changed.emit()

    def _on_finished(self, report) -> None:
        self.train_status.setText(
            self.tr("Done: {rounds} round(s) on {device}; this site's ε is now {eps:.2f}.").format(
                rounds=len(report.rounds), device=report.device, eps=report.epsilon_spent
            )
        )
        self.show_info(self.tr("The local-only model is trained."), NoticeKind.SUCCESS)

    def _on_error(self, message: str) -> None:
        self.train_status.setText("")
        self.show_error(message)

    def _on_done(self) -> None:
        self.train_worker = None
        self.train_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.train_progress.setRange(0, 1)
        self.train_progress.setValue(0)
        self.session.busy_changed.emit("")
        # A cancelled round stays counted in the ledger; models only change per round.
        self.session.privacy_changed.emit()


def _fmt(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "–"


def _count(metrics: dict[str, object], name: str) -> int:
    value = metrics.get(name)
    return int(value) if isinstance(value, (int, float)) else 0


def _with_interval(value: object, interval: tuple[float, float] | None) -> str:
    """``0.91 (0.83–0.99)``; just the figure where no interval can be given."""
    if interval is None or not isinstance(value, (int, float)):
        return _fmt(value)
    return f"{value:.2f} ({interval[0]:.2f}–{interval[1]:.2f})"


def _per_class_text(names: list[str], per_class: object) -> str:
    """One line per class: its AUC against the rest, sensitivity and specificity."""
    if not isinstance(per_class, dict):
        return ""
    lines = []
    for name in names:
        figures = per_class.get(name) or {}
        lines.append(QCoreApplication.translate("QualityPage", "{name}: AUC {auc}, sensitivity {sens}, specificity {spec} "
                             "({n} patients)").format(
            name=class_text(name), auc=_fmt(figures.get("auc")), sens=_fmt(figures.get("sensitivity")),
            spec=_fmt(figures.get("specificity")), n=figures.get("support", "?")))
    return "\n".join(lines)
