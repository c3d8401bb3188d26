"""Named defaults and limits of the desktop app, in one place.

User choices (data folder, device, coordinator, language) persist with QSettings in
:mod:`siteapp.ui.preferences`; these are the values the app starts from and the limits
that keep the GUI responsive.
"""

from __future__ import annotations

from dataclasses import dataclass

ORGANIZATION = "MedFed"
APPLICATION = "MedFed Site"
LOG_FILENAME = "siteapp.log"
LOG_DIRNAME = "logs"


@dataclass(frozen=True)
class UiDefaults:
    """Sizes, throttles and defaults of the site app window."""

    window_width: int = 1280
    window_height: int = 820
    sidebar_icon_px: int = 22
    sidebar_width: int = 190
    thumbnail_px: int = 64
    tree_icon_px: int = 40
    # A worker reports progress at most this often, so a fast import cannot flood the
    # GUI thread's event queue.
    progress_min_interval_s: float = 0.05
    worker_threads: int = 8
    coordinator_address: str = "https://127.0.0.1:8443"
    device: str = "auto"
    language: str = "en"
    task: str = "lung-ct-nodule"
    # Studies page: how many patients the tree shows before asking to narrow the search.
    max_tree_patients: int = 5000
    log_max_bytes: int = 2 * 1024 * 1024
    log_backups: int = 3


UI_DEFAULTS = UiDefaults()

#: The window a series opens with, by modality; others open with "auto" (percentiles).
DEFAULT_WINDOW_BY_MODALITY: dict[str, str] = {"CT": "lung"}

LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
