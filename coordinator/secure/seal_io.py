"""Byte serialisation of TenSEAL's SEAL objects, never through a file on disk.

``tenseal.sealapi`` exposes SEAL's ``save``/``load`` only through file paths, and its
loader seeks, so a pipe will not do. We need bytes (for uploads and context files), and
a secret key must never be written to a file, temporary or not, so each
:class:`SealScratch` owns an anonymous in-memory file (Linux ``memfd``). Systems without
one (macOS, Windows) are refused with a clear message rather than given a temporary
file: CKKS mode needs Linux machines; masking mode runs everywhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from types import TracebackType

from coordinator.secure.errors import InvalidContextError


def _memfd_available() -> bool:
    return hasattr(os, "memfd_create") and sys.platform.startswith("linux")


class SealScratch:
    """A reusable in-memory file for turning SEAL objects into bytes and back.

    Not thread-safe: give each thread (or each long-lived object) its own scratch.
    """

    def __init__(self) -> None:
        self._fd: int | None = None
        if not _memfd_available():
            raise InvalidContextError(
                "CKKS mode needs Linux: this system offers no in-memory file for SEAL's "
                "keys, and MedFed never writes a secret key to a temporary file. Run this "
                "site on Linux, or use a federation in masking mode."
            )
        self._fd = os.memfd_create("medfed-seal", 0)
        self.path = f"/proc/self/fd/{self._fd}"

    def dump(self, save: Callable[[str], object]) -> bytes:
        """Call ``save(path)`` (a SEAL ``save``) and return what it wrote."""
        save(self.path)
        with open(self.path, "rb") as handle:
            return handle.read()

    def parse(self, data: bytes, load: Callable[[str], object]) -> None:
        """Write ``data`` to the in-memory file and call ``load(path)`` (a SEAL ``load``)."""
        with open(self.path, "wb") as handle:
            handle.write(data)
        load(self.path)

    def close(self) -> None:
        """Release the in-memory file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

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
