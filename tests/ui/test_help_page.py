"""Getting started: a new data folder opens on the path, and the path follows the folder."""

from __future__ import annotations

from pathlib import Path

from .helpers import wait_idle


def test_a_new_site_opens_on_getting_started_and_ticks_what_it_did(
    qtbot, make_window, site_dir: Path, ui_phantom_site: Path
) -> None:
    from siteapp.dicom.importer import import_paths
    from siteapp.dicom.labels import import_labels

    window = make_window(site_dir)
    page = window.current_page()
    assert page.page_id == "help"
    qtbot.waitUntil(lambda: len(page.steps) == 4, timeout=30_000)
    assert [s.done for s in page.steps] == [False, False, False, False]

    import_paths(site_dir, [ui_phantom_site])
    import_labels(site_dir, ui_phantom_site / "labels.csv", "lung-ct-nodule")
    window.session.index_changed.emit()
    qtbot.waitUntil(lambda: page.steps and page.steps[1].done, timeout=30_000)
    assert [s.done for s in page.steps] == [True, True, False, False]
    assert "Request enrolment" in page.steps[2].detail

    page.open_page(page.steps[2].page_id)
    assert window.current_page().page_id == "federation"
    wait_idle(qtbot)


def test_a_site_with_studies_opens_where_work_happens(
    qtbot, make_window, imported_ui_site: Path
) -> None:
    window = make_window(imported_ui_site)
    assert window.current_page().page_id != "help"
    wait_idle(qtbot)
