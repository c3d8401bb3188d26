"""Labels page: keyboard labelling, next unlabelled, class balance, CSV with row errors."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt

from siteapp.dicom.index import StudyIndex

from .conftest import PHANTOM_PATIENTS
from .helpers import wait_idle


def _labels(data_dir: Path) -> dict[str, str | None]:
    with StudyIndex(data_dir) as index:
        return {p.patient_id: p.label for p in index.patients()}


def test_keys_label_the_patient_and_move_to_the_next(qtbot, make_window, imported_ui_site: Path) -> None:
    window = make_window(imported_ui_site)
    page = window.show_page("labels")
    wait_idle(qtbot)
    assert page.table.rowCount() == PHANTOM_PATIENTS
    assert page.balance_chart.values == [0, 0, PHANTOM_PATIENTS]
    page.table.setFocus()
    first = page.current_patient()
    qtbot.keyClick(page.table, Qt.Key.Key_2)
    assert _labels(imported_ui_site)[first.patient_id] == "nodule"
    qtbot.keyClick(page.table, Qt.Key.Key_N)
    second = page.current_patient()
    assert second.patient_key != first.patient_key
    qtbot.keyClick(page.table, Qt.Key.Key_1)
    labels = _labels(imported_ui_site)
    assert labels[second.patient_id] == "no_nodule"
    assert page.balance_chart.values == [1, 1, PHANTOM_PATIENTS - 2]
    assert "2 of 6 patients labelled" in page.balance_text.text()
    qtbot.keyClick(page.table, Qt.Key.Key_0)
    assert _labels(imported_ui_site)[second.patient_id] is None
    # A labelled patient gets a train/validation split, shown in the table.
    row = [page.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(page.table.rowCount())].index(first.patient_key)
    assert page.table.item(row, 4).text() in ("training", "validation")
    # Names are not elided at the default window size, and the class shows in words.
    window.resize(1280, 800)
    wait_idle(qtbot)
    title_item = page.table.item(row, 0)
    assert page.table.columnWidth(0) >= page.table.fontMetrics().horizontalAdvance(title_item.text())
    assert page.table.item(row, 3).text() == "nodule"
    wait_idle(qtbot)


def test_unlabelled_filter_and_preview(qtbot, make_window, imported_ui_site: Path) -> None:
    window = make_window(imported_ui_site)
    page = window.show_page("labels")
    wait_idle(qtbot)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_1)
    page.unlabelled_only.setChecked(True)
    assert page.table.rowCount() == PHANTOM_PATIENTS - 1
    qtbot.waitUntil(lambda: page.preview.slice_count > 1, timeout=10_000)
    wait_idle(qtbot)


def test_csv_with_bad_rows_lists_every_error_and_applies_nothing(
    qtbot, make_window, imported_ui_site: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad-labels.csv"
    with bad.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["PatientID", "label"])
        writer.writerow(["S1-0001", "nodule"])
        writer.writerow(["S1-9999", "nodule"])
        writer.writerow(["S1-0002", "tumour"])
    window = make_window(imported_ui_site)
    page = window.show_page("labels")
    wait_idle(qtbot)
    assert page.import_csv(bad) is False
    assert page.errors_box.isVisible()
    rows = {page.errors_table.item(r, 0).text(): page.errors_table.item(r, 1).text()
            for r in range(page.errors_table.rowCount())}
    assert set(rows) == {"3", "4"}
    assert "S1-9999" in rows["3"] and "tumour" in rows["4"]
    assert all(label is None for label in _labels(imported_ui_site).values())
    assert "no labels were applied" in page.notice.label.text()


def test_csv_import_then_export_round_trips(
    qtbot, make_window, imported_ui_site: Path, ui_phantom_site: Path, tmp_path: Path
) -> None:
    window = make_window(imported_ui_site)
    page = window.show_page("labels")
    wait_idle(qtbot)
    assert page.import_csv(ui_phantom_site / "labels.csv") is True
    wait_idle(qtbot)
    assert sum(page.balance_chart.values[:2]) == PHANTOM_PATIENTS
    out = tmp_path / "export.csv"
    assert page.export_csv(out) == PHANTOM_PATIENTS
    with (ui_phantom_site / "labels.csv").open(encoding="utf-8") as fh:
        original = {r["PatientID"]: r["label"] for r in csv.DictReader(fh)}
    with out.open(encoding="utf-8") as fh:
        exported = {r["PatientID"]: r["label"] for r in csv.DictReader(fh)}
    assert exported == original
