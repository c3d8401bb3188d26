"""Train / validation split by patient, seeded, stable and stored in the index.

A patient is on exactly one side, so no image of a validation patient is ever trained
on. Assignment is stratified by label (each class keeps about ``VAL_FRACTION`` of its
patients in validation, at least one when it has two or more) and ordered by a seeded
hash of the patient key, so the same patients land on the same side on every run.
Assignments are never changed once stored; newly labelled patients are added around them.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict

from siteapp.dicom.config import SPLIT_SEED, SPLIT_TRAIN, SPLIT_VAL, VAL_FRACTION


def effective_labels(conn: sqlite3.Connection) -> dict[str, str]:
    """Each labelled patient's label: its own, or the one label all its labelled studies share."""
    labels = {
        str(r[0]): str(r[1])
        for r in conn.execute("SELECT patient_key, label FROM patient_labels")
    }
    by_patient: dict[str, set[str]] = defaultdict(set)
    for key, label in conn.execute(
        "SELECT s.patient_key, l.label FROM study_labels l JOIN studies s USING (study_uid)"
    ):
        by_patient[str(key)].add(str(label))
    for key, study_labels in by_patient.items():
        if key not in labels and len(study_labels) == 1:
            labels[key] = next(iter(study_labels))
    return labels


def _order(seed: int, patient_key: str) -> str:
    return hashlib.sha256(f"{seed}:{patient_key}".encode()).hexdigest()


def assign_splits(
    conn: sqlite3.Connection, seed: int = SPLIT_SEED, val_fraction: float = VAL_FRACTION,
    strata: dict[str, str] | None = None,
) -> int:
    """Give every labelled patient without a split one; returns how many were assigned.
    ``strata`` (patient key -> group) splits other patients the same way, e.g. those
    with masks by whether a mask holds a lesion (default: the labelled patients by label)."""
    labels = effective_labels(conn) if strata is None else strata
    existing = {
        str(r[0]): str(r[1]) for r in conn.execute("SELECT patient_key, split FROM splits")
    }
    by_label: dict[str, list[str]] = defaultdict(list)
    for key, label in labels.items():
        by_label[label].append(key)
    rows: list[tuple[str, str, int]] = []
    for keys in by_label.values():
        target = max(1, round(len(keys) * val_fraction)) if len(keys) >= 2 else 0
        have_val = sum(1 for k in keys if existing.get(k) == SPLIT_VAL)
        new = sorted((k for k in keys if k not in existing), key=lambda k: _order(seed, k))
        need_val = max(0, target - have_val)
        rows += [(k, SPLIT_VAL if i < need_val else SPLIT_TRAIN, seed) for i, k in enumerate(new)]
    if rows:
        with conn:
            conn.executemany(
                "INSERT OR IGNORE INTO splits(patient_key, split, seed) VALUES (?, ?, ?)", rows
            )
    return len(rows)


def patient_splits(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in conn.execute("SELECT patient_key, split FROM splits")}
