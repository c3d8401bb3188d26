"""Labels CSV (all-or-nothing, row-by-row errors), patient splits, dataset source."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from siteapp.cli import main
from siteapp.dicom.dataset_source import labelled_patients
from siteapp.dicom.importer import import_paths
from siteapp.dicom.labels import LabelsFileError, export_labels, import_labels
from siteapp.dicom.schema import open_dicom_db
from siteapp.dicom.splits import assign_splits, patient_splits

TASK = "lung-ct-nodule"


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _label_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "site.sqlite") as conn:
        return int(conn.execute("SELECT COUNT(*) FROM patient_labels").fetchone()[0])


def test_bad_rows_are_reported_one_by_one_and_nothing_is_applied(
    phantom_root: Path, data_dir: Path, tmp_path: Path
) -> None:
    import_paths(data_dir, [phantom_root / "site-1"])
    bad = _write(tmp_path / "bad.csv", [
        ["PatientID", "label"],
        ["S1-0001", "nodule"],  # valid, but must not be applied
        ["S9-0001", "nodule"],
        ["S1-0002", "tumour"],
        ["S1-0003", ""],
        ["S1-0001", "no_nodule"],
    ])
    with pytest.raises(LabelsFileError) as err:
        import_labels(data_dir, bad, TASK)
    assert [(e.row, e.message.split(" '")[0]) for e in err.value.errors] == [
        (3, "unknown PatientID"), (4, "unknown label"), (5, "empty label"),
        (6, "contradicts an earlier row ('nodule' vs"),
    ]
    assert _label_count(data_dir) == 0


def test_missing_columns_are_reported(data_dir: Path, tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", [["Patient", "diagnosis"], ["x", "y"]])
    with pytest.raises(LabelsFileError, match="header needs"):
        import_labels(data_dir, bad, TASK)


def test_labels_by_study_uid_and_export_round_trip(
    phantom_root: Path, data_dir: Path, tmp_path: Path
) -> None:
    import_paths(data_dir, [phantom_root / "site-2"])
    conn = open_dicom_db(data_dir)
    study = conn.execute("SELECT study_uid FROM studies ORDER BY study_uid").fetchone()[0]
    conn.close()
    result = import_labels(
        data_dir, _write(tmp_path / "s.csv", [["StudyInstanceUID", "label"], [study, "nodule"]]),
        TASK)
    assert result.studies_labelled == 1 and result.splits_assigned == 1
    import_labels(data_dir, phantom_root / "site-2" / "labels.csv", TASK)
    out = tmp_path / "export.csv"
    assert export_labels(data_dir, out) == 13
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    original = dict(csv.reader((phantom_root / "site-2" / "labels.csv").open(encoding="utf-8")))
    assert all(original[r["PatientID"]] == r["label"] for r in rows if r["PatientID"])


def test_split_is_by_patient_stratified_and_stable(imported_site: Path) -> None:
    train = labelled_patients(imported_site, "train")
    val = labelled_patients(imported_site, "val")
    assert len(train) + len(val) == 12
    assert not {p.patient_key for p in train} & {p.patient_key for p in val}
    assert {p.label for p in val} == {"nodule", "no_nodule"}  # each class in validation
    conn = open_dicom_db(imported_site)
    before = patient_splits(conn)
    with conn:
        conn.execute("DELETE FROM splits")
    assign_splits(conn)  # same seed, same patients: same sides
    assert patient_splits(conn) == before
    conn.close()


def test_existing_splits_never_move_when_patients_are_added(
    phantom_root: Path, imported_site: Path, tmp_path: Path
) -> None:
    conn = open_dicom_db(imported_site)
    before = patient_splits(conn)
    conn.close()
    extra = tmp_path / "more"
    extra.mkdir()
    for folder in sorted((phantom_root / "site-2").glob("S2-*"))[:4]:
        (extra / folder.name).symlink_to(folder)
    import_paths(imported_site, [p.resolve() for p in extra.iterdir()])
    labels = [r for r in csv.reader((phantom_root / "site-2" / "labels.csv").open())][1:5]
    import_labels(imported_site, _write(tmp_path / "l.csv", [["PatientID", "label"], *labels]))
    conn = open_dicom_db(imported_site)
    after = patient_splits(conn)
    conn.close()
    assert len(after) == 16 and all(after[k] == v for k, v in before.items())


def test_dataset_source_lists_images_in_slice_order(imported_site: Path) -> None:
    patients = labelled_patients(imported_site)
    assert len(patients) == 12
    first = patients[0]
    assert len(first.paths) == len(first.instance_uids) == 4
    assert [p.name for p in first.paths] == ["CT001.dcm", "CT002.dcm", "CT003.dcm", "CT004.dcm"]
    assert all(p.patient_key.startswith("P-") for p in patients)


def test_cli_labels_exit_codes(
    imported_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(tmp_path / "bad.csv", [["PatientID", "label"], ["nobody", "nodule"]])
    assert main(["--data-dir", str(imported_site), "labels", "import", str(bad)]) == 1
    assert "row 2: unknown PatientID 'nobody'" in capsys.readouterr().err
    assert main(["--data-dir", str(imported_site), "labels", "import", str(bad), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["applied"] is False
    assert main(["--data-dir", str(imported_site), "labels", "import",
                 str(tmp_path / "missing.csv")]) == 2
    out = tmp_path / "out.csv"
    assert main(["--data-dir", str(imported_site), "labels", "export", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 13
