"""How fast does MedFed index DICOM headers, compared with a bare pydicom loop?

Generates ~5,000 phantom CT files (once, cached under --work), then in the same run and
over the same files, with the page cache warmed for both, times:
  * pydicom: ``pydicom.dcmread(path, stop_before_pixels=True)`` for every file;
  * medfed: ``siteapp.dicom.importer.import_paths`` into a fresh data folder (folder
    walk, header parsing, pixel-element completeness check, pseudonymisation, SQLite).
Prints a table, or one JSON object with ``--json``: ``files_per_s`` (MedFed) and
``vs_pydicom_ratio`` (MedFed rate / pydicom rate; target >= 0.8).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pydicom

from siteapp.dicom.importer import import_paths
from siteapp.dicom.phantom import generate_phantom_sites
from siteapp.settings import ImportLimits

TARGET_FILES = 5_000
SLICES_PER_PATIENT = 8


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.dcm"))


def _ensure_phantom(work: Path, files: int) -> Path:
    root = work / f"phantom-{files}"
    if len(_files(root)) >= files:
        return root
    shutil.rmtree(root, ignore_errors=True)
    patients = -(-files // SLICES_PER_PATIENT)
    generate_phantom_sites(root, sites=1, patients=patients, seed=1, slices=SLICES_PER_PATIENT)
    return root


def _bare_pydicom(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        pydicom.dcmread(path, stop_before_pixels=True)
    return time.perf_counter() - start


def _medfed(root: Path, workers: int) -> tuple[float, int]:
    limits = dataclasses.replace(ImportLimits(), index_workers=workers)
    with tempfile.TemporaryDirectory() as data_dir:
        start = time.perf_counter()
        report = import_paths(Path(data_dir), [root], limits=limits)
        return time.perf_counter() - start, report.instances_imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--files", type=int, default=TARGET_FILES)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "medfed-bench")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--workers", type=int, default=ImportLimits().index_workers,
                        help="header-reading processes (1 = in the calling thread)")
    args = parser.parse_args()
    root = _ensure_phantom(args.work, args.files)
    files = _files(root)
    for path in files:  # warm the page cache so both loops read from memory
        path.read_bytes()
    bare, ours, imported = [], [], 0
    for _ in range(args.repeats):
        bare.append(_bare_pydicom(files))
        seconds, imported = _medfed(root, args.workers)
        ours.append(seconds)
    pydicom_rate, medfed_rate = len(files) / min(bare), len(files) / min(ours)
    result = {
        "files": len(files),
        "instances_imported": imported,
        "workers": args.workers,
        "cpu_count": os.cpu_count(),
        "files_per_s": round(medfed_rate, 1),
        "pydicom_files_per_s": round(pydicom_rate, 1),
        "vs_pydicom_ratio": round(medfed_rate / pydicom_rate, 3),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'reader':<34}{'files/s':>10}")
    print(f"{'pydicom dcmread(stop_before_pixels)':<34}{pydicom_rate:>10.0f}")
    print(f"{'MedFed import_paths':<34}{medfed_rate:>10.0f}")
    print(f"ratio {result['vs_pydicom_ratio']} (target >= 0.8), {len(files)} files")


if __name__ == "__main__":
    main()
