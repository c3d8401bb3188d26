"""Icons from ``resources/icons`` (SVG, so they stay sharp on high-DPI screens)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

from siteapp.tasks import RESOURCES_DIR

ICONS_DIR = RESOURCES_DIR / "icons"
APP_ICON = "medfed"


def icon_path(name: str) -> Path:
    return ICONS_DIR / f"{name}.svg"


@cache
def icon(name: str) -> QIcon:
    """The named icon; an empty icon if the file is missing (a missing icon never stops the app)."""
    path = icon_path(name)
    return QIcon(str(path)) if path.is_file() else QIcon()
