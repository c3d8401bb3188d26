"""The patient / study / series tree the Studies page shows, read from the study index.

Plain dataclasses built by one function that runs in a worker, so the GUI thread never
waits on SQLite. Titles use the local display name: the tree is for staff at this site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from siteapp.dicom.index import StudyIndex
from siteapp.dicom.masks import series_with_masks
from siteapp.tasks import TaskDefinition


@dataclass(frozen=True)
class SeriesNode:
    series_uid: str
    modality: str
    description: str
    series_number: int | None
    image_count: int
    middle_path: Path | None
    has_mask: bool = False

    @property
    def title(self) -> str:
        number = f"#{self.series_number} " if self.series_number is not None else ""
        return f"{number}{self.description or self.modality}".strip()


@dataclass(frozen=True)
class StudyNode:
    study_uid: str
    date: str
    description: str
    modality: str
    label: str
    image_count: int
    series: list[SeriesNode] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.description or self.study_uid


@dataclass(frozen=True)
class PatientNode:
    patient_key: str
    patient_id: str
    display_name: str
    label: str
    split: str
    image_count: int
    studies: list[StudyNode] = field(default_factory=list)

    @property
    def has_mask(self) -> bool:
        """Whether any series of the patient has a stored lesion mask."""
        return any(se.has_mask for st in self.studies for se in st.series)

    @property
    def title(self) -> str:
        name = self.display_name.replace("^", " ").strip()
        ident = self.patient_id or self.patient_key
        return f"{ident} · {name}" if name else ident

    @property
    def modalities(self) -> set[str]:
        return {s.modality for st in self.studies for s in st.series}


def format_dicom_date(value: str) -> str:
    """DICOM DA ``YYYYMMDD`` as ``YYYY-MM-DD``; anything else unchanged."""
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) == 8 and value.isdigit() else value


def load_study_tree(data_dir: Path) -> list[PatientNode]:
    """Every patient with studies and series, and the middle image of each series."""
    with StudyIndex(data_dir) as index:
        masked = set(series_with_masks(index))
        patients = []
        for p in index.patients():
            studies = []
            for st in index.studies(p.patient_key):
                series = []
                for se in index.series(st.study_uid):
                    instances = index.instances(se.series_uid)
                    middle = instances[len(instances) // 2].file_path if instances else None
                    series.append(SeriesNode(se.series_uid, se.modality, se.description,
                                             se.series_number, se.instances, middle,
                                             se.series_uid in masked))
                studies.append(StudyNode(st.study_uid, format_dicom_date(st.study_date), st.description,
                                         st.modality, st.label or "", st.instances, series))
            patients.append(PatientNode(p.patient_key, p.patient_id, p.display_name, p.label or "",
                                        p.split or "", p.instances, studies))
    return patients


def task_uses(patient: PatientNode, task: TaskDefinition) -> bool:
    """Whether ``task`` would learn from any of the patient's series (modality and the
    series filter's description conditions; the label is checked separately, and the
    per-image conditions, view or kernel, when training reads the images)."""
    return any(
        series.modality in task.modality
        and task.series_filter.accepts_description(series.description)
        for study in patient.studies for series in study.series
    )
