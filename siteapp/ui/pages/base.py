"""What every sidebar page has: a heading, a notice bar and a refresh on show."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from siteapp.ui.error_messages import user_message
from siteapp.ui.session import SiteSession
from siteapp.ui.study_tree import PatientNode, load_study_tree
from siteapp.ui.widgets.notice_bar import NoticeBar, NoticeKind
from siteapp.ui.workers import Worker, call_in_worker


class Page(QWidget):
    """A sidebar page. Subclasses fill ``self.body`` and implement :meth:`refresh`.

    ``page_id`` is stable (preferences, tests, screenshot names); ``icon_name`` names a
    file in ``resources/icons``. Pages refresh lazily: when shown, and when the session
    says their data changed while they are visible.
    """

    page_id = ""
    icon_name = ""

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._stale = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 14, 18, 12)
        outer.setSpacing(8)
        self.heading = QLabel(self.title())
        self.heading.setObjectName("PageHeading")
        outer.addWidget(self.heading)
        self.subtitle = QLabel(self.description())
        self.subtitle.setObjectName("PageSubtitle")
        self.subtitle.setWordWrap(True)
        outer.addWidget(self.subtitle)
        self.notice = NoticeBar(self)
        margins = outer.contentsMargins()
        self.notice.float_below(self.subtitle, margins.left(), margins.right())
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        outer.addLayout(self.body, 1)
        session.data_dir_changed.connect(self.mark_stale)

    def title(self) -> str:
        raise NotImplementedError

    def description(self) -> str:
        return ""

    def refresh(self) -> None:
        """Reload what the page shows from the site's layers."""

    def work_in_progress(self) -> str | None:
        """What quitting now would interrupt and cost, in a sentence; None when idle."""
        return None

    def mark_stale(self, *_args: object) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh_now()

    def refresh_now(self) -> None:
        self._stale = False
        try:
            self.refresh()
        except Exception as exc:
            self.show_exception(exc, self.tr("loading this page"))

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._stale:
            self.refresh_now()

    def study_tree_worker(self, on_tree: Callable[[list[PatientNode]], None]) -> Worker[None, list[PatientNode]]:
        """A worker, not yet started, that reads the site's study tree off the GUI thread
        (the index may hold thousands of patients), hands it to ``on_tree`` and shows
        its error in the notice bar. The caller starts it and keeps the reference."""
        data_dir = self.session.data_dir
        return (call_in_worker(lambda: load_study_tree(data_dir), self.tr("reading the study index"))
                .on_finished(on_tree).on_errored(self.show_error))

    def show_error(self, text: str) -> None:
        self.notice.show_notice(text, NoticeKind.ERROR)

    def show_info(self, text: str, kind: NoticeKind = NoticeKind.INFO) -> None:
        self.notice.show_notice(text, kind)

    def show_exception(self, exc: Exception, action: str) -> None:
        """Show a domain error as it is; log anything else and show a next step."""
        self.show_error(user_message(exc, action))
