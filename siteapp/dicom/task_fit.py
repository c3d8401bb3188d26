"""Does this site's data fit the federation's task? Checked before any privacy is spent.

A site that joins with the wrong studies (mammograms for a lung-CT task), labels the
task does not know, or a class missing from a split would train on nothing useful, or
fail half-way through a round. :func:`task_fit_problems` reads only the local index and
says, one sentence each, what does not fit and what to do; nothing leaves the site and
nothing is recorded in the privacy ledger.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from coordinator.task_definition import InputKind
from siteapp.dicom.config import SPLIT_TRAIN, SPLIT_VAL
from siteapp.dicom.dataset_source import labelled_patients
from siteapp.dicom.schema import open_dicom_db
from siteapp.dicom.splits import assign_splits, effective_labels
from siteapp.errors import UserFacingError
from siteapp.tasks import TaskDefinition


@dataclass(frozen=True)
class FitDefaults:
    """The fewest patients of each class a split must hold for the task to be trainable
    (train) and its per-class figures to exist (validation)."""

    min_train_patients_per_class: int = 1
    min_val_patients_per_class: int = 1
    # A 3d_volume task builds a volume from a study's series; one of fewer slices holds
    # no third dimension to learn from.
    min_volume_slices: int = 3


FIT = FitDefaults()


class TaskMismatchError(UserFacingError):
    """The site's data do not fit the federation's task; the message lists every reason."""

    def __init__(self, task: TaskDefinition, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"this site's data do not fit the task '{task.title}' ({task.name}); nothing was "
            f"trained and no privacy budget was spent:\n{listed}"
        )


def _counted(counter: Counter[str]) -> str:
    return ", ".join(f"{name or 'none'} ({count})" for name, count in counter.most_common())


def _imported_series(data_dir: Path) -> tuple[Counter[str], dict[str, str]]:
    """Imported series per modality, and the effective label of every labelled patient."""
    conn = open_dicom_db(Path(data_dir))
    try:
        assign_splits(conn)
        modalities = Counter(str(m) for (m,) in conn.execute("SELECT modality FROM series"))
        labels = effective_labels(conn)
    finally:
        conn.close()
    return modalities, labels


def task_fit_problems(
    data_dir: Path, task: TaskDefinition, settings: FitDefaults = FIT
) -> list[str]:
    """Every way this site's imported and labelled data do not fit ``task`` (empty: fits)."""
    modalities, labels = _imported_series(data_dir)
    wanted = "/".join(task.modality)
    what = f"the task learns from {wanted} images of the {task.body_part.lower()}"
    if not modalities:
        return [f"no studies are imported; {what}: import such studies first"]
    if not set(task.modality) & set(modalities):
        return [
            f"this site's imported studies are {_counted(modalities)} series, but {what}; "
            f"import {wanted} studies, or check that this site belongs in this federation"
        ]
    problems = []
    conn = open_dicom_db(Path(data_dir))
    try:
        parts = Counter(
            str(b).upper() for (b,) in conn.execute(
                "SELECT body_part FROM series WHERE modality IN "
                f"({','.join('?' * len(task.modality))})", task.modality,
            )
        )
    finally:
        conn.close()
    named = {p for p in parts if p}
    if named and task.body_part not in named:
        problems.append(
            f"the {wanted} series here show {_counted(parts)}, not the "
            f"{task.body_part.lower()}; {what}: import studies of the {task.body_part.lower()}"
        )
    if task.is_segmentation:
        return problems + segmentation_fit_problems(data_dir, task)
    if not labels:
        return [*problems, "no patient is labelled; label patients with the task's classes "
                f"({', '.join(task.classes)}) on the Labels page or import a labels file"]
    unknown = Counter(label for label in labels.values() if label not in task.classes)
    if unknown:
        problems.append(
            f"{sum(unknown.values())} patients carry labels the task does not know: "
            f"{_counted(unknown)}; the task's classes are {', '.join(task.classes)}: relabel "
            "them, or import a labels file with these classes"
        )
    usable = labelled_patients(
        data_dir, modality=task.modality, series=task.series_filter.accepts
    )
    if not usable:
        problems.append(
            f"none of the {len(labels)} labelled patients has {wanted} images that pass the "
            f"task's series filter ({task.series_filter.describe()}); label patients who do"
        )
        return problems
    if task.input.kind is InputKind.VOLUME_3D:
        thickest = [max(Counter(p.series_uids).values()) for p in usable]
        if max(thickest) < settings.min_volume_slices:
            problems.append(
                f"the task learns from 3D volumes, but no labelled patient here has a series of "
                f"at least {settings.min_volume_slices} slices (the most is {max(thickest)}); "
                "import the patients' whole CT series, not single slices"
            )
    for split, least in ((SPLIT_TRAIN, settings.min_train_patients_per_class),
                         (SPLIT_VAL, settings.min_val_patients_per_class)):
        counts = Counter(p.label for p in usable if p.split == split)
        short = [c for c in task.classes if counts[c] < least]
        if short:
            have = ", ".join(f"{c} {counts[c]}" for c in task.classes)
            problems.append(
                f"the '{split}' split has too few patients of class {', '.join(short)} (needs "
                f"at least {least} each; has {have}); label more patients of "
                f"{'that class' if len(short) == 1 else 'those classes'}"
            )
    return problems


def segmentation_fit_problems(data_dir: Path, task: TaskDefinition) -> list[str]:
    """A segmentation task needs masked patients (:mod:`siteapp.dicom.mask_source`) in
    both splits, some of them with a region in the training split."""
    from siteapp.dicom.mask_source import masked_patient_splits, masked_patients

    regions = ", ".join(task.regions)
    patients = masked_patients(data_dir, task)
    if not patients:
        return [f"no {'/'.join(task.modality)} series here has a mask of {regions}; import "
                "DICOM SEG or RTSTRUCT masks, or draw them on the Labels page"]
    splits = masked_patient_splits(data_dir, patients)
    problems = []
    for split in (SPLIT_TRAIN, SPLIT_VAL):
        if not any(splits.get(p.key) == split for p in patients):
            problems.append(f"the '{split}' split has no patient with masks; mask more patients")
    if not any(p.has_region and splits.get(p.key) == SPLIT_TRAIN for p in patients):
        problems.append(f"no training patient's mask shows {regions}; mask patients with lesions")
    return problems


def check_task_fits(data_dir: Path, task: TaskDefinition, settings: FitDefaults = FIT) -> None:
    """Raise :class:`TaskMismatchError` listing every problem; reads the index only."""
    problems = task_fit_problems(data_dir, task, settings)
    if problems:
        raise TaskMismatchError(task, problems)
