"""Studies page: import real phantom DICOM with progress, report skipped files, browse."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from siteapp.ui.pages.studies_page import KIND_SERIES, ROLE_KIND

from .conftest import PHANTOM_PATIENTS, PHANTOM_SLICES
from .helpers import wait_idle, wait_worker


def test_import_fills_tree_reports_skipped_and_thumbnails(
    qtbot, make_window, site_dir: Path, ui_phantom_site: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "incoming"
    broken.mkdir()
    (broken / "not-dicom.dcm").write_bytes(b"this is not a DICOM file at all")
    window = make_window(site_dir)
    page = window.show_page("studies")
    wait_idle(qtbot)
    worker = page.start_import([ui_phantom_site, broken])
    assert worker is not None
    assert page.progress_widget.isVisible()
    wait_worker(qtbot, worker, 30_000)
    wait_idle(qtbot)
    report = page.last_report
    assert report.instances_imported == PHANTOM_PATIENTS * PHANTOM_SLICES
    assert not page.progress_widget.isVisible()
    skipped_paths = [page.skipped_table.item(r, 0).text() for r in range(page.skipped_table.rowCount())]
    assert any("not-dicom.dcm" in p for p in skipped_paths)
    assert page.skipped_table.item(0, 1).text()  # a reason a person can read
    assert page.model.rowCount() == PHANTOM_PATIENTS
    assert "images imported" in page.notice.label.text()
    series_items = list(page._series_items.values())
    assert len(series_items) == PHANTOM_PATIENTS
    assert all(item.data(ROLE_KIND) == KIND_SERIES for item in series_items)
    qtbot.waitUntil(lambda: all(not item.icon().isNull() for item in series_items), timeout=10_000)
    # The last progress report reached the bar: every file counted.
    assert page.progress_bar.maximum() > 0
    assert page.progress_bar.value() == page.progress_bar.maximum()


def test_search_and_label_filter(qtbot, make_window, imported_ui_site: Path, ui_phantom_site: Path) -> None:
    from siteapp.dicom.labels import import_labels

    import_labels(imported_ui_site, ui_phantom_site / "labels.csv", "lung-ct-nodule")
    window = make_window(imported_ui_site)
    page = window.show_page("studies")
    wait_idle(qtbot)
    assert page.proxy.rowCount() == PHANTOM_PATIENTS
    page.search_edit.setText("S1-0002")
    assert page.proxy.rowCount() == 1
    page.search_edit.setText("")
    wanted = page.patients[0].label
    page.label_combo.setCurrentIndex(page.label_combo.findData(wanted))
    visible = page.visible_patient_keys()
    expected = [p.patient_key for p in page.patients if p.label == wanted]
    assert sorted(visible) == sorted(expected)
    assert 0 < len(visible) < PHANTOM_PATIENTS


def test_double_click_series_opens_it_in_the_viewer(qtbot, make_window, imported_ui_site: Path) -> None:
    window = make_window(imported_ui_site)
    page = window.show_page("studies")
    wait_idle(qtbot)
    series_uid, item = next(iter(page._series_items.items()))
    proxy_index = page.proxy.mapFromSource(item.index())
    page.tree.doubleClicked.emit(proxy_index)
    assert window.current_page().page_id == "viewer"
    viewer_page = window.pages["viewer"]
    qtbot.waitUntil(lambda: viewer_page.loaded is not None and viewer_page.loaded.series_uid == series_uid, timeout=10_000)
    assert viewer_page.viewer.slice_count == PHANTOM_SLICES
    assert viewer_page.viewer.preset_combo.currentData() == "lung"
    assert any(name == "Modality" and value == "CT" for _tag, name, value in viewer_page.tags.rows())
    before = viewer_page.tags.path
    qtbot.keyClick(viewer_page.viewer.graphics, Qt.Key.Key_Home)
    qtbot.keyClick(viewer_page.viewer.graphics, Qt.Key.Key_End)
    assert viewer_page.tags.path != before or PHANTOM_SLICES == 1
    wait_idle(qtbot)


def test_missing_folder_is_a_clear_error(qtbot, make_window, site_dir: Path, tmp_path: Path) -> None:
    window = make_window(site_dir)
    page = window.show_page("studies")
    wait_idle(qtbot)
    worker = page.start_import([tmp_path / "no-such-folder"])
    wait_worker(qtbot, worker, 10_000)
    text = page.notice.label.text()
    assert "does not exist" in text
    assert "Traceback" not in text
