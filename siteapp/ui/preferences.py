"""The user's choices, persisted with QSettings across restarts.

One small typed facade over ``QSettings`` so pages never spell keys or parse values
themselves. Tests pass their own ``QSettings`` (an INI file in a temporary folder) so they
never touch the real user's preferences.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from siteapp.settings import default_data_dir
from siteapp.ui.ui_settings import APPLICATION, DEVICES, LANGUAGES, ORGANIZATION, UI_DEFAULTS

KEY_DATA_DIR = "site/data_dir"
KEY_DEVICE = "site/device"
KEY_COORDINATOR = "site/coordinator_address"
KEY_HTTPS_PROXY = "network/https_proxy"
KEY_LANGUAGE = "ui/language"
KEY_TASK = "site/task"
KEY_GEOMETRY = "window/geometry"
KEY_STATE = "window/state"
KEY_PAGE = "window/page"


def ini_settings(path: Path) -> QSettings:
    """Preferences kept in one INI file (tests, portable installs)."""
    return QSettings(str(path), QSettings.Format.IniFormat)


class Preferences:
    """Typed access to the persisted preferences of the site app."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)

    def _text(self, key: str, default: str) -> str:
        value = self._settings.value(key, default)
        return str(value) if value not in (None, "") else default

    @property
    def data_dir(self) -> Path:
        stored = self._settings.value(KEY_DATA_DIR, "")
        return Path(str(stored)).expanduser() if stored else default_data_dir()

    @data_dir.setter
    def data_dir(self, value: Path) -> None:
        self._settings.setValue(KEY_DATA_DIR, str(Path(value).expanduser()))

    @property
    def device(self) -> str:
        value = self._text(KEY_DEVICE, UI_DEFAULTS.device)
        return value if value in DEVICES else UI_DEFAULTS.device

    @device.setter
    def device(self, value: str) -> None:
        if value not in DEVICES:
            raise ValueError(f"unknown device {value!r}; choose one of {', '.join(DEVICES)}")
        self._settings.setValue(KEY_DEVICE, value)

    @property
    def coordinator_address(self) -> str:
        return self._text(KEY_COORDINATOR, UI_DEFAULTS.coordinator_address)

    @coordinator_address.setter
    def coordinator_address(self, value: str) -> None:
        self._settings.setValue(KEY_COORDINATOR, value.strip())

    @property
    def https_proxy(self) -> str:
        """The hospital's HTTPS proxy; empty: HTTPS_PROXY/NO_PROXY from the environment."""
        return self._text(KEY_HTTPS_PROXY, "")

    @https_proxy.setter
    def https_proxy(self, value: str) -> None:
        self._settings.setValue(KEY_HTTPS_PROXY, value.strip())

    @property
    def language(self) -> str:
        value = self._text(KEY_LANGUAGE, UI_DEFAULTS.language)
        return value if value in LANGUAGES else UI_DEFAULTS.language

    @language.setter
    def language(self, value: str) -> None:
        if value not in LANGUAGES:
            raise ValueError(f"unknown language {value!r}; choose one of {', '.join(LANGUAGES)}")
        self._settings.setValue(KEY_LANGUAGE, value)

    @property
    def task(self) -> str:
        """The task this site labels for (a preset name); the enrolment kit may set it."""
        return self._text(KEY_TASK, UI_DEFAULTS.task)

    @task.setter
    def task(self, value: str) -> None:
        self._settings.setValue(KEY_TASK, value)

    @property
    def current_page(self) -> str:
        return self._text(KEY_PAGE, "")

    @current_page.setter
    def current_page(self, value: str) -> None:
        self._settings.setValue(KEY_PAGE, value)

    def window_geometry(self) -> QByteArray | None:
        value = self._settings.value(KEY_GEOMETRY)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self) -> QByteArray | None:
        value = self._settings.value(KEY_STATE)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._settings.setValue(KEY_GEOMETRY, geometry)
        self._settings.setValue(KEY_STATE, state)

    def sync(self) -> None:
        self._settings.sync()
