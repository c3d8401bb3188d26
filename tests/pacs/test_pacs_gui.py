"""The GUI of the DICOM network on a real Orthanc: Query PACS (search, retrieve with
progress), the receiver's start/stop in Settings, and the export of results as DICOM."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from siteapp.dicom.index import StudyIndex
from siteapp.pacs.config import DicomNetworkConfig
from siteapp.pacs.query import StudyQuery, query_studies
from siteapp.pacs.send import send_files
from tests.pacs.conftest import SLICES, study_files
from tests.pacs.orthanc import OrthancServer
from tests.ui.conftest import make_window, preferences  # noqa: F401 (fixtures)
from tests.ui.helpers import wait_worker


def test_query_pacs_dialog_searches_and_retrieves_into_the_site(
    qtbot, make_window, orthanc: OrthancServer, site_config: DicomNetworkConfig,  # noqa: F811
    data_dir: Path, tiny_studies: Path,
) -> None:
    send_files(orthanc.node(), "MODALITY", study_files(tiny_studies))
    window = make_window(data_dir)
    studies = window.show_page("studies")
    dialog = studies.open_query_pacs()
    qtbot.addWidget(dialog)
    assert dialog.node_combo.currentData() == "orthanc"
    dialog.patient_id_edit.setText("S1-0001")
    wait_worker(qtbot, dialog.search())
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "S1-0001"
    dialog.table.selectRow(0)
    progress: list[tuple[int, int]] = []
    worker = dialog.retrieve_selected()
    assert worker is not None and dialog.cancel_button.isEnabled()
    worker.signals.progress.connect(lambda done, total: progress.append((done, total)))
    wait_worker(qtbot, worker)
    assert "retrieved 2 instances" in dialog.status_label.text()
    assert studies.last_report is not None and studies.last_report.instances_imported == SLICES
    with StudyIndex(data_dir) as index:
        assert [p.patient_id for p in index.patients()] == ["S1-0001"]


def test_settings_start_the_receiver_and_received_studies_appear(
    qtbot, make_window, site_config: DicomNetworkConfig, data_dir: Path,  # noqa: F811
    tiny_studies: Path,
) -> None:
    window = make_window(data_dir)
    section = window.show_page("settings").dicom_network
    section.allowed_ae_edit.setText("CT_SCANNER1")
    section.toggle_receiver()
    assert section.service.running, section.page.notice.text()
    port = section.service.receiver.port
    node = site_config.nodes[0].__class__("site", site_config.receiver.ae_title, "127.0.0.1", port)
    with qtbot.waitSignal(window.session.index_changed, timeout=10_000):
        send_files(node, "CT_SCANNER1", study_files(tiny_studies)[:SLICES])
    assert "Received from CT_SCANNER1" in section.page.notice.text()
    report_summary = window.pages["studies"].report_summary.text()
    assert f"{SLICES} images imported (1 new patients" in report_summary
    section.toggle_receiver()
    assert not section.service.running
    assert "Stopped" in section.receiver_state.text()


def test_results_export_writes_and_sends_the_report(
    qtbot, orthanc: OrthancServer, site_config: DicomNetworkConfig, data_dir: Path,
    tiny_studies: Path, preferences,  # noqa: F811
) -> None:
    from siteapp.tasks import demo_task
    from siteapp.training.checkpoints import save_checkpoint
    from siteapp.training.inference import predict_paths
    from siteapp.training.models import build_model
    from siteapp.training.weights import full_state
    from siteapp.ui.pacs.results_export import ResultsExportDialog
    from siteapp.ui.session import SiteSession

    task = demo_task("lung-ct-nodule")
    save_checkpoint(data_dir, full_state(build_model("compact_cnn", task)), source="local",
                    run_id="t", round=2, model_name="compact_cnn", task=task,
                    epsilon=1.0, metrics={})
    patient = tiny_studies / "S1-0003"
    report = predict_paths(data_dir, [patient])
    dialog = ResultsExportDialog(SiteSession(preferences, data_dir), report, [patient])
    qtbot.addWidget(dialog)
    assert dialog.send_check.isChecked() and dialog.node_combo.currentData() == "orthanc"
    dialog.folder_edit.setText(str(data_dir / "out"))
    wait_worker(qtbot, dialog.export())
    assert dialog.files.count() == 2, dialog.status_label.text()
    assert "Sent 2 to orthanc; 0 refused" in dialog.status_label.text()
    found = query_studies(orthanc.node(), "CHECK", StudyQuery(patient_id="S1-0003",
                                                              modality="SR"))
    assert [m.study_uid for m in found] == [report.studies[0].study_uid]
