"""The site app's main window: a sidebar of pages, a status bar, Help > About."""

from __future__ import annotations

import html
import platform
import sqlite3
from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from siteapp.errors import UserFacingError
from siteapp.federation.enrolment import current_enrolment
from siteapp.ui.icons import APP_ICON, icon
from siteapp.ui.logging_setup import get_logger
from siteapp.ui.pages.base import Page
from siteapp.ui.session import SiteSession
from siteapp.ui.ui_settings import UI_DEFAULTS
from siteapp.ui.widgets.confirm import ask_before
from siteapp.ui.workers import cancel_all_and_wait

log = get_logger("main_window")

PageFactory = Callable[[SiteSession], Page]
SHUTDOWN_WAIT_S = 10.0


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("medfed")
    except PackageNotFoundError:
        return "development"


#: The page a data folder without studies opens on, when no page was saved.
FIRST_RUN_PAGE = "help"


class MainWindow(QMainWindow):
    #: Asks the app to rebuild the window in another language (Settings changed it).
    relaunch_requested = Signal(str)

    """Sidebar + stacked pages. Pages come from ``page_factories`` (see :mod:`siteapp.ui.pages.registry`)."""

    def __init__(self, session: SiteSession, page_factories: Sequence[PageFactory]) -> None:
        super().__init__()
        self.session = session
        # Closing while a round or training runs asks first (tests and a confirmed quit
        # turn this off).
        self.ask_before_quitting = True
        self.quit_box: QMessageBox | None = None
        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("MedFed Site"))
        self.setWindowIcon(icon(APP_ICON))
        self.resize(UI_DEFAULTS.window_width, UI_DEFAULTS.window_height)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("Sidebar")
        self.sidebar.setIconSize(QSize(UI_DEFAULTS.sidebar_icon_px, UI_DEFAULTS.sidebar_icon_px))
        self.sidebar.setFixedWidth(UI_DEFAULTS.sidebar_width)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        for factory in page_factories:
            page = factory(session)
            self.pages[page.page_id] = page
            self.stack.addWidget(self._scrolling(page))
            item = QListWidgetItem(icon(page.icon_name), page.title())
            item.setData(Qt.ItemDataRole.UserRole, page.page_id)
            item.setSizeHint(QSize(UI_DEFAULTS.sidebar_width - 8, 40))
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._on_sidebar_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        session.data_dir_changed.connect(self._update_status)
        session.preferences_changed.connect(self._update_status)
        session.busy_changed.connect(self._on_busy)
        session.language_changed.connect(self._on_language_changed)
        session.open_series_requested.connect(lambda _uid: self.show_page("viewer"))
        self._restore_window()

    # -- pages ------------------------------------------------------------------------
    @staticmethod
    def _scrolling(page: Page) -> QScrollArea:
        """``page`` in a scroll area of its own. A stack of pages is as large as its
        largest page's minimum, so without it the Settings page's height and the Labels
        page's width made the window 1475 x 1138 at least: taller than a 1080p screen and
        wider than a laptop's. Now the window fits the screen and a page that needs more
        room than it has scrolls."""
        area = QScrollArea()
        area.setObjectName(f"{page.page_id}Scroller")
        area.setWidget(page)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        return area

    def show_page(self, page_id: str) -> Page:
        page = self.pages[page_id]
        self.sidebar.setCurrentRow(list(self.pages).index(page_id))
        return page

    def current_page(self) -> Page:
        area = self.stack.currentWidget()
        assert isinstance(area, QScrollArea)
        page = area.widget()
        assert isinstance(page, Page)
        return page

    def _on_sidebar_row(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.session.preferences.current_page = self.current_page().page_id

    # -- chrome -----------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.folder_label = QLabel()
        self.busy_label = QLabel()
        self.busy_progress = QProgressBar()
        self.busy_progress.setMaximumWidth(160)
        self.busy_progress.setRange(0, 0)
        # Keep its room when hidden: a status bar that changes height would resize (and
        # repaint) every chart on the page just as a job starts.
        policy = self.busy_progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.busy_progress.setSizePolicy(policy)
        self.busy_progress.hide()
        bar.addWidget(self.folder_label, 1)
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.busy_progress)
        self._update_status()

    def _update_status(self, *_args: object) -> None:
        self.folder_label.setText(
            self.tr("Data folder: {folder}   Device: {device}").format(
                folder=self.session.data_dir, device=self.session.preferences.device
            )
        )

    def _on_busy(self, text: str) -> None:
        self.busy_label.setText(text)
        self.busy_progress.setVisible(bool(text))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        import_action = QAction(self.tr("&Import studies…"), self)
        import_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_I))
        import_action.triggered.connect(self._import_studies)
        file_menu.addAction(import_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for row, page in enumerate(self.pages.values()):
            action = QAction(icon(page.icon_name), page.title(), self)
            if row < 9:
                action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key(Qt.Key.Key_1 + row)))
            action.triggered.connect(lambda _checked=False, pid=page.page_id: self.show_page(pid))
            view_menu.addAction(action)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        logs_action = QAction(self.tr("Open &log folder"), self)
        logs_action.triggered.connect(self._open_log_folder)
        help_menu.addAction(logs_action)
        start_action = QAction(self.tr("&Getting started"), self)
        start_action.triggered.connect(lambda: self.show_page(FIRST_RUN_PAGE))
        help_menu.addAction(start_action)
        about_action = QAction(self.tr("&About MedFed"), self)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)

    def _import_studies(self) -> None:
        page = self.show_page("studies")
        choose = getattr(page, "choose_and_import", None)
        if callable(choose):
            choose()

    def _open_log_folder(self) -> None:
        folder = self.session.log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def about_text(self) -> str:
        enrolment = current_enrolment(self.session.data_dir)
        if enrolment is None:
            federation = self.tr("Not enrolled in a federation yet.")
        else:
            federation = self.tr("Federation: {federation} (site {site})").format(
                federation=enrolment.federation, site=enrolment.site
            )
        return self.tr(
            "<h3>MedFed Site {version}</h3>"
            "<p>Train one medical-imaging model with other hospitals without any image, "
            "label or patient record leaving this workstation.</p>"
            "<p>{federation}</p>"
            "<p>Data folder: {folder}<br>Log file: {log}<br>Python {python}, Qt {qt}</p>"
        ).format(
            version=app_version(),
            federation=html.escape(federation),
            folder=self.session.data_dir,
            log=self.session.log_file,
            python=platform.python_version(),
            qt=_qt_version(),
        )

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About MedFed"), self.about_text())

    # -- persistence ------------------------------------------------------------------
    def _restore_window(self) -> None:
        prefs = self.session.preferences
        geometry = prefs.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = prefs.window_state()
        if state is not None:
            self.restoreState(state)
        wanted = prefs.current_page or (FIRST_RUN_PAGE if self._is_new_site() else "")
        ids = list(self.pages)
        self.sidebar.setCurrentRow(ids.index(wanted) if wanted in ids else 0)

    def _is_new_site(self) -> bool:
        """No study imported yet: a newcomer, who first sees the getting-started path."""
        from siteapp.dicom.index import StudyIndex

        try:
            with StudyIndex(self.session.data_dir) as index:
                return index.counts()["patients"] == 0
        except (OSError, sqlite3.Error, UserFacingError):
            return False  # an unusable folder is reported by the pages themselves

    def _on_language_changed(self, language: str) -> None:
        """Switch now, unless work is running (a rebuilt window would interrupt it)."""
        if self.work_in_progress():
            self.current_page().show_info(self.tr(
                "The new language is used from the next start of the app: work is running now."))
            return
        self.relaunch_requested.emit(language)

    def work_in_progress(self) -> list[str]:
        """What each page is doing that quitting would interrupt (sentences)."""
        return [text for page in self.pages.values() if (text := page.work_in_progress())]

    def _ask_to_quit(self, work: list[str]) -> None:
        def answered(stop: bool) -> None:
            self.quit_box = None
            if stop:
                self.ask_before_quitting = False
                self.close()

        self.quit_box = ask_before(
            self, self.tr("Quit while work is running?"), "\n\n".join(work),
            self.tr("Stop and quit"), self.tr("Keep working"), answered, destructive=True,
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        work = self.work_in_progress() if self.ask_before_quitting else []
        if work:
            event.ignore()
            if self.quit_box is None:
                self._ask_to_quit(work)
            return
        self.session.preferences.save_window(self.saveGeometry(), self.saveState())
        self.session.preferences.sync()
        if not cancel_all_and_wait(SHUTDOWN_WAIT_S):
            log.warning("some background work did not stop within %.0f s", SHUTDOWN_WAIT_S)
        self.session.release()
        log.info("main window closed")
        super().closeEvent(event)


def _qt_version() -> str:
    from PySide6 import __version__

    return __version__
