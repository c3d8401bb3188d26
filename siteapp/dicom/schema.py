"""Tables of the DICOM index in the site store, and opening the store with them.

Patients are keyed by a pseudonymous ``patient_key`` (a keyed hash of the PatientID
with a per-site secret, see :mod:`siteapp.dicom.pseudonym`); the real PatientID and
name are kept in the same row for the local viewer only and never leave the site.
Pixel data stay in the original files; ``instances.file_path`` points at them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from siteapp.errors import UsageError
from siteapp.store import DataDirError, apply_migrations, open_site_db

COMPONENT = "dicom"

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE site_secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE patients (
        patient_key TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        display_name TEXT NOT NULL DEFAULT '',
        sex TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE studies (
        study_uid TEXT PRIMARY KEY,
        patient_key TEXT NOT NULL REFERENCES patients(patient_key),
        study_date TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        accession TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX studies_by_patient ON studies(patient_key);
    CREATE TABLE series (
        series_uid TEXT PRIMARY KEY,
        study_uid TEXT NOT NULL REFERENCES studies(study_uid),
        modality TEXT NOT NULL DEFAULT '',
        series_number INTEGER,
        description TEXT NOT NULL DEFAULT '',
        manufacturer TEXT NOT NULL DEFAULT '',
        body_part TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX series_by_study ON series(study_uid);
    CREATE TABLE instances (
        sop_instance_uid TEXT PRIMARY KEY,
        series_uid TEXT NOT NULL REFERENCES series(series_uid),
        sop_class_uid TEXT NOT NULL,
        instance_number INTEGER,
        slice_position REAL,
        rows INTEGER NOT NULL,
        cols INTEGER NOT NULL,
        frames INTEGER NOT NULL DEFAULT 1,
        pixel_spacing_row REAL,
        pixel_spacing_col REAL,
        slice_thickness REAL,
        photometric TEXT NOT NULL DEFAULT '',
        transfer_syntax TEXT NOT NULL,
        manufacturer TEXT NOT NULL DEFAULT '',
        file_path TEXT NOT NULL,
        file_size INTEGER NOT NULL,
        imported_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE INDEX instances_by_series ON instances(series_uid);
    CREATE TABLE non_image_objects (
        sop_instance_uid TEXT PRIMARY KEY,
        patient_key TEXT,
        study_uid TEXT,
        sop_class_uid TEXT NOT NULL,
        kind TEXT NOT NULL,
        file_path TEXT NOT NULL
    );
    CREATE TABLE patient_labels (
        patient_key TEXT PRIMARY KEY REFERENCES patients(patient_key),
        label TEXT NOT NULL,
        updated_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE study_labels (
        study_uid TEXT PRIMARY KEY REFERENCES studies(study_uid),
        label TEXT NOT NULL,
        updated_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE splits (
        patient_key TEXT PRIMARY KEY REFERENCES patients(patient_key),
        split TEXT NOT NULL CHECK (split IN ('train', 'val')),
        seed INTEGER NOT NULL,
        assigned_at TEXT NOT NULL DEFAULT (datetime('now'))
    )
    """,
    # What a task's series filter reads besides the description; images imported before
    # have '' (re-import them to fill it).
    """
    ALTER TABLE instances ADD COLUMN image_type TEXT NOT NULL DEFAULT '';
    ALTER TABLE instances ADD COLUMN view_position TEXT NOT NULL DEFAULT '';
    ALTER TABLE instances ADD COLUMN laterality TEXT NOT NULL DEFAULT '';
    ALTER TABLE instances ADD COLUMN convolution_kernel TEXT NOT NULL DEFAULT ''
    """,
    # Masks (see siteapp.dicom.masks): one row per saved or imported mask of a series, and
    # the images it covers with the DICOM SEG file that holds each image's frames (one SEG
    # per series where the images have patient geometry, else one per image). origin_uid is
    # the UID of the imported SEG/RTSTRUCT a mask was converted from, so importing the same
    # object again adds nothing.
    """
    CREATE TABLE masks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        series_uid TEXT NOT NULL REFERENCES series(series_uid),
        source TEXT NOT NULL
            CHECK (source IN ('phantom', 'imported-seg', 'imported-rtstruct', 'drawn')),
        segments TEXT NOT NULL,
        origin_uid TEXT UNIQUE,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE INDEX masks_by_series ON masks(series_uid);
    CREATE TABLE mask_images (
        mask_id INTEGER NOT NULL REFERENCES masks(id),
        sop_instance_uid TEXT NOT NULL,
        seg_file TEXT NOT NULL,
        PRIMARY KEY (mask_id, sop_instance_uid)
    )
    """,
)


def open_dicom_db(data_dir: Path) -> sqlite3.Connection:
    """Open the site store with the DICOM tables migrated; unusable folders exit 2."""
    try:
        conn = open_site_db(Path(data_dir))
        apply_migrations(conn, COMPONENT, MIGRATIONS)
    except (DataDirError, sqlite3.DatabaseError) as exc:
        raise UsageError(
            f"the data folder cannot be used ({exc}); choose another one with --data-dir"
        ) from exc
    return conn
