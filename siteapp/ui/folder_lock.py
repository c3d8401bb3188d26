"""One site app per data folder.

Two windows on one folder each read the privacy ledger, calibrate against what they saw,
and train: the cap held in the audit that found it, but the second run ended above the
epsilon it was asked for. A lock file in the data folder (Qt's QLockFile: the holder's
PID and host, stale after a crash) keeps a second app out and says who holds it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

from siteapp.errors import UserFacingError

LOCK_FILENAME = ".medfed-site.lock"


class FolderInUseError(UserFacingError):
    """Another MedFed site app has this data folder open."""


def lock_data_folder(data_dir: Path) -> QLockFile:
    """Hold ``data_dir`` for this app; :class:`FolderInUseError` when another app does."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(data_dir / LOCK_FILENAME))
    lock.setStaleLockTime(0)  # only a dead holder's lock is stale, whatever its age
    if lock.tryLock(0):
        return lock
    info = lock.getLockInfo()  # PySide6: (pid, hostname, appname)
    holder = f" (process {info[0]} on {info[1]})" if len(info) >= 2 and info[0] else ""
    raise FolderInUseError(
        f"the data folder {data_dir} is already open in another MedFed window{holder}. "
        "Use that window, or close it and try again; two windows on one folder could "
        "spend the same privacy budget twice"
    )
