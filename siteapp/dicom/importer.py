"""Importing DICOM files into the site's study index.

:func:`import_paths` reads headers only (never pixel data), in batches; each batch is
written in one transaction, so a crash or a cancel leaves whole instances in the index
and nothing half-written. Re-importing the same files adds nothing: rows are keyed by
their DICOM UIDs. Every file ends up counted and, if not imported, listed with a reason.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from siteapp.dicom.config import MASK_SOP_CLASSES
from siteapp.dicom.pseudonym import patient_key, site_secret
from siteapp.dicom.reader import HeaderResult, InstanceHeader, NonImageObject, Rejected, read_header
from siteapp.dicom.schema import open_dicom_db
from siteapp.dicom.sources import check_paths_exist, collect_files
from siteapp.settings import ImportLimits

ProgressCallback = Callable[[int, int], None]

#: Below this many files a worker pool costs more to start than it saves.
PARALLEL_MIN_FILES = 2_000


@dataclass
class ImportReport:
    """What one import did; ``to_json`` is what ``import --json`` prints."""

    files_seen: int = 0
    instances_imported: int = 0
    patients: int = 0
    studies: int = 0
    series: int = 0
    non_image: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    # Imported files pydicom warned about (fixable oddities), with what it said.
    warnings: list[dict[str, str]] = field(default_factory=list)
    # SEG/RTSTRUCT objects stored as masks of the images they reference, and those that
    # could not be matched to imported images (with the reason).
    masks: list[dict[str, str]] = field(default_factory=list)
    mask_problems: list[dict[str, str]] = field(default_factory=list)
    cancelled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "files_seen": self.files_seen,
            "instances_imported": self.instances_imported,
            "patients": self.patients,
            "studies": self.studies,
            "series": self.series,
            "non_image": list(self.non_image),
            "skipped": list(self.skipped),
            "warnings": list(self.warnings),
            "masks": list(self.masks),
            "mask_problems": list(self.mask_problems),
        }

    def summary(self) -> str:
        """One human sentence for the CLI and the GUI's status line."""
        text = (
            f"{self.files_seen} files seen, {self.instances_imported} images imported "
            f"({self.patients} new patients, {self.studies} new studies, {self.series} new "
            f"series), {len(self.non_image)} non-image objects listed, "
            f"{len(self.skipped)} files skipped"
        )
        if self.warnings:
            text += f", {len(self.warnings)} imported with warnings"
        if self.masks or self.mask_problems:
            text += (f", {len(self.masks)} masks stored, {len(self.mask_problems)} mask objects "
                     "not matched")
        return text + (" (cancelled)" if self.cancelled else "")

    def found_no_image(self) -> bool:
        """True when not one file was an image, new or already imported (a wrong folder)."""
        unusable = len(self.skipped) + len(self.non_image)
        return self.instances_imported == 0 and unusable >= self.files_seen

    def skipped_by_reason(self) -> dict[str, list[str]]:
        """Skipped files grouped by reason (most frequent first), for a readable report."""
        groups: dict[str, list[str]] = {}
        for item in self.skipped:
            groups.setdefault(item["reason"], []).append(item["path"])
        return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


def import_paths(
    data_dir: Path,
    paths: Sequence[Path],
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Index the DICOM files under ``paths`` (folders, DICOMDIR files, zip archives).

    Raises :class:`siteapp.errors.UsageError` (exit 2) when a path does not exist or
    the data folder is unusable; every problem with an individual file is reported in
    the result instead. ``progress(done, total)`` is called from the calling thread;
    setting ``cancel`` stops after the current batch, keeping what was committed.
    """
    limits = limits or ImportLimits()
    paths = [Path(p).expanduser() for p in paths]
    check_paths_exist(paths)
    conn = open_dicom_db(data_dir)
    try:
        return _run_import(conn, Path(data_dir), paths, progress, cancel, limits)
    finally:
        conn.close()


def _run_import(
    conn: sqlite3.Connection,
    data_dir: Path,
    paths: list[Path],
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    limits: ImportLimits,
) -> ImportReport:
    report = ImportReport()
    sources = collect_files(paths, data_dir, limits)
    for name, reason in sources.rejected:
        report.files_seen += 1
        report.skipped.append({"path": name, "reason": reason})
    writer = _IndexWriter(conn, site_secret(conn), report)
    queue = list(sources.files)
    queued = {str(p) for p in queue}
    mask_objects: list[str] = []
    done = 0
    start = 0
    while start < len(queue):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        batch = queue[start : start + limits.batch_size]
        start += len(batch)
        results = list(_read_headers(batch, limits, len(queue)))
        for result in results:
            if isinstance(result, NonImageObject):
                if result.sop_class_uid in MASK_SOP_CLASSES:
                    mask_objects.append(result.path)
                for ref in result.referenced_files:
                    if ref not in queued:
                        queued.add(ref)
                        queue.append(Path(ref))
        writer.write_batch(results, sources.name_of)
        report.files_seen += len(batch)
        done += len(batch)
        if progress is not None:
            progress(done, len(queue))
    if mask_objects:
        _import_masks(data_dir, mask_objects, report, sources.name_of)
    return report


def _import_masks(
    data_dir: Path, paths: list[str], report: ImportReport, name_of: Callable[[str], str]
) -> None:
    """Store SEG/RTSTRUCT objects as masks once every image of the import is indexed (a
    mask may come before the images it refers to). highdicom loads only here: the header
    workers never need it."""
    from siteapp.dicom.index import StudyIndex
    from siteapp.dicom.mask_import import import_mask_objects

    with StudyIndex(data_dir) as index:
        stored, problems = import_mask_objects(index, paths)
    for path, mask in stored:
        report.masks.append({"path": name_of(path), "series_uid": mask.series_uid,
                             "source": mask.source, "segments": ", ".join(mask.segments)})
    for problem in problems:
        report.mask_problems.append({"path": name_of(problem.path), "reason": problem.reason})


class IndexSession:
    """Indexes files one at a time over one open store, exactly as an import indexes them
    (same reader, same pseudonyms, same report): for the DICOM receiver, which indexes
    each instance before acknowledging it. Opening the store per file would cost a WAL
    checkpoint and an fsync each time, many times the cost of indexing the file. Close it
    when done."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = Path(data_dir)
        self._conn = open_dicom_db(data_dir)
        self.report = ImportReport()
        self._writer = _IndexWriter(self._conn, site_secret(self._conn), self.report)
        self._mask_objects: list[str] = []

    def add(self, path: Path) -> None:
        """Index one file (committed when this returns)."""
        result = _read_existing(Path(path))
        if isinstance(result, NonImageObject) and result.sop_class_uid in MASK_SOP_CLASSES:
            self._mask_objects.append(result.path)
        self._writer.write_batch([result], str)
        self.report.files_seen += 1

    def close(self) -> None:
        """Store the SEG/RTSTRUCT objects received as masks (their images arrived in the
        same session, in any order), then close the store."""
        try:
            if self._mask_objects:
                _import_masks(self._data_dir, self._mask_objects, self.report, str)
        finally:
            self._conn.close()


_POOL_LOCK = threading.Lock()
_POOL: ProcessPoolExecutor | None = None


def _read_headers(batch: list[Path], limits: ImportLimits, total: int) -> Iterator[HeaderResult]:
    """Read a batch of headers, in worker processes when the import is large."""
    workers = min(limits.index_workers, os.cpu_count() or 1)
    if total < PARALLEL_MIN_FILES or workers < 2:
        return map(_read_existing, batch)
    chunk = max(1, len(batch) // (workers * 4))
    return _pool(workers).map(_read_existing, batch, chunksize=chunk)


def _pool(workers: int) -> ProcessPoolExecutor:
    # One pool per process, started lazily with "spawn": forking a process that runs a
    # Qt event loop or SQLite connections is unsafe.
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
        return _POOL


def _read_existing(path: Path) -> HeaderResult:
    if not path.is_file():
        return Rejected(str(path), "listed in a DICOMDIR but the file is missing")
    return read_header(path)


class _IndexWriter:
    """Writes header results into the index, one transaction per batch."""

    def __init__(self, conn: sqlite3.Connection, secret: bytes, report: ImportReport) -> None:
        self._conn = conn
        self._secret = secret
        self._report = report
        self._keys: dict[str, str] = {}
        self._name_of: Callable[[str], str] = str
        self._written_series: set[str] = set()

    def write_batch(self, results: Iterable[HeaderResult], name_of: Callable[[str], str]) -> None:
        report = self._report
        self._name_of = name_of
        with self._conn:
            for result in results:
                if isinstance(result, InstanceHeader):
                    self._write_instance(result)
                    if result.warnings:
                        report.warnings.append({"path": name_of(result.path),
                                                "warning": "; ".join(result.warnings)})
                elif isinstance(result, NonImageObject):
                    self._write_non_image(result)
                    report.non_image.append(
                        {"path": name_of(result.path), "kind": result.kind,
                         "sop_class_uid": result.sop_class_uid}
                    )
                else:
                    report.skipped.append({"path": name_of(result.path), "reason": result.reason})

    def _key(self, patient_id: str, study_uid: str) -> str:
        # Without a PatientID each study stands alone rather than merging strangers.
        source = patient_id if patient_id else f"study:{study_uid}"
        key = self._keys.get(source)
        if key is None:
            key = self._keys[source] = patient_key(self._secret, source)
        return key

    def _write_instance(self, h: InstanceHeader) -> None:
        execute = self._conn.execute
        report = self._report
        key = self._key(h.patient_id, h.study_uid)
        # Most instances share their series with the previous one: skip the parent
        # rows already written by this import (a measurable share of indexing time).
        if h.series_uid not in self._written_series:
            report.patients += execute(
                "INSERT OR IGNORE INTO patients(patient_key, patient_id, display_name, sex)"
                " VALUES (?, ?, ?, ?)",
                (key, h.patient_id, h.patient_name, h.patient_sex),
            ).rowcount
            report.studies += execute(
                "INSERT OR IGNORE INTO studies(study_uid, patient_key, study_date, description,"
                " accession) VALUES (?, ?, ?, ?, ?)",
                (h.study_uid, key, h.study_date, h.study_description, h.accession),
            ).rowcount
            report.series += execute(
                "INSERT OR IGNORE INTO series(series_uid, study_uid, modality, series_number,"
                " description, manufacturer, body_part) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (h.series_uid, h.study_uid, h.modality, h.series_number, h.series_description,
                 h.manufacturer, h.body_part),
            ).rowcount
            self._written_series.add(h.series_uid)
        inserted = execute(
            "INSERT OR IGNORE INTO instances(sop_instance_uid, series_uid, sop_class_uid,"
            " instance_number, slice_position, rows, cols, frames, pixel_spacing_row,"
            " pixel_spacing_col, slice_thickness, photometric, transfer_syntax, manufacturer,"
            " file_path, file_size, image_type, view_position, laterality, convolution_kernel)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (h.sop_instance_uid, h.series_uid, h.sop_class_uid, h.instance_number,
             h.slice_position, h.rows, h.cols, h.frames, h.pixel_spacing_row,
             h.pixel_spacing_col, h.slice_thickness, h.photometric, h.transfer_syntax,
             h.manufacturer, h.path, h.file_size, h.image_type, h.view_position,
             h.laterality, h.convolution_kernel),
        ).rowcount
        if inserted:
            report.instances_imported += 1
            return
        existing = execute(
            "SELECT file_path FROM instances WHERE sop_instance_uid = ?", (h.sop_instance_uid,)
        ).fetchone()
        if existing is not None and existing[0] == h.path:
            # Re-importing the same file fills what an older index did not keep.
            execute(
                "UPDATE instances SET image_type = ?, view_position = ?, laterality = ?,"
                " convolution_kernel = ? WHERE sop_instance_uid = ?",
                (h.image_type, h.view_position, h.laterality, h.convolution_kernel,
                 h.sop_instance_uid),
            )
        elif existing is not None:
            # A second file claiming the same instance is worth telling (often a converted copy of the original).
            report.skipped.append({
                "path": self._name_of(h.path),
                "reason": f"same SOPInstanceUID as the already imported {existing[0]}; "
                "kept that one",
            })

    def _write_non_image(self, obj: NonImageObject) -> None:
        if not obj.sop_instance_uid:
            return
        key = self._key(obj.patient_id, obj.study_uid) if obj.patient_id or obj.study_uid else None
        self._conn.execute(
            "INSERT OR IGNORE INTO non_image_objects(sop_instance_uid, patient_key, study_uid,"
            " sop_class_uid, kind, file_path) VALUES (?, ?, ?, ?, ?, ?)",
            (obj.sop_instance_uid, key, obj.study_uid or None, obj.sop_class_uid, obj.kind,
             obj.path),
        )
