"""C-FIND at study level: which studies a PACS holds for a patient, date range, modality
or accession number."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from pydicom.dataset import Dataset
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    StudyRootQueryRetrieveInformationModelFind,
)

from siteapp.pacs.association import PacsError, local_ae, open_association, require_context
from siteapp.pacs.config import PacsNode

#: C-FIND statuses that carry a match.
_PENDING = (0xFF00, 0xFF01)


@dataclass(frozen=True)
class StudyQuery:
    """What to look for; empty fields match anything. Names may use DICOM wildcards
    (``DOE*``)."""

    patient_id: str = ""
    patient_name: str = ""
    date_from: date | None = None
    date_to: date | None = None
    modality: str = ""
    accession: str = ""

    def is_empty(self) -> bool:
        return not (self.patient_id or self.patient_name or self.date_from or self.date_to
                    or self.modality or self.accession)

    def date_range(self) -> str:
        if not self.date_from and not self.date_to:
            return ""
        start = self.date_from.strftime("%Y%m%d") if self.date_from else ""
        end = self.date_to.strftime("%Y%m%d") if self.date_to else ""
        return start if start == end else f"{start}-{end}"

    def identifier(self) -> Dataset:
        ds = Dataset()
        ds.QueryRetrieveLevel = "STUDY"
        ds.PatientID = self.patient_id.strip()
        ds.PatientName = self.patient_name.strip()
        ds.StudyDate = self.date_range()
        ds.ModalitiesInStudy = self.modality.strip().upper()
        ds.AccessionNumber = self.accession.strip()
        ds.StudyInstanceUID = ""
        ds.StudyDescription = ""
        ds.StudyTime = ""
        ds.NumberOfStudyRelatedInstances = ""
        ds.NumberOfStudyRelatedSeries = ""
        return ds


@dataclass(frozen=True)
class StudyMatch:
    """One study a PACS answered with."""

    study_uid: str
    patient_id: str
    patient_name: str
    study_date: str
    description: str
    accession: str
    modalities: str
    instances: int | None

    @classmethod
    def from_identifier(cls, ds: Dataset) -> StudyMatch:
        modalities = ds.get("ModalitiesInStudy", "")
        if not isinstance(modalities, str):
            modalities = "\\".join(str(m) for m in modalities)
        count = ds.get("NumberOfStudyRelatedInstances", None)
        return cls(
            study_uid=str(ds.get("StudyInstanceUID", "")),
            patient_id=str(ds.get("PatientID", "")),
            patient_name=str(ds.get("PatientName", "")),
            study_date=str(ds.get("StudyDate", "")),
            description=str(ds.get("StudyDescription", "")),
            accession=str(ds.get("AccessionNumber", "")),
            modalities=modalities,
            instances=int(count) if count not in (None, "") else None,
        )


def query_studies(
    node: PacsNode,
    local_ae_title: str,
    query: StudyQuery,
    cancel: threading.Event | None = None,
    limit: int = 500,
) -> list[StudyMatch]:
    """The studies ``node`` holds that match ``query`` (at most ``limit``; a cancel stops
    early and returns what arrived)."""
    ae = local_ae(local_ae_title)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
    matches: list[StudyMatch] = []
    with open_association(ae, node, "a query") as assoc:
        require_context(assoc, node, StudyRootQueryRetrieveInformationModelFind, "queries")
        responses = assoc.send_c_find(query.identifier(), StudyRootQueryRetrieveInformationModelFind)
        for status, identifier in responses:
            if not status:
                raise PacsError(
                    f"{node.describe()} did not answer the query in time; try again or narrow it"
                )
            code = int(status.Status)
            if code in _PENDING and identifier is not None:
                matches.append(StudyMatch.from_identifier(identifier))
                if len(matches) >= limit or (cancel is not None and cancel.is_set()):
                    assoc.abort()
                    break
            elif code != 0x0000:
                raise PacsError(
                    f"{node.describe()} refused the query (status 0x{code:04X}); check the "
                    "search fields, or ask the PACS administrator whether this site may query"
                )
    matches.sort(key=lambda m: (m.study_date, m.patient_id), reverse=True)
    return matches
