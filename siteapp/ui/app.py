"""Start the desktop app: QApplication, style, translations, main window."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from siteapp.tasks import RESOURCES_DIR
from siteapp.ui.error_messages import user_message
from siteapp.ui.folder_lock import FolderInUseError
from siteapp.ui.i18n import install_translators, remove_translators
from siteapp.ui.icons import APP_ICON, icon
from siteapp.ui.logging_setup import get_logger
from siteapp.ui.main_window import MainWindow
from siteapp.ui.preferences import Preferences
from siteapp.ui.session import SiteSession
from siteapp.ui.ui_settings import APPLICATION, ORGANIZATION

STYLE_SHEET = RESOURCES_DIR / "medfed.qss"


log = get_logger("app")


def application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication (created once; tests get pytest-qt's)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setWindowIcon(icon(APP_ICON))
    return app


def apply_style(app: QApplication) -> None:
    if STYLE_SHEET.is_file():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))


def build_main_window(
    data_dir: Path | None = None, preferences: Preferences | None = None
) -> MainWindow:
    """The main window on ``data_dir`` (default: the folder in the preferences)."""
    from siteapp.ui.pages.registry import default_pages

    prefs = preferences if preferences is not None else Preferences()
    session = SiteSession(prefs, data_dir)
    if data_dir is not None:
        prefs.data_dir = Path(data_dir)
    window = MainWindow(session, default_pages())
    # Hundreds of thousands of long-lived objects (Qt, numpy, torch) exist by now; a full
    # garbage collection over them pauses the GUI thread for most of a second. Freezing
    # them leaves the collector only what the session creates later.
    gc.freeze()
    return window


def _excepthook_for(window: MainWindow):
    def hook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        # translate() with the class's context: lupdate files ``window.tr`` under "window",
        # so the Chinese text was never found at run time.
        message = user_message(exc.with_traceback(tb),
                               QCoreApplication.translate("MainWindow", "handling your last action"))
        QMessageBox.warning(window, QCoreApplication.translate("MainWindow", "MedFed"), message)

    return hook


class SiteApp:
    """The running app: its translators and its one main window.

    A language chosen in Settings takes effect at once: the window is rebuilt under the
    new translators (same data folder, same page), as if the app had been restarted.
    """

    def __init__(self, app: QApplication, prefs: Preferences, data_dir: Path | None = None) -> None:
        self.app = app
        self.prefs = prefs
        self.translators = install_translators(app, prefs.language)
        self.window = self._open(data_dir)

    def _open(self, data_dir: Path | None, page_id: str | None = None) -> MainWindow:
        window = build_main_window(data_dir, self.prefs)
        window.relaunch_requested.connect(self.switch_language)
        sys.excepthook = _excepthook_for(window)
        if page_id is not None:
            window.show_page(page_id)
        window.show()
        return window

    def switch_language(self, language: str) -> None:
        old = self.window
        data_dir, page_id = old.session.data_dir, old.current_page().page_id
        geometry = old.saveGeometry()
        old.ask_before_quitting = False
        old.close()
        old.deleteLater()
        remove_translators(self.app, self.translators)
        self.translators = install_translators(self.app, language)
        self.window = self._open(data_dir, page_id)
        self.window.restoreGeometry(geometry)
        log.info("language switched to %s", language)


def run_gui(data_dir: Path | None = None) -> int:
    """Open the site app and run until the window closes; returns the exit code."""
    app = application()
    apply_style(app)
    try:
        site_app = SiteApp(app, Preferences(), data_dir)
    except FolderInUseError as exc:
        QMessageBox.critical(None, QCoreApplication.translate("App", "MedFed"), str(exc))
        return 1
    code = app.exec()
    del site_app
    return int(code)
