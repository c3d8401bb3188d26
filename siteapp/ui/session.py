"""The state the pages share: the data folder, the preferences and change signals.

Pages never talk to each other directly; they read the site's layers for the current
data folder and react to these signals (an import changes the index, a label changes the
class balance, a double-click on a series asks the viewer to open it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from siteapp.ui.folder_lock import lock_data_folder
from siteapp.ui.logging_setup import configure_file_logging, get_logger, log_path
from siteapp.ui.preferences import Preferences

log = get_logger("session")


class SiteSession(QObject):
    """One site's data folder as the GUI sees it."""

    data_dir_changed = Signal(object)
    preferences_changed = Signal()
    index_changed = Signal()
    labels_changed = Signal()
    masks_changed = Signal()
    privacy_changed = Signal()
    models_changed = Signal()
    audit_changed = Signal()
    open_series_requested = Signal(str)
    busy_changed = Signal(str)
    language_changed = Signal(str)

    def __init__(self, preferences: Preferences, data_dir: Path | None = None) -> None:
        super().__init__()
        self.preferences = preferences
        self._data_dir = Path(data_dir) if data_dir is not None else preferences.data_dir
        self._lock = lock_data_folder(self._data_dir)
        self.log_file = configure_file_logging(self._data_dir)
        log.info("site app session on %s", self._data_dir)

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    def set_data_dir(self, data_dir: Path) -> None:
        """Switch to another data folder (persisted) and tell every page."""
        data_dir = Path(data_dir).expanduser()
        if data_dir == self._data_dir:
            return
        lock = lock_data_folder(data_dir)  # raises before anything changes
        self._lock.unlock()
        self._lock = lock
        self.preferences.data_dir = data_dir
        self._data_dir = data_dir
        self.log_file = configure_file_logging(data_dir)
        log.info("data folder changed to %s", data_dir)
        self.data_dir_changed.emit(data_dir)

    def release(self) -> None:
        """Let another app open this data folder (the window is closing)."""
        self._lock.unlock()

    def log_folder(self) -> Path:
        return log_path(self._data_dir).parent
