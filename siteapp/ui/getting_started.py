"""Where a site stands on the path from a new install to a federated model (no Qt).

The Help page shows these steps with a tick and a sentence each, so a newcomer sees what
to do next; each step is read from the data folder, not remembered by the GUI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    done: bool
    detail: str
    page_id: str  # where the person does it


def setup_steps(data_dir: Path) -> list[SetupStep]:
    """Import, label, enrol, join: each done or not, with what the folder holds now."""
    from siteapp.dicom.index import StudyIndex
    from siteapp.federation.enrolment import current_enrolment
    from siteapp.federation.round_records import SiteRounds

    with StudyIndex(data_dir) as index:
        counts = index.counts()
    enrolment = current_enrolment(data_dir)
    rounds = SiteRounds(data_dir, enrolment.federation).all() if enrolment is not None else []
    labelled, validation = counts["labelled_patients"], counts["val_patients"]
    return [
        SetupStep("import", QCoreApplication.translate("GettingStarted", "1. Import studies"), counts["patients"] > 0,
                  QCoreApplication.translate("GettingStarted", "{patients} patient(s), {images} image(s) imported. Studies > Import "
                      "(folders, DICOMDIR, zip) or Query PACS.").format(
                      patients=counts["patients"], images=counts["instances"]), "studies"),
        SetupStep("label", QCoreApplication.translate("GettingStarted", "2. Label patients"), labelled > 0 and validation > 0,
                  QCoreApplication.translate("GettingStarted", "{labelled} patient(s) labelled, {val} kept for validation. Labels: one "
                      "key per class, or import a labels CSV.").format(
                      labelled=labelled, val=validation), "labels"),
        SetupStep("enrol", QCoreApplication.translate("GettingStarted", "3. Enrol in the federation"), enrolment is not None,
                  (QCoreApplication.translate("GettingStarted", "Site {site} of federation {federation}.").format(
                      site=enrolment.site, federation=enrolment.federation)
                   if enrolment is not None else
                   QCoreApplication.translate("GettingStarted", "Federation > Request enrolment, send the request to your operator, "
                       "then import the kit they send back.")), "federation"),
        SetupStep("join", QCoreApplication.translate("GettingStarted", "4. Join the rounds"), bool(rounds),
                  QCoreApplication.translate("GettingStarted", "{n} round(s) taken part in. Federation > Join; the Privacy page shows "
                      "what each round costs before it starts.").format(n=len(rounds)),
                  "federation"),
    ]
