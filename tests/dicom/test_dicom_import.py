"""Importing: pydicom's whole test corpus, idempotence, archives, cancel, exit codes."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import threading
import zipfile
from pathlib import Path

import pydicom.data
import pytest

from siteapp.cli import main
from siteapp.dicom.importer import ImportReport, import_paths
from siteapp.dicom.pixels import PixelDecodeError, read_frames
from siteapp.errors import UsageError
from siteapp.settings import ImportLimits

CORPUS = Path(pydicom.data.__file__).parent / "test_files"
REPORT_KEYS = {"files_seen", "instances_imported", "patients", "studies", "series",
               "non_image", "skipped", "warnings", "masks", "mask_problems"}


def _indexed_paths(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "site.sqlite") as conn:
        return {r[0] for r in conn.execute("SELECT file_path FROM instances")}


def test_every_corpus_file_is_imported_or_explained(data_dir: Path) -> None:
    files = {str(p) for p in CORPUS.rglob("*") if p.is_file()}
    assert any("dicomdirtests" in f for f in files)
    report = import_paths(data_dir, [CORPUS])
    imported = _indexed_paths(data_dir)
    skipped = {s["path"]: s["reason"] for s in report.skipped}
    listed = {n["path"] for n in report.non_image}
    assert report.files_seen == len(files)
    assert files == imported | set(skipped) | listed
    assert not imported & set(skipped) and not imported & listed
    assert all(reason.strip() for reason in skipped.values())
    assert "truncated file" in skipped[str(CORPUS / "MR_truncated.dcm")]
    assert skipped[str(CORPUS / "README.txt")].startswith("not a DICOM file")
    assert str(CORPUS / "rtplan.dcm") in listed and str(CORPUS / "test-SR.dcm") in listed
    assert str(CORPUS / "dicomdirtests" / "DICOMDIR") in listed
    assert not [r for r in skipped.values() if "decoder" in r]
    with sqlite3.connect(data_dir / "site.sqlite") as conn:
        syntaxes = {r[0] for r in conn.execute("SELECT transfer_syntax FROM instances")}
    # JPEG baseline, JPEG lossless and JPEG 2000 (JPEG-LS and RLE copies of MR_small
    # share its SOPInstanceUID; see the lossless test below)
    assert {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70",
            "1.2.840.10008.1.2.4.90"} <= syntaxes


@pytest.mark.parametrize(
    "name", ["MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm"]
)
def test_lossless_compressed_copies_import_and_decode_to_the_original(
    name: str, data_dir: Path
) -> None:
    report = import_paths(data_dir, [CORPUS / name])
    assert report.instances_imported == 1
    original = read_frames(CORPUS / "MR_small.dcm")
    assert (read_frames(CORPUS / name) == original).all()


def test_imported_corpus_images_decode_or_fail_with_a_reason(data_dir: Path) -> None:
    import_paths(data_dir, [CORPUS])
    decoded = 0
    for path in sorted(_indexed_paths(data_dir)):
        try:
            frames = read_frames(Path(path))
        except PixelDecodeError as exc:
            assert "cannot decode" in str(exc)
        else:
            decoded += 1
            assert frames.ndim == 3
    assert decoded >= 50


def test_reimport_adds_nothing(phantom_root: Path, data_dir: Path) -> None:
    first = import_paths(data_dir, [phantom_root / "site-1"])
    assert first.instances_imported == 48 and first.patients == 12
    second = import_paths(data_dir, [phantom_root / "site-1"])
    assert (second.instances_imported, second.patients, second.studies, second.series) == (
        0, 0, 0, 0)
    assert len(_indexed_paths(data_dir)) == 48


def test_zip_archives_import_once(phantom_root: Path, data_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((phantom_root / "site-3").rglob("*.dcm")):
            zf.write(path, path.relative_to(phantom_root))
        zf.writestr("notes.txt", "not an image")
    report = import_paths(data_dir, [archive])
    assert report.instances_imported == 24
    assert [s["path"] for s in report.skipped] == [f"{archive}!notes.txt"]
    assert all(Path(p).is_file() for p in _indexed_paths(data_dir))
    assert import_paths(data_dir, [archive]).instances_imported == 0


def test_dicomdir_brings_in_the_files_it_lists(data_dir: Path) -> None:
    report = import_paths(data_dir, [CORPUS / "dicomdirtests" / "DICOMDIR"])
    assert report.instances_imported > 0
    assert all("dicomdirtests" in p for p in _indexed_paths(data_dir))


def test_bad_files_are_skipped_and_the_rest_imported(
    phantom_root: Path, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(phantom_root / "site-2" / "S2-0001", folder)
    good = sorted(folder.glob("*.dcm"))
    data = good[0].read_bytes()
    (folder / "cut.dcm").write_bytes(data[: len(data) // 2])
    (folder / "random.bin").write_bytes(bytes(range(256)) * 4)
    report = import_paths(data_dir, [folder])
    reasons = {Path(s["path"]).name: s["reason"] for s in report.skipped}
    assert reasons["random.bin"].startswith("not a DICOM file")
    assert reasons["cut.dcm"].startswith("truncated file")
    assert report.instances_imported == len(good)


def test_cancel_keeps_whole_batches_only(phantom_root: Path, data_dir: Path) -> None:
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        cancel.set()

    limits = dataclasses.replace(ImportLimits(), batch_size=10)
    report = import_paths(data_dir, [phantom_root / "site-1"], progress, cancel, limits)
    assert report.cancelled and seen == [(10, 49)]
    assert report.files_seen == 10 and len(_indexed_paths(data_dir)) == report.instances_imported


def test_progress_reaches_the_total(phantom_root: Path, data_dir: Path) -> None:
    seen: list[tuple[int, int]] = []
    import_paths(data_dir, [phantom_root / "site-3"], lambda d, t: seen.append((d, t)))
    assert seen[-1] == (25, 25)  # 6 patients x 4 slices + labels.csv


def test_patient_keys_are_pseudonymous_and_site_specific(
    phantom_root: Path, tmp_path: Path
) -> None:
    keys = []
    for name in ("a", "b"):
        import_paths(tmp_path / name, [phantom_root / "site-1" / "S1-0001"])
        with sqlite3.connect(tmp_path / name / "site.sqlite") as conn:
            keys.append(conn.execute("SELECT patient_key, patient_id FROM patients").fetchone())
    (key_a, pid), (key_b, _) = keys
    assert pid == "S1-0001" and pid not in key_a and key_a != key_b


def test_missing_path_is_a_usage_error(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        import_paths(data_dir, [tmp_path / "nowhere"])
    assert err.value.exit_code == 2


def test_cli_exit_codes_and_json(
    phantom_root: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "import", str(phantom_root / "site-3"),
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == REPORT_KEYS and out["instances_imported"] == 24
    assert out["skipped"] == [{"path": str(phantom_root / "site-3" / "labels.csv"),
                               "reason": "not a DICOM file (.csv file)"}]
    assert main(["--data-dir", str(data_dir), "import", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["--data-dir", str(blocker), "import", str(phantom_root)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_report_json_has_exactly_the_documented_keys() -> None:
    assert set(ImportReport().to_json()) == REPORT_KEYS


def test_worker_processes_index_the_same_as_the_calling_thread(
    phantom_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from siteapp.dicom import importer

    sequential = import_paths(tmp_path / "seq", [phantom_root],
                              limits=dataclasses.replace(ImportLimits(), index_workers=1))
    monkeypatch.setattr(importer, "PARALLEL_MIN_FILES", 0)
    parallel = import_paths(tmp_path / "par", [phantom_root],
                            limits=dataclasses.replace(ImportLimits(), index_workers=2))
    assert parallel.to_json() == sequential.to_json()
    assert parallel.instances_imported == 120
    with sqlite3.connect(tmp_path / "seq" / "site.sqlite") as a, \
            sqlite3.connect(tmp_path / "par" / "site.sqlite") as b:
        columns = [c[1] for c in a.execute("PRAGMA table_info(instances)") if c[1] != "imported_at"]
        query = f"SELECT {', '.join(columns)} FROM instances ORDER BY sop_instance_uid"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_cli_groups_skips_by_reason_and_fails_when_nothing_is_an_image(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "not-dicom"
    folder.mkdir()
    for i in range(8):
        (folder / f"note-{i}.txt").write_text("hello")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this archive was cut short")
    assert main(["--data-dir", str(data_dir), "import", str(folder), str(broken)]) == 1
    captured = capsys.readouterr()
    assert "8 skipped: not a DICOM file (.txt file)" in captured.out
    assert "... and 3 more" in captured.out
    assert "damaged zip archive" in captured.out
    assert "nothing was imported" in captured.err


def test_reimporting_the_same_files_is_not_a_failure(
    phantom_root: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "import", str(phantom_root / "site-3")]) == 0
    assert main(["--data-dir", str(data_dir), "import", str(phantom_root / "site-3")]) == 0


def test_studies_lists_patient_id_first_under_a_header(
    phantom_root: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--data-dir", str(data_dir), "import", str(phantom_root / "site-3")])
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "studies"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["PatientID", "Name"] and lines[1].split()[-1] == "Pseudonym"
    assert lines[2].startswith("S3-")


def test_studies_into_a_closed_pipe_ends_quietly(phantom_root: Path, data_dir: Path) -> None:
    import subprocess
    import sys

    main(["--data-dir", str(data_dir), "import", str(phantom_root / "site-3")])
    pipeline = subprocess.run(
        f"{sys.executable} -m siteapp.cli --data-dir {data_dir} studies | head -n 1",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert pipeline.returncode == 0
    assert "BrokenPipe" not in pipeline.stderr and "Traceback" not in pipeline.stderr


def test_pydicom_warnings_reach_the_import_report(phantom_root: Path, data_dir: Path, tmp_path: Path) -> None:
    """A file with a fixable oddity (explicit VR declared, implicit VR written) is
    imported, and the report says what pydicom warned about instead of silencing it."""
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset, write_file_meta_info
    from pydicom.uid import ExplicitVRLittleEndian

    ds = pydicom.dcmread(next((phantom_root / "site-1").rglob("*.dcm")))
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    body = DicomBytesIO()
    body.is_little_endian, body.is_implicit_VR = True, True
    write_dataset(body, ds)
    odd = tmp_path / "odd" / "odd.dcm"
    odd.parent.mkdir()
    with odd.open("wb") as fh:
        fh.write(b"\0" * 128 + b"DICM")
        write_file_meta_info(fh, ds.file_meta)
        fh.write(body.getvalue())
    report = import_paths(data_dir, [odd.parent])
    assert report.instances_imported == 1
    assert report.warnings and report.warnings[0]["path"].endswith("odd.dcm")
    assert "implicit VR" in report.warnings[0]["warning"]
    assert "imported with warnings" in report.summary()
