"""Hostile DICOM: pydicom's own test corpus and seeded mutants of valid files (random byte
flips, truncations) never crash the import nor the pixel pipeline the viewer uses.

Every file either imports or is listed as skipped/non-image with a reason; every decode
either returns finite float32 pixels or raises :class:`PixelDecodeError` (which the viewer
shows as a message). Any other exception is a crash and fails the test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom.data
import pytest

from siteapp.dicom.importer import import_paths
from siteapp.dicom.pixels import PixelDecodeError, preprocess, read_frames
from siteapp.tasks import demo_task

CORPUS = Path(pydicom.data.__file__).parent / "test_files"
SEEDS = range(4)
MUTANTS_PER_SEED = 25
MUTATED_SOURCES = ("CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "MR_small_RLE.dcm",
                   "SC_rgb_small_odd.dcm", "SC_rgb_rle_2frame.dcm", "JPEG-lossy.dcm")


def _corpus_files() -> list[Path]:
    """Local files only: pydicom's ``get_testdata_files`` would try to download more."""
    return sorted(p for p in CORPUS.iterdir() if p.is_file())


def _mutants(folder: Path, seed: int) -> list[Path]:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(MUTANTS_PER_SEED):
        source = CORPUS / MUTATED_SOURCES[int(rng.integers(len(MUTATED_SOURCES)))]
        data = bytearray(source.read_bytes())
        if i % 3 == 0:
            data = data[: int(rng.integers(1, len(data)))]
        else:
            # Flips concentrated in the header, where lengths and VRs live.
            for _ in range(int(rng.integers(1, 24))):
                span = min(len(data), 2048) if rng.random() < 0.7 else len(data)
                data[int(rng.integers(span))] ^= 1 << int(rng.integers(8))
        path = folder / f"mutant-{seed}-{i:02d}-{source.stem}.dcm"
        path.write_bytes(bytes(data))
        out.append(path)
    return out


def _decode_or_refuse(path: Path) -> str:
    """'ok' with sane pixels, 'refused' with a message; anything else propagates."""
    task = demo_task("lung-ct-nodule")
    try:
        frames = read_frames(path)
        image = preprocess(path, task)
    except PixelDecodeError as exc:
        assert str(exc), path
        return "refused"
    assert frames.dtype == np.float32 and frames.ndim == 3, path
    assert image.shape == (task.matrix, task.matrix) and np.isfinite(image).all(), path
    assert image.min() >= 0.0 and image.max() <= 1.0, path
    return "ok"


def _import_accounts_for_every_file(data_dir: Path, folder: Path, count: int) -> None:
    report = import_paths(data_dir, [folder])
    assert report.files_seen == count
    listed = len(report.skipped) + len(report.non_image)
    assert report.instances_imported + listed == count, report.summary()
    assert all(entry.get("reason") for entry in report.skipped), report.skipped


def test_pydicom_corpus_never_crashes_import_or_decoding(tmp_path: Path) -> None:
    files = _corpus_files()
    folder = tmp_path / "corpus"
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    _import_accounts_for_every_file(tmp_path / "site", folder, len(files))
    outcomes = {f.name: _decode_or_refuse(folder / f.name) for f in files}
    assert outcomes["CT_small.dcm"] == "ok"
    assert "refused" in outcomes.values()


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_dicom_never_crashes_import_or_decoding(tmp_path: Path, seed: int) -> None:
    mutants = _mutants(tmp_path / "mutants", seed)
    _import_accounts_for_every_file(tmp_path / "site", tmp_path / "mutants", len(mutants))
    for path in mutants:
        _decode_or_refuse(path)
