"""The DICOM network settings file, and results written as DICOM (SR + Secondary Capture)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from siteapp.cli import main
from siteapp.pacs.config import (
    DicomNetworkConfig,
    PacsConfigError,
    PacsNode,
    ReceiverSettings,
    TlsFiles,
    config_path,
    load_network_config,
    save_network_config,
)
from siteapp.pacs.received import safe_name
from siteapp.pacs.results import ResultsExportError, StudyResult, write_study_results
from tests.pacs.conftest import study_files


def test_nodes_and_receiver_survive_a_restart(data_dir: Path) -> None:
    assert main(["--data-dir", str(data_dir), "pacs", "node", "add", "main", "--ae-title",
                 "PACS1", "--host", "pacs.example.org", "--port", "104", "--retrieve", "get"]) == 0
    assert main(["--data-dir", str(data_dir), "pacs", "receiver", "--ae-title", "SITE1",
                 "--allow-ae", "CT1", "--allow-host", "10.0.0.5", "--start-with-app"]) == 0
    config = load_network_config(data_dir)
    assert config.node("main") == PacsNode("main", "PACS1", "pacs.example.org", 104, "get")
    assert config.receiver == ReceiverSettings("SITE1", 11112, "0.0.0.0", ("CT1",),
                                               ("10.0.0.5",), True)
    assert config.trusted_ae_titles() == {"CT1", "PACS1"}
    assert config.trusted_hosts() == {"10.0.0.5", "pacs.example.org"}


@pytest.mark.parametrize("title", ["", "A" * 17, "BACK\\SLASH", "ÄRZTE"])
def test_an_invalid_ae_title_is_refused_with_what_to_enter(data_dir: Path, title: str) -> None:
    node = PacsNode("main", title, "pacs", 104)
    with pytest.raises(PacsConfigError, match="1 to 16 ASCII"):
        save_network_config(data_dir, DicomNetworkConfig().with_node(node))
    assert not config_path(data_dir).exists()


def test_missing_tls_files_and_broken_config_are_named(data_dir: Path) -> None:
    tls = TlsFiles(str(data_dir / "ca.pem"))
    with pytest.raises(PacsConfigError, match=r"ca\.pem does not exist"):
        DicomNetworkConfig().with_node(PacsNode("main", "PACS", "pacs", 104, tls=tls))
    data_dir.mkdir()
    config_path(data_dir).write_text("{not json")
    with pytest.raises(PacsConfigError, match="fix or delete it"):
        load_network_config(data_dir)


def test_uids_cannot_walk_out_of_the_received_folder() -> None:
    assert safe_name("1.2.840.1") == "1.2.840.1"
    assert "/" not in safe_name("../../etc/passwd") and safe_name("..").startswith("x")


def test_results_are_a_report_and_a_capture_in_the_source_study(
    tiny_studies: Path, tmp_path: Path,
) -> None:
    source = study_files(tiny_studies)[0]
    ds = pydicom.dcmread(source)
    png = tmp_path / "saliency.png"
    Image.fromarray(np.full((32, 48, 3), 200, np.uint8)).save(png)
    result = StudyResult(ds.StudyInstanceUID, "nodule", 0.8125, "nodule", "compact_cnn", 7,
                         "lung-ct-nodule", png)
    sr_path, sc_path = write_study_results([result], {result.study_uid: source}, tmp_path / "out")

    sr = pydicom.dcmread(sr_path)
    assert sr.Modality == "SR" and sr.StudyInstanceUID == ds.StudyInstanceUID
    assert sr.PatientID == ds.PatientID and sr.PatientName == ds.PatientName
    items = {item.ConceptNameCodeSequence[0].CodeMeaning: item for item in sr.ContentSequence}
    assert items["Finding"].ConceptCodeSequence[0].CodeMeaning == "nodule"
    probability = items["Probability of nodule"].MeasuredValueSequence[0]
    assert float(probability.NumericValue) == pytest.approx(0.8125)
    assert items["Algorithm Name"].TextValue == "MedFed compact_cnn"
    assert items["Algorithm Version"].TextValue == "round 7"
    assert items["Source of Measurement"].ReferencedSOPSequence[0].ReferencedSOPInstanceUID \
        == ds.SOPInstanceUID

    sc = pydicom.dcmread(sc_path)
    assert sc.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7"
    assert sc.StudyInstanceUID == ds.StudyInstanceUID and sc.PhotometricInterpretation == "RGB"
    assert sc.pixel_array.shape == (32, 48, 3) and int(sc.pixel_array.max()) == 200
    assert sc.SeriesInstanceUID != sr.SeriesInstanceUID != ds.SeriesInstanceUID


def test_results_without_a_source_image_say_which_study(tmp_path: Path) -> None:
    result = StudyResult("1.2.3", "nodule", 0.5, "nodule", "compact_cnn", 1, "lung-ct-nodule",
                         None)
    with pytest.raises(ResultsExportError, match=r"study 1\.2\.3"):
        write_study_results([result], {}, tmp_path)
