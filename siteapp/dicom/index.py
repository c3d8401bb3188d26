"""Read API over the study index for the GUI and the CLI.

Rows are small frozen dataclasses so the Qt models can hold them without touching
SQLite. ``patient_key`` is the pseudonymous ID used everywhere else; ``display_name``
and ``patient_id`` are real identifiers for the local viewer only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from siteapp.dicom.schema import open_dicom_db
from siteapp.dicom.splits import assign_splits, effective_labels, patient_splits
from siteapp.errors import UserFacingError


class UnknownRecordError(UserFacingError):
    """A patient or study key that is not in this site's index."""


@dataclass(frozen=True)
class PatientRow:
    patient_key: str
    patient_id: str
    display_name: str
    label: str | None
    split: str | None
    studies: int
    series: int
    instances: int


@dataclass(frozen=True)
class StudyRow:
    study_uid: str
    study_date: str
    modality: str
    description: str
    label: str | None
    series: int
    instances: int


@dataclass(frozen=True)
class SeriesRow:
    series_uid: str
    modality: str
    series_number: int | None
    description: str
    manufacturer: str
    instances: int


@dataclass(frozen=True)
class InstanceRow:
    sop_instance_uid: str
    instance_number: int | None
    slice_position: float | None
    file_path: Path
    frames: int
    rows: int
    cols: int
    pixel_spacing_mm: tuple[float, float] | None
    transfer_syntax: str


class StudyIndex:
    """Browse and label the site's imported studies. Close it (or use ``with``)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._conn: sqlite3.Connection = open_dicom_db(self.data_dir)

    @property
    def connection(self) -> sqlite3.Connection:
        """The open store, for modules of ``siteapp.dicom`` that keep their own tables in
        it (masks); everything else goes through this class's methods."""
        return self._conn

    def __enter__(self) -> StudyIndex:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def patients(self) -> list[PatientRow]:
        labels = effective_labels(self._conn)
        splits = patient_splits(self._conn)
        rows = self._conn.execute(
            "SELECT p.patient_key, p.patient_id, p.display_name,"
            " COUNT(DISTINCT st.study_uid), COUNT(DISTINCT se.series_uid),"
            " COUNT(i.sop_instance_uid)"
            " FROM patients p LEFT JOIN studies st USING (patient_key)"
            " LEFT JOIN series se USING (study_uid) LEFT JOIN instances i USING (series_uid)"
            " GROUP BY p.patient_key ORDER BY p.patient_id, p.patient_key"
        ).fetchall()
        return [
            PatientRow(r[0], r[1], r[2], labels.get(r[0]), splits.get(r[0]), r[3], r[4], r[5])
            for r in rows
        ]

    def labels_by_study(self) -> dict[str, str]:
        """Each study's label as this site knows it: its own, else its patient's. Inference
        shows it beside a prediction so staff can compare."""
        patients = effective_labels(self._conn)
        own = {str(r[0]): str(r[1]) for r in self._conn.execute(
            "SELECT study_uid, label FROM study_labels")}
        out: dict[str, str] = {}
        for study_uid, patient_key in self._conn.execute(
            "SELECT study_uid, patient_key FROM studies"
        ):
            label = own.get(str(study_uid)) or patients.get(str(patient_key))
            if label:
                out[str(study_uid)] = label
        return out

    def studies(self, patient_key: str) -> list[StudyRow]:
        rows = self._conn.execute(
            "SELECT st.study_uid, st.study_date, GROUP_CONCAT(DISTINCT se.modality),"
            " st.description, l.label, COUNT(DISTINCT se.series_uid), COUNT(i.sop_instance_uid)"
            " FROM studies st LEFT JOIN study_labels l USING (study_uid)"
            " LEFT JOIN series se USING (study_uid) LEFT JOIN instances i USING (series_uid)"
            " WHERE st.patient_key = ? GROUP BY st.study_uid ORDER BY st.study_date, st.study_uid",
            (patient_key,),
        ).fetchall()
        return [StudyRow(r[0], r[1], r[2] or "", r[3], r[4], r[5], r[6]) for r in rows]

    def series(self, study_uid: str) -> list[SeriesRow]:
        rows = self._conn.execute(
            "SELECT se.series_uid, se.modality, se.series_number, se.description,"
            " se.manufacturer, COUNT(i.sop_instance_uid) FROM series se"
            " LEFT JOIN instances i USING (series_uid) WHERE se.study_uid = ?"
            " GROUP BY se.series_uid ORDER BY se.series_number, se.series_uid",
            (study_uid,),
        ).fetchall()
        return [SeriesRow(*r) for r in rows]

    def instances(self, series_uid: str) -> list[InstanceRow]:
        """Instances in viewing order: by slice position, then instance number."""
        rows = self._conn.execute(
            "SELECT sop_instance_uid, instance_number, slice_position, file_path, frames,"
            " rows, cols, pixel_spacing_row, pixel_spacing_col, transfer_syntax"
            " FROM instances WHERE series_uid = ?"
            " ORDER BY slice_position IS NULL, slice_position, instance_number, sop_instance_uid",
            (series_uid,),
        ).fetchall()
        return [
            InstanceRow(r[0], r[1], r[2], Path(r[3]), r[4], r[5], r[6],
                        (r[7], r[8]) if r[7] and r[8] else None, r[9])
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        def one(sql: str) -> int:
            return int(self._conn.execute(sql).fetchone()[0])

        return {
            "patients": one("SELECT COUNT(*) FROM patients"),
            "studies": one("SELECT COUNT(*) FROM studies"),
            "series": one("SELECT COUNT(*) FROM series"),
            "instances": one("SELECT COUNT(*) FROM instances"),
            "non_image": one("SELECT COUNT(*) FROM non_image_objects"),
            "labelled_patients": len(effective_labels(self._conn)),
            "val_patients": one("SELECT COUNT(*) FROM splits WHERE split = 'val'"),
        }

    def set_label(self, patient_key: str, label: str | None) -> None:
        """Label a patient (``None`` removes it); assigns a split to newly labelled ones."""
        if self._conn.execute(
            "SELECT 1 FROM patients WHERE patient_key = ?", (patient_key,)
        ).fetchone() is None:
            raise UnknownRecordError(f"no patient {patient_key} in this site's index")
        with self._conn:
            if label is None:
                self._conn.execute("DELETE FROM patient_labels WHERE patient_key = ?",
                                   (patient_key,))
            else:
                self._conn.execute(
                    "INSERT INTO patient_labels(patient_key, label) VALUES (?, ?) ON CONFLICT"
                    "(patient_key) DO UPDATE SET label = excluded.label,"
                    " updated_at = datetime('now')",
                    (patient_key, label),
                )
        assign_splits(self._conn)
