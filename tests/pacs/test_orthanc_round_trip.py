"""Against a real PACS (Orthanc on loopback): push studies, query, retrieve into a site,
run the model, send the Structured Report back and find it in Orthanc by C-FIND."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    StudyRootQueryRetrieveInformationModelFind,
)

from siteapp.cli import main
from siteapp.dicom.index import StudyIndex
from siteapp.dicom.pseudonym import patient_key, site_secret
from siteapp.dicom.schema import open_dicom_db
from siteapp.federation.audit import AuditLog
from siteapp.pacs.association import PacsError, local_ae, open_association
from siteapp.pacs.config import DicomNetworkConfig, PacsNode
from siteapp.pacs.query import StudyQuery, query_studies
from siteapp.pacs.retrieve import retrieve_studies
from siteapp.pacs.send import send_files
from siteapp.tasks import demo_task
from siteapp.training.checkpoints import save_checkpoint
from siteapp.training.models import build_model
from siteapp.training.weights import full_state
from tests.pacs.conftest import SITE_AE, SLICES, study_files
from tests.pacs.orthanc import OrthancServer, free_port


def run_cli(data_dir: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> object:
    assert main(["--data-dir", str(data_dir), *args]) == 0
    return json.loads(capsys.readouterr().out)


def find_series(orthanc: OrthancServer, study_uid: str, modality: str) -> list[Dataset]:
    """C-FIND at series level, as a viewer would look for the results."""
    ae = local_ae("FINDER")
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
    identifier = Dataset()
    identifier.QueryRetrieveLevel = "SERIES"
    identifier.StudyInstanceUID = study_uid
    identifier.Modality = modality
    identifier.SeriesInstanceUID = ""
    identifier.SeriesDescription = ""
    with open_association(ae, orthanc.node(), "a test query") as assoc:
        return [found for status, found in assoc.send_c_find(
            identifier, StudyRootQueryRetrieveInformationModelFind)
            if status and status.Status in (0xFF00, 0xFF01)]


def test_query_retrieve_infer_and_send_the_report_back(
    orthanc: OrthancServer, site_config: DicomNetworkConfig, data_dir: Path, tiny_studies: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pushed = send_files(orthanc.node(), "MODALITY", study_files(tiny_studies))
    assert len(pushed.sent) == 6 and not pushed.failed

    matches = run_cli(data_dir, "pacs", "query", "orthanc", "--modality", "CT", "--json",
                      capsys=capsys)
    assert isinstance(matches, list) and len(matches) == 3
    one = run_cli(data_dir, "pacs", "query", "orthanc", "--patient-id", "S1-0002", "--from",
                  "2025-03-01", "--to", "2025-03-31", "--json", capsys=capsys)
    assert isinstance(one, list) and [m["patient_id"] for m in one] == ["S1-0002"]
    assert one[0]["instances"] == SLICES and one[0]["accession"] == "A1000002"
    study_uid = one[0]["study_uid"]

    retrieved = run_cli(data_dir, "pacs", "retrieve", "orthanc", study_uid, "--json",
                        capsys=capsys)
    assert isinstance(retrieved, dict)
    assert retrieved["method"] == "move" and retrieved["completed"] == SLICES
    assert retrieved["import"]["instances_imported"] == SLICES
    conn = open_dicom_db(data_dir)
    try:
        expected_key = patient_key(site_secret(conn), "S1-0002")
    finally:
        conn.close()
    with StudyIndex(data_dir) as index:
        (patient,) = index.patients()
        assert patient.patient_key == expected_key  # the import's own pseudonym
        (study,) = index.studies(patient.patient_key)
        assert study.study_uid == study_uid

    task = demo_task("lung-ct-nodule")
    save_checkpoint(data_dir, full_state(build_model("compact_cnn", task)), source="local",
                    run_id="t", round=4, model_name="compact_cnn", task=task,
                    epsilon=1.0, metrics={})
    received = data_dir / "received"
    doc = run_cli(data_dir, "pacs", "results", str(received), "--send", "orthanc", "--json",
                  capsys=capsys)
    assert isinstance(doc, dict)
    assert len(doc["written"]) == 2 and doc["sent"]["failed"] == []
    prediction = doc["inference"]["studies"][0]

    (sr_series,) = find_series(orthanc, study_uid, "SR")
    assert sr_series.SeriesDescription == f"MedFed result: {prediction['predicted_class']}"
    (sc_series,) = find_series(orthanc, study_uid, "OT")
    assert sc_series.SeriesDescription == "MedFed saliency (Grad-CAM)"
    sr_path = next(p for p in doc["written"] if "/sr-" in p)
    sr = pydicom.dcmread(sr_path)
    assert sr.SeriesInstanceUID == sr_series.SeriesInstanceUID
    assert sr.PatientID == "S1-0002" and sr.StudyInstanceUID == study_uid

    # What left the machine is in the audit log, file by file.
    audit = AuditLog(data_dir).query()
    stores = [e for e in audit if e.method == "C-STORE"]
    assert len(stores) == 2 and all(e.status == 0 for e in stores)
    assert {e.body_sha256 for e in stores} == {
        hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in doc["written"]}
    assert all(e.endpoint == f"dicom://ORTHANC@127.0.0.1:{orthanc.dicom_port}" for e in stores)


def test_retrieve_by_c_get_needs_no_receiver(
    orthanc: OrthancServer, site_config: DicomNetworkConfig, data_dir: Path, tiny_studies: Path,
) -> None:
    send_files(orthanc.node(), "MODALITY", study_files(tiny_studies))
    node = orthanc.node("orthanc-get", method="get")
    matches = query_studies(node, "ANYONE", StudyQuery(patient_name="Phantom^Site1^0003"))
    assert [m.patient_id for m in matches] == ["S1-0003"]
    seen: list[tuple[int, int]] = []
    report = retrieve_studies(data_dir, site_config, node, [matches[0].study_uid],
                              progress=lambda done, total: seen.append((done, total)))
    assert report.completed == SLICES and report.imported.instances_imported == SLICES
    assert seen[-1] == (SLICES, SLICES)
    with StudyIndex(data_dir) as index:
        assert index.counts()["instances"] == SLICES


def test_cancelled_retrieve_keeps_what_arrived(
    orthanc: OrthancServer, site_config: DicomNetworkConfig, data_dir: Path, tiny_studies: Path,
) -> None:
    send_files(orthanc.node(), "MODALITY", study_files(tiny_studies))
    uids = [m.study_uid for m in query_studies(orthanc.node(), SITE_AE, StudyQuery())]
    cancel = threading.Event()
    report = retrieve_studies(data_dir, site_config, orthanc.node(method="get"), uids,
                              progress=lambda done, total: cancel.set(), cancel=cancel)
    assert report.cancelled and report.completed < len(uids) * SLICES
    with StudyIndex(data_dir) as index:
        assert index.counts()["instances"] == report.imported.instances_imported


def test_unknown_move_destination_is_explained(
    orthanc: OrthancServer, data_dir: Path, tiny_studies: Path,
) -> None:
    send_files(orthanc.node(), "MODALITY", study_files(tiny_studies))
    from siteapp.pacs.config import ReceiverSettings

    stranger = DicomNetworkConfig(ReceiverSettings("STRANGER", free_port(), "127.0.0.1"),
                                  (orthanc.node(),))
    uid = query_studies(orthanc.node(), "STRANGER", StudyQuery())[0].study_uid
    with pytest.raises(PacsError, match=r"does not know the move destination.*STRANGER"):
        retrieve_studies(data_dir, stranger, orthanc.node(), [uid])


def test_unreachable_node_says_what_to_check(data_dir: Path) -> None:
    node = PacsNode("gone", "GONE", "127.0.0.1", free_port())
    with pytest.raises(PacsError, match=r"cannot reach gone .*Check host and port"):
        query_studies(node, SITE_AE, StudyQuery())
