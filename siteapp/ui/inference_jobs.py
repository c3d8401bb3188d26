"""Inference for the GUI: which files a selection of studies means, and the CSV export.

Prediction itself is :func:`siteapp.training.inference.predict_paths`; these helpers only
turn the page's choices into its arguments and its report into a file staff can open.
"""

from __future__ import annotations

import csv
from pathlib import Path

from siteapp.dicom.index import StudyIndex
from siteapp.errors import UsageError

CSV_COLUMNS = ("patient_id", "study_uid", "images", "predicted_class", "probability", "model_round")


def study_files(data_dir: Path, study_uids: list[str]) -> list[Path]:
    """Every indexed image file of the given studies, in viewing order."""
    wanted = set(study_uids)
    files: list[Path] = []
    with StudyIndex(data_dir) as index:
        for patient in index.patients():
            for study in index.studies(patient.patient_key):
                if study.study_uid in wanted:
                    for series in index.series(study.study_uid):
                        files.extend(i.file_path for i in index.instances(series.series_uid))
    return files


def write_predictions_csv(report, path: Path) -> int:
    """Write one row per predicted study; returns the number of rows."""
    try:
        with Path(path).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([*CSV_COLUMNS, *(f"p_{name}" for name in report.classes)])
            for s in report.studies:
                writer.writerow([s.patient_id, s.study_uid, s.images, s.predicted_class,
                                 f"{s.probability:.4f}", s.model_round,
                                 *(f"{s.probabilities.get(name, 0.0):.4f}" for name in report.classes)])
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}; choose another folder") from exc
    return len(report.studies)
