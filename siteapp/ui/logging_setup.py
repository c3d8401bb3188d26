"""The app's log file: ``<data_dir>/logs/siteapp.log``.

Errors a person sees in a message box carry a short text; the full details (tracebacks
included) go to this file so IT support can read them without the user copying anything.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from siteapp.ui.ui_settings import LOG_DIRNAME, LOG_FILENAME, UI_DEFAULTS

LOGGER_NAME = "siteapp"
_HANDLER_TAG = "_medfed_site_file_handler"


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_DIRNAME / LOG_FILENAME


def configure_file_logging(data_dir: Path) -> Path:
    """Send the ``siteapp`` logger to ``<data_dir>/logs/siteapp.log`` (rotating).

    Calling it again with another data folder moves the log there; earlier handlers
    installed by this function are closed, others are left alone. The app's records stop
    at this file (no propagation to the root logger's handlers).
    """
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if getattr(handler, _HANDLER_TAG, False):
            logger.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        path,
        maxBytes=UI_DEFAULTS.log_max_bytes,
        backupCount=UI_DEFAULTS.log_backups,
        encoding="utf-8",
    )
    setattr(handler, _HANDLER_TAG, True)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # Opacus installs a stderr handler on the root logger when imported; without this
    # every INFO line of the app would be echoed to the terminal that started it.
    logger.propagate = False
    return path


def get_logger(name: str) -> logging.Logger:
    """A child of the ``siteapp`` logger, so every module lands in the same file."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}")
