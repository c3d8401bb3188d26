"""Federation: import the enrolment kit, read the plan in words, Join / Pause / Leave,
and follow each round on a timeline.

Joining runs :class:`siteapp.federation.runner.RoundRunner` in a child process (it trains
with torch): every step change arrives as a published ``Progress``. Pause stops at the
next safe point (Join again resumes the same round without paying privacy twice); Leave
finishes the round in progress, then stops. The runner itself refuses a plan that breaks
the site's policy or would pass its privacy cap, and the page shows why.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coordinator.round_state import RoundPhase, SiteRoundStatus, SiteStep
from siteapp.ui.child_process import run_in_child
from siteapp.ui.federation_view import PlanInWords, plan_in_words
from siteapp.ui.jobs import auto_device
from siteapp.ui.pages.base import Page
from siteapp.ui.runner_words import progress_text
from siteapp.ui.session import SiteSession
from siteapp.ui.statistics_panel import StatisticsPanel
from siteapp.ui.vocabulary import site_round_status_text
from siteapp.ui.widgets.confirm import ask_before
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.widgets.table_width import fit_width_to_columns
from siteapp.ui.workers import JobContext, Worker, call_in_worker

if TYPE_CHECKING:
    from siteapp.federation.connection import ConnectionCheck
    from siteapp.federation.join_report import JoinReport, Progress
    from siteapp.federation.run_options import RunnerOptions

# The timeline's chips: the runner's steps, in the order a round goes through them.
TIMELINE = tuple(SiteStep)


class RoundTimeline(QWidget):
    """One chip per step of a round: done, current (with training %), still to come."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.chips: dict[SiteStep, QLabel] = {}
        titles = {
            SiteStep.WAITING: self.tr("Waiting"), SiteStep.SHARING_KEYS: self.tr("Sharing keys"),
            SiteStep.TRAINING: self.tr("Training"), SiteStep.ENCRYPTING: self.tr("Encrypting"),
            SiteStep.UPLOADING: self.tr("Uploading"),
            SiteStep.WAITING_FOR_OTHERS: self.tr("Waiting for others"),
            SiteStep.AGGREGATED: self.tr("Aggregated"),
        }
        self.titles = titles
        for step in TIMELINE:
            chip = QLabel(titles[step])
            chip.setObjectName("TimelineChip")
            chip.setProperty("state", "todo")
            layout.addWidget(chip)
            self.chips[step] = chip
        self.current: SiteStep | None = None

    def set_mode(self, mode: str) -> None:
        """Key sharing happens only in masking mode; other modes never show that step."""
        self.chips[SiteStep.SHARING_KEYS].setVisible(mode == "masking")

    def show_step(self, step: SiteStep, fraction: float | None = None) -> None:
        self.current = step
        reached = TIMELINE.index(step)
        for index, (name, chip) in enumerate(self.chips.items()):
            state = "done" if index < reached else "current" if index == reached else "todo"
            if name is SiteStep.AGGREGATED and step is SiteStep.AGGREGATED:
                state = "done"
            text = self.titles[name]
            if name is SiteStep.TRAINING and state == "current" and fraction is not None:
                text += f" {fraction:.0%}"
            chip.setText(text)
            chip.setProperty("state", state)
            chip.style().unpolish(chip)
            chip.style().polish(chip)

    def state_of(self, step: SiteStep) -> str:
        return str(self.chips[step].property("state"))


class FederationPage(Page):
    page_id = "federation"
    icon_name = "federation"

    def title(self) -> str:
        return self.tr("Federation")

    def description(self) -> str:
        return self.tr(
            "Train together with other hospitals. Only protected model updates leave this "
            "workstation; images, labels and patient records never do."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.plan: PlanInWords | None = None
        self.join_worker: Worker[Progress, JoinReport] | None = None
        self.state_worker: Worker[None, ConnectionCheck] | None = None
        self.report: JoinReport | None = None
        self.leave_requested = False
        self.auto_device: str | None = None
        self.device_worker: Worker[object, str] | None = None
        self.phase_words = {
            RoundPhase.OPEN: self.tr("open"), RoundPhase.COLLECTING: self.tr("collecting updates"),
            RoundPhase.AGGREGATING: self.tr("aggregating"), RoundPhase.PUBLISHED: self.tr("published"),
            RoundPhase.FAILED: self.tr("failed"),
        }

        grid = QGridLayout()
        kit_box = QGroupBox(self.tr("Enrolment"))
        kit_layout = QVBoxLayout(kit_box)
        self.enrolment_label = QLabel()
        self.enrolment_label.setWordWrap(True)
        fingerprint_row = QFormLayout()
        self.fingerprint_edit = QLineEdit()
        self.fingerprint_edit.setPlaceholderText(self.tr("CA fingerprint read out by your operator (recommended)"))
        fingerprint_row.addRow(self.tr("Fingerprint"), self.fingerprint_edit)
        self.request_button = QPushButton(self.tr("Request enrolment…"))
        self.request_button.setToolTip(self.tr(
            "Make this site's private key (it never leaves this computer) and a certificate "
            "request to send to the federation's operator"))
        self.request_button.clicked.connect(self.choose_and_request)
        self.kit_button = QPushButton(self.tr("Import enrolment kit…"))
        self.kit_button.clicked.connect(self.choose_and_enroll)
        self.unenrol_button = QPushButton(self.tr("Leave this federation…"))
        self.unenrol_button.setToolTip(self.tr(
            "Forget the kit and the federation's keys, e.g. after a wrong kit. Studies, labels, "
            "models and the privacy ledger stay."))
        self.unenrol_button.clicked.connect(self.ask_to_leave_federation)
        self.leave_box: QMessageBox | None = None
        kit_layout.addWidget(self.enrolment_label)
        kit_layout.addLayout(fingerprint_row)
        kit_layout.addWidget(self.request_button)
        kit_layout.addWidget(self.kit_button)
        kit_layout.addWidget(self.unenrol_button)
        kit_layout.addStretch(1)

        plan_box = QGroupBox(self.tr("The federation plan"))
        # The plan's sentences (what leaves this site above all) can be longer than the
        # box: they scroll instead of being cut off.
        plan_content = QWidget()
        self.plan_form = QFormLayout(plan_content)
        self.plan_scroll = QScrollArea()
        self.plan_scroll.setWidgetResizable(True)
        self.plan_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.plan_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.plan_scroll.setWidget(plan_content)
        QVBoxLayout(plan_box).addWidget(self.plan_scroll)

        control_box = QGroupBox(self.tr("Take part"))
        control_layout = QVBoxLayout(control_box)
        self.connection_label = QLabel(self.tr("Connection: not checked yet."))
        self.connection_label.setWordWrap(True)
        self.device_label = QLabel()
        buttons = QHBoxLayout()
        self.join_button = QPushButton(self.tr("Join"))
        self.join_button.setObjectName("Primary")
        self.join_button.clicked.connect(lambda _checked=False: self.join())
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.clicked.connect(self.pause)
        self.leave_button = QPushButton(self.tr("Leave after this round"))
        self.leave_button.setObjectName("Danger")
        self.leave_button.clicked.connect(self.leave)
        self.check_button = QPushButton(self.tr("Check connection"))
        self.check_button.clicked.connect(self.check_connection)
        for button in (self.join_button, self.pause_button, self.leave_button, self.check_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.timeline = RoundTimeline()
        self.round_label = QLabel()
        self.round_label.setFixedHeight(self.fontMetrics().lineSpacing() * 2)
        self.round_progress = QProgressBar()
        self.round_progress.setRange(0, 100)
        control_layout.addWidget(self.connection_label)
        control_layout.addWidget(self.device_label)
        control_layout.addLayout(buttons)
        control_layout.addWidget(self.timeline)
        control_layout.addWidget(self.round_progress)
        control_layout.addWidget(self.round_label)

        self.rounds_table = QTableWidget(0, 6)
        self.rounds_table.setHorizontalHeaderLabels(
            [self.tr("Round"), self.tr("State"), self.tr("Patients"), self.tr("Uploaded"),
             self.tr("ε after"), self.tr("AUC (global model)")]
        )
        self.rounds_table.verticalHeader().hide()
        self.rounds_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Columns as wide as their text (the last header was cut once the statistics box
        # took half the row); the last one takes what is left.
        self.rounds_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.rounds_table.horizontalHeader().setStretchLastSection(True)
        rounds_box = QGroupBox(self.tr("Rounds this site took part in"))
        QVBoxLayout(rounds_box).addWidget(self.rounds_table)

        self.statistics_panel = StatisticsPanel(session)

        grid.addWidget(kit_box, 0, 0)
        grid.addWidget(plan_box, 0, 1)
        grid.addWidget(control_box, 1, 0, 1, 2)
        grid.addWidget(rounds_box, 2, 0)
        grid.addWidget(self.statistics_panel, 2, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        grid.setRowStretch(2, 1)
        self.body.addLayout(grid, 1)
        self._set_running(False)
        session.preferences_changed.connect(self._show_device)

    # -- enrolment and plan -------------------------------------------------------------
    def refresh(self) -> None:
        self.plan = plan_in_words(self.session.data_dir)
        while self.plan_form.rowCount():
            self.plan_form.removeRow(0)
        if self.plan is None:
            self.enrolment_label.setText(self.tr(
                "This site is not enrolled yet. Import the enrolment kit (.medfed-kit) your "
                "federation operator sent."
            ))
            self.plan_form.addRow(QLabel(self.tr("The plan appears here once the kit is imported.")))
        else:
            e = self.plan.enrolment
            self.enrolment_label.setText(self.tr(
                "Site <b>{site}</b> of federation <b>{federation}</b><br>Coordinator: {url}<br>"
                "CA fingerprint: {fp}<br>Kit valid until {expires}"
            ).format(site=e.site, federation=e.federation, url=e.coordinator_url,
                     fp=e.ca_fingerprint[:23] + "…", expires=e.expires_at[:10]))
            self.timeline.set_mode(e.mode)
            for heading, sentence in self.plan.lines:
                label = QLabel(sentence)
                label.setWordWrap(True)
                self.plan_form.addRow(f"<b>{heading}</b>", label)
        self._show_device()
        self._set_running(self.join_worker is not None)
        self.fill_rounds()
        self.statistics_panel.refresh(None if self.plan is None else self.plan.task_name)

    def fill_rounds(self) -> None:
        """The site's persisted round records (they survive restarts), newest last."""
        from siteapp.federation.round_records import SiteRounds

        records = [] if self.plan is None else SiteRounds(
            self.session.data_dir, self.plan.enrolment.federation).all()
        self.rounds_table.setRowCount(len(records))
        for row, r in enumerate(records):
            auc = (r.metrics or {}).get("auc")
            values = [str(r.round), site_round_status_text(r.status), "" if r.num_examples is None else str(r.num_examples),
                      "" if r.upload_bytes is None else f"{r.upload_bytes:,} B",
                      "" if r.epsilon_after is None else f"{r.epsilon_after:.2f}",
                      f"{auc:.3f}" if isinstance(auc, (int, float)) else "–"]
            for col, value in enumerate(values):
                self.rounds_table.setItem(row, col, QTableWidgetItem(value))
        fit_width_to_columns(self.rounds_table)
        if records and self.join_worker is None:
            last = records[-1]
            if last.status is SiteRoundStatus.REPORTED:
                self.timeline.show_step(SiteStep.AGGREGATED)
                self.round_progress.setValue(100)
                assert self.plan is not None
                if last.round >= self.plan.rounds:
                    self.round_label.setText(self.tr("All {n} rounds of the plan are complete.").format(n=self.plan.rounds))
                else:
                    self.round_label.setText(self.tr("Round {n} is complete; the next Join takes part in the next round.").format(n=last.round))

    def _show_device(self) -> None:
        chosen = self.session.preferences.device
        if chosen == "auto" and self.auto_device is None and self.device_worker is None:
            self.device_worker = (Worker(auto_device, self.tr("checking the training device"))
                                  .on_finished(self._on_auto_device).start())
        shown = chosen if chosen != "auto" or self.auto_device is None else f"{self.auto_device} (auto)"
        self.device_label.setText(
            self.tr("Training device: {device} (change it in Settings)").format(device=shown)
        )

    def _on_auto_device(self, description: str) -> None:
        self.auto_device = description
        self.device_worker = None
        self._show_device()

    def choose_and_request(self) -> None:
        site, ok = QInputDialog.getText(
            self, self.tr("Request enrolment"), self.tr("This site's name in the federation plan:"))
        if not ok or not site.strip():
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the certificate request"), f"{site.strip()}.csr",
            self.tr("Certificate requests (*.csr);;All files (*)"))
        if path:
            self.request_enrolment(site.strip(), Path(path))

    def request_enrolment(self, site: str, request_file: Path) -> bool:
        """Make the site's key and write its certificate request to ``request_file``."""
        from siteapp.federation.site_keys import request_enrolment, request_fingerprint

        try:
            pem = request_enrolment(self.session.data_dir, site)
            request_file.write_bytes(pem)
        except Exception as exc:
            self.show_exception(exc, self.tr("making the certificate request"))
            return False
        self.show_info(self.tr(
            "Saved the certificate request of site {site} to {path}. Send it to your "
            "federation's operator and read them its fingerprint {fingerprint}; then import "
            "the kit they send back.").format(
                site=site, path=request_file, fingerprint=request_fingerprint(pem)),
            NoticeKind.SUCCESS)
        return True

    def choose_and_enroll(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import the enrolment kit"), "", self.tr("MedFed kits (*.medfed-kit);;All files (*)")
        )
        if path:
            self.enroll_kit(Path(path))

    def enroll_kit(self, kit_file: Path) -> bool:
        from siteapp.federation.enrolment import enroll

        fingerprint = self.fingerprint_edit.text().strip() or None
        try:
            record = enroll(self.session.data_dir, kit_file, fingerprint)
        except Exception as exc:
            self.show_exception(exc, self.tr("importing the enrolment kit"))
            return False
        self.session.preferences.coordinator_address = record.coordinator_url
        self.session.preferences.task = record.task
        self.session.preferences_changed.emit()
        self.show_info(self.tr("Enrolled as site {site} of federation {federation}.").format(
            site=record.site, federation=record.federation), NoticeKind.SUCCESS)
        self.refresh_now()
        return True

    def ask_to_leave_federation(self) -> None:
        """Say what leaving deletes and keeps; leave only on an explicit yes."""
        if self.plan is None or self.join_worker is not None:
            return
        e = self.plan.enrolment

        def answered(yes: bool) -> None:
            self.leave_box = None
            if yes:
                self.leave_federation()

        self.leave_box = ask_before(
            self, self.tr("Leave the federation?"),
            self.tr(
                "Leave federation {federation} (site {site})? Its enrolment kit and keys are deleted "
                "from this data folder. Your studies, labels, models, round history and privacy "
                "ledger stay, and the ε already spent keeps counting. To take part again, import a "
                "kit from the operator."
            ).format(federation=e.federation, site=e.site),
            self.tr("Leave the federation"), self.tr("Stay enrolled"), answered, destructive=True,
        )

    def leave_federation(self) -> bool:
        from siteapp.federation.enrolment import leave_federation

        try:
            record = leave_federation(self.session.data_dir)
        except Exception as exc:
            self.show_exception(exc, self.tr("leaving the federation"))
            return False
        self.show_info(self.tr(
            "Left federation {federation}. Everything else in this data folder is kept; import "
            "a kit to take part again."
        ).format(federation=record.federation), NoticeKind.SUCCESS)
        self.connection_label.setText(self.tr("Connection: not checked yet."))
        self.refresh_now()
        return True

    # -- connection ---------------------------------------------------------------------
    def check_connection(self) -> Worker[None, ConnectionCheck] | None:
        """Run :func:`siteapp.federation.connection.check_connection` (as the CLI's
        ``check-connection`` does) and say the answer on the connection line."""
        if self.plan is None or self.state_worker is not None:
            return None
        from siteapp.federation.connection import check_connection

        data_dir = self.session.data_dir
        proxy = self.session.preferences.https_proxy or None
        worker = (call_in_worker(lambda: check_connection(data_dir, proxy),
                                 self.tr("contacting the coordinator"))
                  .on_finished(self._on_connection)
                  .on_errored(self._on_unreachable)
                  .on_done(self._on_connection_checked))
        self.connection_label.setText(self.tr("Connection: checking…"))
        self.state_worker = worker.start()
        return worker

    def _on_connection(self, check: ConnectionCheck) -> None:
        state = check.state
        if state.finished:
            text = self.tr("Connected. The federation has finished all its rounds.")
        else:
            text = self.tr("Connected. Round {n} is {phase}; {k} site(s) have uploaded.").format(
                n=state.number, phase=self.phase_words[state.phase], k=len(state.submitted))
        key = state.ckks_key
        if key is not None and not key.ready and not state.finished:
            waiting = ", ".join(key.waiting_for) if key.fingerprint else key.holder
            text += " " + self.tr(
                "Rounds start once every site holds the federation's encryption key; waiting "
                "for: {sites}. Each site gets it when it joins."
            ).format(sites=waiting)
        self.connection_label.setText(text)

    def _on_unreachable(self, message: str) -> None:
        self.connection_label.setText(self.tr("Connection: not reachable. {message}").format(message=message))

    def _on_connection_checked(self) -> None:
        self.state_worker = None

    def work_in_progress(self) -> str | None:
        if self.join_worker is None:
            return None
        return self.tr(
            "This site is taking part in a federation round. Quitting stops it now: the "
            "privacy budget recorded for the round in progress stays spent, and the round may "
            "close without this site. Press Join after you start MedFed again: the site picks "
            "up the round if it is still open, without recording its cost twice."
        )

    # -- join / pause / leave -----------------------------------------------------------
    def _set_running(self, running: bool) -> None:
        enrolled = self.plan is not None
        self.join_button.setEnabled(enrolled and not running)
        self.pause_button.setEnabled(running)
        self.leave_button.setEnabled(running)
        self.kit_button.setEnabled(not running)
        self.unenrol_button.setEnabled(enrolled and not running)
        self.request_button.setEnabled(not running)
        self.check_button.setEnabled(enrolled)

    def join(self, max_rounds: int | None = None,
             runner_options: RunnerOptions | None = None) -> Worker[Progress, JoinReport] | None:
        """Start taking part; returns the worker (None when not enrolled or running).

        ``max_rounds`` limits how many rounds to take part in (default: until the plan
        ends); ``runner_options`` (a ``RunnerOptions``) changes waits and retries.
        """
        if self.plan is None or self.join_worker is not None:
            return None
        data_dir, device = self.session.data_dir, self.session.preferences.device
        proxy = self.session.preferences.https_proxy or None
        rounds = max_rounds if isinstance(max_rounds, int) and not isinstance(max_rounds, bool) else None

        def job(ctx: JobContext[Progress]) -> JoinReport:
            return run_in_child(ctx, "siteapp.ui.jobs:federation_join", log_dir=data_dir,
                                data_dir=data_dir, device=device, max_rounds=rounds,
                                options=runner_options, https_proxy=proxy)

        worker = (Worker(job, self.tr("taking part in the federation"))
                  .on_yielded(self._on_progress).on_finished(self._on_report)
                  .on_errored(self._on_error).on_done(self._on_done))
        self.join_worker = worker
        self.leave_requested = False
        self.notice.hide()
        self._set_running(True)
        self.timeline.show_step(SiteStep.WAITING)
        self.round_label.setText(self.tr("Starting…"))
        self.session.busy_changed.emit(self.tr("Federation running…"))
        return worker.start()

    def pause(self) -> None:
        if self.join_worker is not None:
            self.join_worker.cancel()
            self.round_label.setText(self.tr("Pausing at the next safe point; progress is saved."))

    def leave(self) -> None:
        if self.join_worker is not None:
            self.leave_requested = True
            self.round_label.setText(self.tr("Will stop once the current round is aggregated."))

    def _on_progress(self, progress: Progress) -> None:
        if not progress.reachable:
            self.connection_label.setText(self.tr("Connection: no answer now. {why}").format(
                why=progress_text(progress)))
        elif self.connection_label.text().startswith(self.tr("Connection: no answer now.")):
            self.connection_label.setText(self.tr("Connection: the coordinator answers again."))
        self.timeline.show_step(progress.step, progress.fraction)
        if progress.step is SiteStep.TRAINING and progress.fraction is not None:
            self.round_progress.setValue(int(progress.fraction * 100))
        elif progress.step is SiteStep.AGGREGATED:
            self.round_progress.setValue(100)
            self.session.privacy_changed.emit()
            self.session.models_changed.emit()
            self.session.audit_changed.emit()
            self.fill_rounds()
            if self.leave_requested and self.join_worker is not None:
                self.join_worker.cancel()
        prefix = self.tr("Round {n}").format(n=progress.round) if progress.round else self.tr("Federation")
        self.round_label.setText(f"{prefix}: {progress_text(progress)}")

    def _on_report(self, report: JoinReport) -> None:
        self.report = report
        self.fill_rounds()
        if report.stopped:
            text = self.tr("Paused: {why}").format(why=report.stopped)
        elif report.finished:
            text = self.tr("The federation has finished. This site's ε is {eps:.2f}.").format(eps=report.epsilon_spent)
            self.round_label.setText(self.tr("The federation has finished all its rounds; there is nothing to wait for."))
            self.timeline.show_step(SiteStep.AGGREGATED)
        else:
            text = self.tr("Took part in {n} round(s); this site's ε is {eps:.2f}; {bytes:,} bytes sent.").format(
                n=len(report.rounds), eps=report.epsilon_spent, bytes=report.bytes_sent)
        self.show_info(text, NoticeKind.SUCCESS if not report.stopped else NoticeKind.INFO)

    def _on_error(self, message: str) -> None:
        self.show_error(message)
        self.round_label.setText(self.tr("Stopped."))

    def _on_done(self) -> None:
        self.join_worker = None
        self._set_running(False)
        self.session.busy_changed.emit("")
        self.session.privacy_changed.emit()
        self.session.models_changed.emit()
        self.session.audit_changed.emit()
