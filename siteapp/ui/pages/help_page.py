"""Help: the getting-started path with where this site stands, and the few facts staff ask.

A new data folder opens here. Each step says whether it is done (read from the folder) and
has a button to the page where it is done.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from siteapp.ui.getting_started import SetupStep, setup_steps
from siteapp.ui.pages.base import Page
from siteapp.ui.session import SiteSession
from siteapp.ui.workers import call_in_worker

DONE_MARK, TODO_MARK = "\u2714", "\u25cb"


class HelpPage(Page):
    page_id = "help"
    icon_name = "help"

    def title(self) -> str:
        return self.tr("Getting started")

    def description(self) -> str:
        return self.tr(
            "Four steps from a new installation to a model trained with other hospitals. "
            "No image, label or patient record ever leaves this workstation."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.steps: list[SetupStep] = []
        self.steps_box = QGroupBox(self.tr("Where this site stands"))
        self.steps_grid = QGridLayout(self.steps_box)
        self.body.addWidget(self.steps_box)
        facts = QGroupBox(self.tr("Good to know"))
        facts_layout = QVBoxLayout(facts)
        for text in (
            self.tr("Privacy: every training run spends part of this site's privacy budget (ε). "
                    "The app says how much before it starts and refuses what would pass the cap "
                    "your privacy officer set (Privacy page)."),
            self.tr("What leaves: only protected model updates and the figures listed on the "
                    "Federation page; the Audit log shows every request that was sent."),
            self.tr("Which model answers: the newest federated model, unless you pin another on "
                    "the Inference page. Results are decision support, not a diagnosis."),
            self.tr("Problems: every message says what to do next; details go to the log file "
                    "(Help > Open log folder)."),
        ):
            label = QLabel(text)
            label.setWordWrap(True)
            facts_layout.addWidget(label)
        self.body.addWidget(facts)
        self.body.addStretch(1)
        for signal in (session.index_changed, session.labels_changed, session.privacy_changed,
                       session.models_changed):
            signal.connect(self.mark_stale)

    def refresh(self) -> None:
        data_dir = self.session.data_dir
        (call_in_worker(lambda: setup_steps(data_dir), self.tr("reading where this site stands"))
         .on_finished(self.show_steps).on_errored(self.show_error).start())

    def show_steps(self, steps: list[SetupStep]) -> None:
        self.steps = steps
        while self.steps_grid.count():
            item = self.steps_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for row, step in enumerate(steps):
            mark = QLabel(DONE_MARK if step.done else TODO_MARK)
            mark.setObjectName("StepDone" if step.done else "StepToDo")
            title = QLabel(f"<b>{step.title}</b>")
            detail = QLabel(step.detail)
            detail.setWordWrap(True)
            go = QPushButton(self.tr("Open"))
            go.clicked.connect(lambda _checked=False, pid=step.page_id: self.open_page(pid))
            self.steps_grid.addWidget(mark, row, 0)
            self.steps_grid.addWidget(title, row, 1)
            self.steps_grid.addWidget(detail, row, 2)
            self.steps_grid.addWidget(go, row, 3)
        self.steps_grid.setColumnStretch(2, 1)

    def open_page(self, page_id: str) -> None:
        window = self.window()
        show = getattr(window, "show_page", None)
        if callable(show):
            show(page_id)
