"""Importing and exporting labels as CSV files.

A labels file has a ``label`` column and, per row, a ``PatientID`` or a
``StudyInstanceUID``. The whole file is checked first: every unknown ID, unknown label
name, empty cell or contradiction is reported with its row number, and nothing is
applied unless the whole file is valid, so a site never trains on half a labelling.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from siteapp.dicom.schema import open_dicom_db
from siteapp.dicom.splits import assign_splits
from siteapp.errors import UsageError, UserFacingError
from siteapp.tasks import available_tasks, load_task

PATIENT_COLUMN = "PatientID"
STUDY_COLUMN = "StudyInstanceUID"
LABEL_COLUMN = "label"


@dataclass(frozen=True)
class RowError:
    """One problem in a labels file; ``row`` counts the header as row 1."""

    row: int
    message: str

    def to_json(self) -> dict[str, object]:
        return {"row": self.row, "message": self.message}


class LabelsFileError(UserFacingError):
    """The labels file has errors; none of its labels were applied."""

    def __init__(self, path: Path, errors: list[RowError]) -> None:
        shown = "; ".join(f"row {e.row}: {e.message}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(
            f"{path}: {len(errors)} problem(s), no labels were applied: {shown}{more}. "
            "Fix the file and import it again."
        )
        self.errors = errors


@dataclass
class LabelImportResult:
    patients_labelled: int = 0
    studies_labelled: int = 0
    splits_assigned: int = 0
    errors: list[RowError] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "patients_labelled": self.patients_labelled,
            "studies_labelled": self.studies_labelled,
            "splits_assigned": self.splits_assigned,
            "errors": [e.to_json() for e in self.errors],
        }


def allowed_labels(task: str | None, data_dir: Path | None = None) -> tuple[str, ...]:
    """The class names of ``task``, or of every task the site knows when none is named
    (built-in ones and those of its federations' plans)."""
    names = [task] if task else available_tasks(data_dir)
    return tuple(dict.fromkeys(c for n in names for c in load_task(n, data_dir).classes))


def import_labels(data_dir: Path, csv_path: Path, task: str | None = None) -> LabelImportResult:
    """Validate the whole file, then apply it in one transaction and assign splits.

    Raises :class:`LabelsFileError` listing every bad row (nothing applied), or
    :class:`UsageError` when the file cannot be read at all.
    """
    try:
        text = Path(csv_path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read labels file {csv_path}: {exc}") from exc
    classes = allowed_labels(task, data_dir)
    conn = open_dicom_db(data_dir)
    try:
        patient_updates, study_updates, errors = _validate(conn, text, classes)
        if errors:
            raise LabelsFileError(Path(csv_path), errors)
        with conn:
            conn.executemany(
                "INSERT INTO patient_labels(patient_key, label) VALUES (?, ?) ON CONFLICT"
                "(patient_key) DO UPDATE SET label = excluded.label, updated_at = datetime('now')",
                list(patient_updates.items()),
            )
            conn.executemany(
                "INSERT INTO study_labels(study_uid, label) VALUES (?, ?) ON CONFLICT"
                "(study_uid) DO UPDATE SET label = excluded.label, updated_at = datetime('now')",
                list(study_updates.items()),
            )
        assigned = assign_splits(conn)
        return LabelImportResult(len(patient_updates), len(study_updates), assigned)
    finally:
        conn.close()


def _validate(
    conn: sqlite3.Connection, text: str, classes: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, str], list[RowError]]:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    lower = {h.lower(): i for i, h in enumerate(header)}
    label_col = lower.get(LABEL_COLUMN.lower())
    patient_col = lower.get(PATIENT_COLUMN.lower())
    study_col = lower.get(STUDY_COLUMN.lower())
    if label_col is None or (patient_col is None and study_col is None):
        return {}, {}, [RowError(1, f"the header needs '{LABEL_COLUMN}' and '{PATIENT_COLUMN}' "
                                    f"or '{STUDY_COLUMN}' columns (found: {', '.join(header)})")]
    patient_keys = {str(r[0]): str(r[1]) for r in conn.execute(
        "SELECT patient_id, patient_key FROM patients")}
    study_uids = {str(r[0]) for r in conn.execute("SELECT study_uid FROM studies")}
    patients: dict[str, str] = {}
    studies: dict[str, str] = {}
    errors: list[RowError] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [c.strip() for c in row] + [""] * len(header)
        label = cells[label_col]
        study = cells[study_col] if study_col is not None else ""
        patient = cells[patient_col] if patient_col is not None else ""
        if not label:
            errors.append(RowError(number, "empty label"))
        elif label not in classes:
            errors.append(RowError(number, f"unknown label '{label}' (known: {', '.join(classes)})"))
        if study:
            target, key, known = studies, study, study in study_uids
            what = f"unknown StudyInstanceUID '{study}' (not imported at this site)"
        elif patient:
            target, key, known = patients, patient_keys.get(patient, ""), patient in patient_keys
            what = f"unknown PatientID '{patient}' (not imported at this site)"
        else:
            errors.append(RowError(number, f"no {PATIENT_COLUMN} or {STUDY_COLUMN} in this row"))
            continue
        if not known:
            errors.append(RowError(number, what))
        elif label and key in target and target[key] != label:
            errors.append(RowError(number, f"contradicts an earlier row ('{target[key]}' vs '{label}')"))
        elif label in classes:
            target[key] = label
    return patients, studies, errors


def export_labels(data_dir: Path, csv_path: Path) -> int:
    """Write every label (patient and study) to ``csv_path``; returns the row count.

    The file holds real PatientIDs so staff can check it; it stays on this machine.
    """
    conn = open_dicom_db(data_dir)
    try:
        rows = [(str(r[0]), "", str(r[1])) for r in conn.execute(
            "SELECT p.patient_id, l.label FROM patient_labels l JOIN patients p USING"
            " (patient_key) ORDER BY p.patient_id")]
        rows += [("", str(r[0]), str(r[1])) for r in conn.execute(
            "SELECT study_uid, label FROM study_labels ORDER BY study_uid")]
    finally:
        conn.close()
    try:
        with Path(csv_path).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([PATIENT_COLUMN, STUDY_COLUMN, LABEL_COLUMN])
            writer.writerows(rows)
    except OSError as exc:
        raise UsageError(f"cannot write {csv_path}: {exc.strerror}") from exc
    return len(rows)
