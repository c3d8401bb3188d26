"""The Federation page's statistics box: this site's intensities against the federation's.

It shows, per scanner model (and per modality pooled), the site's own intensity
histogram of its training patients next to the federation's noised, securely summed one
(``docs/federated-statistics.md``), the windows each gives, and the federation's patients
per class with small counts suppressed. "Take part in the statistics" says what it costs
first, then runs :class:`siteapp.federation.statistics_round.StatisticsRound` in a thread
worker (no torch: reading pixels and HTTPS only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from siteapp.ui.session import SiteSession
from siteapp.ui.widgets.charts import DistributionChart
from siteapp.ui.widgets.confirm import ask_before
from siteapp.ui.workers import JobContext, Worker


def take_part_in_statistics(ctx: JobContext, data_dir: Path, options: Any = None) -> Any:
    """The worker's job: the site's part in the statistics round (or reading it)."""
    from siteapp.federation.statistics_round import StatisticsRound

    return StatisticsRound(data_dir, options=options, on_progress=ctx.status, stop=ctx.cancel).run()


class StatisticsPanel(QGroupBox):
    """Site against federation intensity histograms, and the button that collects them."""

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Intensities: this site and the federation"))
        self.session = session
        self.task_name: str | None = None
        self.statistics: Any = None
        self.worker: Worker | None = None
        self.confirm_box: QMessageBox | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.scanner_combo = QComboBox()
        self.scanner_combo.currentIndexChanged.connect(lambda _index: self.show_scanner())
        self.compute_button = QPushButton(self.tr("Take part in the statistics…"))
        self.compute_button.setToolTip(self.tr(
            "Send this site's intensity histograms and patients per class, with Gaussian noise and "
            "masked, so the federation can window every scanner model alike. Costs privacy budget."))
        self.compute_button.clicked.connect(lambda _checked=False: self.ask_to_compute())
        row.addWidget(QLabel(self.tr("Scanner")))
        row.addWidget(self.scanner_combo, 1)
        row.addWidget(self.compute_button)
        self.chart = DistributionChart(self.tr("Intensity (modality units)"))
        self.chart.setMinimumHeight(160)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addLayout(row)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.summary)

    def refresh(self, task_name: str | None) -> None:
        """Show the statistics this site keeps for ``task_name`` (None: not enrolled)."""
        from siteapp.statistics.windows import load_task_statistics

        self.task_name = task_name
        self.statistics = None if task_name is None else load_task_statistics(self.session.data_dir, task_name)
        self.compute_button.setEnabled(task_name is not None and self.worker is None)
        current = self.scanner_combo.currentData()
        self.scanner_combo.blockSignals(True)
        self.scanner_combo.clear()
        if self.statistics is not None:
            keys = sorted(set(self.statistics.site_histograms) | set(self.statistics.federation_histograms))
            for key in keys:
                self.scanner_combo.addItem(key.replace("|", " · "), key)
            if current in keys:
                self.scanner_combo.setCurrentIndex(keys.index(current))
        self.scanner_combo.blockSignals(False)
        self.show_scanner()

    def show_scanner(self) -> None:
        """The chart and words for the chosen scanner model (or modality)."""
        stats = self.statistics
        key = self.scanner_combo.currentData()
        if stats is None or key is None:
            self.chart.set_distributions([], {})
            self.summary.setText(self.tr(
                "No statistics yet. Take part in the federation's statistics round to compare "
                "this site's intensities with the federation's."))
            return
        named = {}
        if key in stats.site_histograms:
            named[self.tr("This site")] = stats.site_histograms[key]
        if key in stats.federation_histograms:
            named[self.tr("Federation ({n} sites)").format(n=stats.federation_sites)] = stats.federation_histograms[key]
        self.chart.set_distributions(stats.edges(key).tolist(), named)
        lines = []
        if key in stats.site_windows:
            low, high = stats.site_windows[key]
            lines.append(self.tr("This site's window: {low:.0f} to {high:.0f}.").format(low=low, high=high))
        if key in stats.federation_windows:
            low, high = stats.federation_windows[key]
            lines.append(self.tr("The federation's window: {low:.0f} to {high:.0f}.").format(low=low, high=high))
        elif stats.federation is not None:
            lines.append(self.tr("The federation holds too little of this scanner to show (suppressed)."))
        if stats.federation_class_counts:
            suppressed = self.tr("suppressed")
            counts = ", ".join(
                f"{name} {suppressed if count is None else f'{count:.0f}'}"
                for name, count in stats.federation_class_counts.items()
            )
            lines.append(self.tr("Patients per class in the federation (noised): {counts}.").format(counts=counts))
        self.summary.setText(" ".join(lines))

    # -- taking part ----------------------------------------------------------------------
    def ask_to_compute(self, options: Any = None) -> QMessageBox | None:
        """Say what taking part costs, then start on "Send"; ``options`` (RunnerOptions)
        changes waits and retries (tests)."""
        from coordinator.statistics import StatisticsUnavailableError
        from siteapp.dicom.config import SPLIT_TRAIN
        from siteapp.dicom.dataset_source import labelled_patients
        from siteapp.federation.enrolment import load_enrolled_kit
        from siteapp.federation.errors import FederationError
        from siteapp.privacy.ledger import PrivacyLedger
        from siteapp.statistics.release import projected_cost

        data_dir = self.session.data_dir
        try:
            plan = load_enrolled_kit(data_dir)[1].plan
        except (FederationError, StatisticsUnavailableError) as exc:
            self.summary.setText(str(exc))
            return None
        task = plan.task
        patients = len(labelled_patients(data_dir, split=SPLIT_TRAIN, modality=task.modality,
                                         series=task.series_filter.accepts))
        noise = plan.statistics.noise_multiplier
        before, after = projected_cost(PrivacyLedger(data_dir), noise, max(patients, 1))
        self.confirm_box = ask_before(
            self, self.tr("Send noised statistics?"),
            self.tr(
                "This sends the intensity histograms and patients per class of this site's {n} "
                "training patients, with Gaussian noise (multiplier {noise:g}) and masked, so the "
                "coordinator sees only the sum over the sites. It raises their ε from {before:.2f} "
                "to at most {after:.2f}. If the round was already published, nothing is sent."
            ).format(n=patients, noise=noise, before=before, after=after),
            self.tr("Send"), self.tr("Cancel"),
            lambda yes: self._answered(yes, options),
        )
        return self.confirm_box

    def _answered(self, yes: bool, options: Any) -> None:
        if yes:
            self.compute(options)
        else:
            self.summary.setText(self.tr("Nothing was sent; no privacy budget was spent."))

    def compute(self, options: Any = None) -> Worker | None:
        if self.worker is not None:
            return None
        data_dir = self.session.data_dir
        worker: Worker[object, Any] = Worker(lambda ctx: take_part_in_statistics(ctx, data_dir, options),
                        self.tr("taking part in the federation's statistics"))
        worker.signals.status.connect(self.summary.setText)
        worker.signals.finished.connect(self._on_outcome)
        worker.signals.errored.connect(self.summary.setText)
        worker.signals.done.connect(self._on_done)
        self.worker = worker
        self.compute_button.setEnabled(False)
        self.summary.setText(self.tr("Reading this site's training images…"))
        return worker.start()

    def _on_outcome(self, outcome: Any) -> None:
        self.refresh(outcome.statistics.task)
        self.session.privacy_changed.emit()
        self.session.audit_changed.emit()

    def _on_done(self) -> None:
        self.worker = None
        self.compute_button.setEnabled(self.task_name is not None)
