"""Byte serialisation of TenSEAL's SEAL objects.

``tenseal.sealapi`` exposes SEAL's ``save``/``load`` only through file paths. We need
bytes (for uploads and context files), so each :class:`SealScratch` owns one private
scratch file: on Linux an anonymous in-memory file (``memfd``), so secret keys never touch
a disk; elsewhere a file in a private (0700) temporary folder, removed on close.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from types import TracebackType


class SealScratch:
    """A reusable scratch file for turning SEAL objects into bytes and back.

    Not thread-safe: give each thread (or each long-lived object) its own scratch.
    """

    def __init__(self) -> None:
        self._fd: int | None = None
        self._dir: str | None = None
        if hasattr(os, "memfd_create") and sys.platform.startswith("linux"):
            self._fd = os.memfd_create("medfed-seal", 0)
            self.path = f"/proc/self/fd/{self._fd}"
        else:
            self._dir = tempfile.mkdtemp(prefix="medfed-seal-")
            os.chmod(self._dir, 0o700)
            self.path = os.path.join(self._dir, "object.bin")

    def dump(self, save: Callable[[str], object]) -> bytes:
        """Call ``save(path)`` (a SEAL ``save``) and return what it wrote."""
        save(self.path)
        with open(self.path, "rb") as handle:
            return handle.read()

    def parse(self, data: bytes, load: Callable[[str], object]) -> None:
        """Write ``data`` to the scratch file and call ``load(path)`` (a SEAL ``load``)."""
        with open(self.path, "wb") as handle:
            handle.write(data)
        load(self.path)

    def close(self) -> None:
        """Release the scratch file (and wipe it where it lived on disk)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> SealScratch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
