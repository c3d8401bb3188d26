"""Blob files next to the database, written so that an acknowledged blob survives kill -9.

A blob is streamed into a temporary file in its final folder, fsynced, renamed into place
and the folder fsynced; only then may the caller record it and answer 2xx.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import uuid
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from coordinator.durable_files import replace_durably
from coordinator.errors import PayloadTooLargeError, StorageFullError

# Write failures that mean "no room": the upload can succeed later, once space is freed.
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class PendingBlob:
    """A blob being received: write chunks, then :meth:`commit` or :meth:`discard`."""

    def __init__(self, folder: Path, limit_bytes: int, what: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.limit_bytes = limit_bytes
        self.what = what
        self.temp_path = folder / f".incoming-{uuid.uuid4().hex}"
        self._fh = open(self.temp_path, "wb")  # noqa: SIM115 - closed in commit/discard
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit_bytes:
            self.discard()
            raise PayloadTooLargeError(
                f"the {self.what} exceeds the federation's limit of {self.limit_bytes} bytes; "
                "check that the model matches the plan"
            )
        self._hash.update(chunk)
        try:
            self._fh.write(chunk)
        except OSError as exc:
            self._storage_failed(exc)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def flush(self) -> None:
        """Make the temporary file's contents durable (before validating or renaming it)."""
        if not self._fh.closed:
            try:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()
            except OSError as exc:
                self._storage_failed(exc)

    def _storage_failed(self, exc: OSError) -> NoReturn:
        """Drop the partial file and say plainly that the disk, not the sender, failed."""
        self.discard()
        if exc.errno in NO_SPACE_ERRNOS:
            raise StorageFullError(
                f"the coordinator's disk is full, so the {self.what} was not stored; "
                "the operator must free space on the coordinator, then send it again"
            ) from exc
        raise exc

    def commit(self, name: str) -> Path:
        """Rename into place durably; returns the final path."""
        self.flush()
        final = self.folder / name
        replace_durably(self.temp_path, final)
        return final

    def discard(self) -> None:
        if not self._fh.closed:
            # Closing flushes buffered bytes, which fails again on a full disk.
            with contextlib.suppress(OSError):
                self._fh.close()
        self.temp_path.unlink(missing_ok=True)

    def __enter__(self) -> PendingBlob:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.discard()


class BlobStore:
    """Folders of blobs: ``uploads/round-N/``, ``results/``, ``state/``, ``initial/``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def receive(self, area: str, limit_bytes: int, what: str) -> PendingBlob:
        return PendingBlob(self.root / area, limit_bytes, what)

    def write_bytes(self, area: str, name: str, data: bytes) -> Path:
        with self.receive(area, max(len(data), 1), name) as blob:
            blob.write(data)
            return blob.commit(name)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def clean_incoming(self) -> int:
        """Remove temporary files a crash left behind; never touches committed blobs."""
        removed = 0
        for temp in self.root.rglob(".incoming-*"):
            temp.unlink(missing_ok=True)
            removed += 1
        return removed
