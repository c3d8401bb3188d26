"""Durable writes: a file is either its old complete self or its new complete self,
even across a power cut.

Write a temporary file in the same folder, fsync it, rename it over the target, then
fsync the folder so the rename itself survives. The coordinator's blobs, the client's
downloads and the site's kit, updates and global models all go through here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def fsync_dir(folder: Path) -> None:
    """Make the folder's entries (a rename, a new file) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(temp: Path, target: Path) -> None:
    """Rename the complete, fsynced ``temp`` over ``target`` and make the rename durable."""
    os.replace(temp, target)
    fsync_dir(target.parent)


@contextmanager
def durable_writer(target: Path, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A file object whose contents replace ``target`` only if the block ends normally;
    an exception leaves ``target`` as it was and removes the temporary file."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        replace_durably(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_durably(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``target`` with ``data`` durably (see the module docstring)."""
    with durable_writer(target, mode) as fh:
        fh.write(data)
