"""Turning what the user picked (folders, DICOMDIR files, zip archives) into files.

Zip archives are unpacked once into ``<data_dir>/archives/<digest>/`` so that indexed
instances point at real files the viewer and training can open later; the folder is
written under a temporary name and renamed when complete, so an interrupted unpack is
never mistaken for a finished one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from siteapp.dicom.config import ARCHIVES_DIRNAME
from siteapp.errors import UsageError
from siteapp.settings import ImportLimits


@dataclass
class SourceFiles:
    """Files to read, with display names for archive members and early rejections."""

    files: list[Path] = field(default_factory=list)
    display: dict[str, str] = field(default_factory=dict)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def name_of(self, path: str) -> str:
        return self.display.get(path, path)


def check_paths_exist(paths: list[Path]) -> None:
    """Fail before any work when a path the user named does not exist (exit 2)."""
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path} does not exist; check the path and run the import again")


def collect_files(paths: list[Path], data_dir: Path, limits: ImportLimits) -> SourceFiles:
    """Expand folders recursively and unpack archives; order is stable (sorted)."""
    out = SourceFiles()
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            candidates: Iterator[Path] = _walk(path)
        elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
            candidates = iter(_unpack_zip(path, data_dir, limits, out))
        elif path.suffix.lower() == ".zip":
            out.rejected.append((str(path), "damaged zip archive (its table of contents cannot "
                                            "be read); copy it again from its source"))
            continue
        else:
            candidates = iter([path])
        for file in candidates:
            key = os.path.abspath(file)
            if key not in seen:
                seen.add(key)
                out.files.append(Path(key))
    return out


def _walk(root: Path) -> Iterator[Path]:
    stack = [str(root)]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        dirs = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                dirs.append(entry.path)
            elif entry.is_file():
                yield Path(entry.path)
        stack.extend(reversed(dirs))


def _unpack_zip(
    archive: Path, data_dir: Path, limits: ImportLimits, out: SourceFiles
) -> list[Path]:
    stat = archive.stat()
    digest = hashlib.sha256(
        f"{archive.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    ).hexdigest()[:16]
    target = data_dir / ARCHIVES_DIRNAME / f"{archive.stem}-{digest}"
    names: list[tuple[str, str]] = []
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            for index, info in enumerate(infos):
                display = f"{archive}!{info.filename}"
                rel = PurePosixPath(info.filename.replace("\\", "/"))
                if index >= limits.max_zip_members:
                    out.rejected.append((display, "archive has too many files; split it"))
                elif rel.is_absolute() or ".." in rel.parts:
                    out.rejected.append((display, "unsafe path inside the archive"))
                elif info.file_size > limits.max_zip_member_bytes:
                    out.rejected.append((display, "file inside the archive is too large"))
                else:
                    names.append((info.filename, display))
            if not target.is_dir():
                tmp = target.with_name(target.name + ".partial")
                shutil.rmtree(tmp, ignore_errors=True)
                for member, _ in names:
                    zf.extract(member, tmp)
                tmp.rename(target)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        out.rejected.append((str(archive), f"damaged zip archive ({exc})"))
        return []
    files = []
    for member, display in names:
        path = Path(os.path.abspath(target / member))
        out.display[str(path)] = display
        files.append(path)
    return files
