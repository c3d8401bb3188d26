"""The pages follow the federation's task: its classes on the Labels page (keys 1-9), its
modality and series filter on the Studies page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from siteapp.dicom.index import StudyIndex
from siteapp.tasks import demo_task, keep_federation_task

from .helpers import wait_idle


@pytest.fixture
def chest_xray_site(site_dir: Path, tmp_path: Path) -> Path:
    """Chest radiographs and one CT patient imported; the federation's 3-class task kept."""
    from siteapp.dicom.importer import import_paths
    from siteapp.dicom.phantom import generate_phantom_sites

    (xr,) = generate_phantom_sites(tmp_path / "xr", 1, 4, seed=5, task="chest-xray")
    _, ct = generate_phantom_sites(tmp_path / "ct", 2, 2, seed=5, task="lung-ct-nodule", slices=1)
    import_paths(site_dir, [xr, ct / "S2-0001"])  # patient IDs S1-* are the radiographs
    task = demo_task("chest-xray").model_copy(update={"name": "cxr-findings",
                                                        "title": "Our chest X-ray task"})
    keep_federation_task(site_dir, task)
    return site_dir


def _open(qtbot, make_window, preferences, data_dir: Path, page: str):
    """A window on ``data_dir`` working on the federation's task, showing ``page``."""
    preferences.task = "cxr-findings"
    shown = make_window(data_dir).show_page(page)
    wait_idle(qtbot)
    return shown


def test_the_labels_page_offers_the_federations_classes_on_keys_1_to_3(
    qtbot, make_window, preferences, chest_xray_site: Path
) -> None:
    page = _open(qtbot, make_window, preferences, chest_xray_site, "labels")
    assert page.task_combo.currentText() == "Our chest X-ray task"
    assert page.classes == ("normal", "nodule", "consolidation")
    page.table.setFocus()
    patient = page.current_patient()
    qtbot.keyClick(page.table, Qt.Key.Key_3)
    with StudyIndex(chest_xray_site) as index:
        labels = {p.patient_id: p.label for p in index.patients()}
    assert labels[patient.patient_id] == "consolidation"
    wait_idle(qtbot)


def test_the_studies_page_can_show_only_what_the_task_uses(
    qtbot, make_window, preferences, chest_xray_site: Path
) -> None:
    page = _open(qtbot, make_window, preferences, chest_xray_site, "studies")
    assert len(page.visible_patient_keys()) == 5
    page.task_only.setChecked(True)
    assert len(page.visible_patient_keys()) == 4  # the CT patient is hidden
    page.task_only.setChecked(False)
    assert len(page.visible_patient_keys()) == 5
    wait_idle(qtbot)
