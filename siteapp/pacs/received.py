"""Where received instances go: a file under the data folder, indexed at once.

Both the site's Storage SCP and a C-GET retrieve hand every instance to
:class:`ReceivedInstances`. It writes the encoded dataset as sent (temp file, fsync,
rename) and indexes it through :class:`siteapp.dicom.importer.IndexSession`, the import's
own code: the same pseudonymous patient keys, and the same "skipped, with the reason"
entries for files the index cannot use. Only then is the sender told "success", so an
acknowledged instance is on disk and in the index. One index session per association
(or C-GET); :meth:`ReceivedBatch.close` ends it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from coordinator.durable_files import write_durably
from siteapp.dicom.importer import ImportReport, IndexSession
from siteapp.pacs.config import RECEIVED_DIRNAME

log = logging.getLogger("medfed.pacs.received")

_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")

#: C-STORE statuses the site answers with.
STATUS_SUCCESS = 0x0000
STATUS_OUT_OF_RESOURCES = 0xA700
STATUS_CANNOT_UNDERSTAND = 0xC000


def merge_report(total: ImportReport, part: ImportReport) -> None:
    """Add ``part``'s counts and lists to ``total``."""
    total.files_seen += part.files_seen
    total.instances_imported += part.instances_imported
    total.patients += part.patients
    total.studies += part.studies
    total.series += part.series
    total.non_image.extend(part.non_image)
    total.skipped.extend(part.skipped)
    total.masks.extend(part.masks)
    total.mask_problems.extend(part.mask_problems)
    total.cancelled = total.cancelled or part.cancelled


def safe_name(uid: str) -> str:
    """A file name for ``uid``: the UID itself when it is one, else a digest (a hostile
    sender's "UID" must not walk out of the received folder)."""
    uid = uid.strip().rstrip("\x00")
    if _UID.match(uid) and len(uid) <= 64:
        return uid
    return "x" + hashlib.sha256(uid.encode("utf-8", "replace")).hexdigest()[:32]


@dataclass
class ReceivedBatch:
    """What one association (or one C-GET) delivered, with the import report."""

    calling_ae_title: str
    peer: str
    report: ImportReport = field(default_factory=ImportReport)
    study_uids: set[str] = field(default_factory=set)
    _index: IndexSession | None = field(default=None, repr=False)

    def index(self, data_dir: Path, path: Path) -> None:
        if self._index is None:
            self._index = IndexSession(data_dir)
            self.report = self._index.report
        self._index.add(path)

    def close(self) -> None:
        index, self._index = self._index, None
        if index is not None:
            index.close()


class ReceivedInstances:
    """Stores and indexes received instances of one site data folder (thread-safe)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / RECEIVED_DIRNAME
        self._lock = threading.Lock()

    def store(self, encoded: bytes, study_uid: str, sop_instance_uid: str,
              batch: ReceivedBatch) -> int:
        """Write and index one instance; return the C-STORE status for the sender."""
        study_dir = self.folder / safe_name(study_uid or "no-study")
        target = study_dir / f"{safe_name(sop_instance_uid)}.dcm"
        try:
            write_durably(target, encoded)
        except OSError:
            return STATUS_OUT_OF_RESOURCES
        # One writer at a time per data folder: concurrent associations would otherwise
        # contend for SQLite's write lock on every instance.
        try:
            with self._lock:
                batch.index(self.data_dir, target)
        except Exception:  # e.g. the store is locked or damaged: the sender must not
            # believe the instance arrived; the file stays for a later import.
            log.exception("received %s but could not index it", target)
            return STATUS_OUT_OF_RESOURCES
        if study_uid:
            batch.study_uids.add(study_uid)
        return STATUS_SUCCESS
