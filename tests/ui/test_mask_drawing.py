"""Drawing masks in the viewer: brush, erase, undo, save as DICOM SEG, reopen."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from siteapp.dicom.index import StudyIndex
from siteapp.dicom.masks import mask_for_series, series_with_masks
from siteapp.ui.mask_editor import MaskEditor, label_rgba
from siteapp.ui.widgets.mask_tools import BrushTool
from tests.ui.helpers import wait_idle, wait_worker


def _first_series(data_dir: Path) -> str:
    with StudyIndex(data_dir) as index:
        patient = index.patients()[0]
        study = index.studies(patient.patient_key)[0]
        return index.series(study.study_uid)[0].series_uid


def _viewport_point(viewer, x: float, y: float) -> QPoint:
    scene = viewer.view.mapViewToScene(QPointF(x, y))
    return viewer.graphics.mapFromScene(scene)


def _mouse(viewer, kind: QEvent.Type, point: QPoint, held: bool) -> None:
    """A real mouse event on the image's viewport (QTest cannot hold a button while moving)."""
    button = Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind, QPointF(point), QPointF(viewer.graphics.viewport().mapToGlobal(point)),
        Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else button,
        button if held else Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewer.graphics.viewport(), event)


DRAG_STEPS = 8  # mouse moves between two points of a stroke


def _drag(qtbot, viewer, points: list[tuple[float, float]]) -> None:
    """Press, move through ``points`` as a hand does (small steps, some milliseconds
    apart), release. Jumping 60 screen pixels in one event right after the press painted
    only the first point on an idle machine (passed only under load)."""
    first = _viewport_point(viewer, *points[0])
    _mouse(viewer, QEvent.Type.MouseButtonPress, first, True)
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        for step in range(1, DRAG_STEPS + 1):
            t = step / DRAG_STEPS
            point = _viewport_point(viewer, x0 + t * (x1 - x0), y0 + t * (y1 - y0))
            _mouse(viewer, QEvent.Type.MouseMove, point, True)
            qtbot.wait(15)
    _mouse(viewer, QEvent.Type.MouseButtonRelease, _viewport_point(viewer, *points[-1]), False)


def _open(qtbot, window, series_uid: str):
    page = window.show_page("viewer")
    page.open_series(series_uid)
    qtbot.waitUntil(lambda: page.loaded is not None and page.editor is not None, timeout=20_000)
    return page


def test_draw_save_and_reopen_a_mask(qtbot, make_window, imported_ui_site: Path) -> None:
    series_uid = _first_series(imported_ui_site)
    window = make_window(imported_ui_site)
    page = _open(qtbot, window, series_uid)
    tools, viewer = page.mask_tools, page.viewer
    assert not tools.save.isEnabled() and not tools.undo.isEnabled() and tools.draw.isEnabled()
    viewer.resize(700, 700)
    viewer.fit()
    qtbot.wait(50)

    tools.set_tool(BrushTool.DRAW)
    tools.brush.setValue(3)
    tools.segment.setCurrentText("nodule")
    qtbot.mouseMove(viewer.graphics.viewport(), _viewport_point(viewer, 20.5, 30.5))
    qtbot.waitUntil(viewer.brush_outline.isVisible, timeout=5_000)
    outline = viewer.brush_outline.rect()  # the brush's footprint around pixel (30, 20)
    assert (outline.center().x(), outline.center().y(), outline.width()) == (20.5, 30.5, 7.0)
    _drag(qtbot, viewer, [(40.0, 60.0), (50.0, 60.0), (60.0, 60.0)])
    slice_index = viewer.index
    drawn = page.editor.labels[slice_index].copy()
    assert drawn[60, 40] == drawn[60, 50] == drawn[60, 60] == 1, "the stroke did not paint"
    assert drawn[60, 80] == 0 and drawn.sum() < 200
    assert viewer.mask_item.isVisible()
    assert tools.save.isEnabled() and "unsaved" in tools.status.text()

    # a second stroke, then Ctrl+Z takes back only that one
    _drag(qtbot, viewer, [(90.0, 90.0), (95.0, 95.0)])
    assert page.editor.labels[slice_index, 90, 90] == 1
    viewer.graphics.setFocus()
    qtbot.keyClick(viewer.graphics, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(page.editor.labels[slice_index], drawn)

    # erase a piece of the first stroke
    tools.set_tool(BrushTool.ERASE)
    _drag(qtbot, viewer, [(60.0, 60.0), (60.0, 61.0)])
    assert page.editor.labels[slice_index, 60, 60] == 0
    assert page.editor.labels[slice_index, 60, 40] == 1
    expected = page.editor.labels[slice_index].copy()

    tools.save.click()
    assert page.save_worker is not None
    wait_worker(qtbot, page.save_worker)
    wait_idle(qtbot)
    assert not page.editor.dirty and not tools.save.isEnabled()
    assert "drawn here" in tools.status.text()
    frame_uid = page.loaded.frame_uids[slice_index]

    with StudyIndex(imported_ui_site) as index:
        assert series_with_masks(index) == [series_uid]
        stored = mask_for_series(index, series_uid)
    assert stored is not None and stored.source == "drawn" and stored.segments == ("nodule",)
    assert list(stored.frames) == [frame_uid]  # only the slice drawn on is declared
    np.testing.assert_array_equal(stored.frames[frame_uid], expected)

    # the Labels page says which patient has a mask
    labels = window.show_page("labels")
    wait_idle(qtbot)
    marks = {labels.table.item(row, 0).data(Qt.ItemDataRole.UserRole): labels.table.item(row, 5).text()
             for row in range(labels.table.rowCount())}
    with StudyIndex(imported_ui_site) as index:
        owner = index.patients()[0].patient_key
    assert marks[owner] == "yes" and sum(1 for mark in marks.values() if mark) == 1

    # a fresh window on the same site shows the saved mask over the same slice
    window.close()
    again = _open(qtbot, make_window(imported_ui_site), series_uid)
    np.testing.assert_array_equal(again.editor.labels[slice_index], expected)
    again.viewer.set_slice(slice_index)
    assert again.viewer.mask_item.isVisible()
    again.mask_tools.show_mask.setChecked(False)
    assert not again.viewer.mask_item.isVisible()
    wait_idle(qtbot)


def test_unsaved_strokes_are_not_lost_to_the_series_box(
    qtbot, make_window, imported_ui_site: Path
) -> None:
    window = make_window(imported_ui_site)
    page = _open(qtbot, window, _first_series(imported_ui_site))
    page.editor.begin_stroke(page.viewer.index, 10, 10, 2, 1)
    assert page.work_in_progress() is not None  # quitting asks first
    other = next(row for row in range(page.series_combo.count())
                 if page.series_combo.itemData(row)[0] != page.loaded.series_uid)
    page._on_series_chosen(other)
    assert page.discard_box is not None
    page.discard_box.reject()  # "Keep editing"
    qtbot.waitUntil(lambda: page.discard_box is None, timeout=5_000)
    assert page.editor is not None and page.editor.dirty  # kept editing
    wait_idle(qtbot)


def test_editor_strokes_undo_and_colours() -> None:
    editor = MaskEditor(["a", "b"], (20, 20))
    value = editor.label_of("mass")
    editor.begin_stroke(1, 2, 2, 1, value)
    editor.stroke_to(1, 12, 2, 1, value)  # a line, not two dots
    assert editor.labels[1, 2, 2:13].all() and editor.covered == {1}
    assert editor.label_of("vessel") == 2 and editor.label_of("mass") == 1
    editor.end_stroke()
    editor.begin_stroke(1, 5, 3, 2, 0)  # erase
    assert editor.labels[1, 2, 5] == 0
    assert editor.undo() == 1 and editor.labels[1, 2, 5] == 1
    assert editor.undo() == 1 and not editor.labels.any() and editor.covered == set()
    assert editor.undo() is None
    rgba = label_rgba(np.array([[0, 1, 2]], dtype=np.uint8))
    assert rgba[0, 0, 3] == 0 and rgba[0, 1, 3] > 0 and tuple(rgba[0, 1, :3]) != tuple(rgba[0, 2, :3])


def test_import_report_lists_masks_that_were_not_stored(qtbot, make_window, site_dir: Path) -> None:
    from siteapp.dicom.importer import ImportReport

    page = make_window(site_dir).show_page("studies")
    report = ImportReport(files_seen=3, non_image=[
        {"path": "a/seg.dcm", "kind": "Segmentation Storage", "sop_class_uid": "x"},
        {"path": "a/bad.dcm", "kind": "Segmentation Storage", "sop_class_uid": "x"},
        {"path": "a/plan.dcm", "kind": "RT Plan Storage", "sop_class_uid": "y"},
    ], masks=[{"path": "a/seg.dcm", "series_uid": "1.2", "source": "imported-seg",
               "segments": "liver"}],
        mask_problems=[{"path": "a/bad.dcm", "reason": "unknown referenced series 9.9"}])
    page.show_report(report)
    rows = {page.skipped_table.item(r, 0).text(): page.skipped_table.item(r, 1).text()
            for r in range(page.skipped_table.rowCount())}
    assert set(rows) == {"a/bad.dcm", "a/plan.dcm"}  # the stored mask is no problem
    assert "mask not stored: unknown referenced series 9.9" in rows["a/bad.dcm"]
    assert "1 masks stored, 1 mask objects not matched" in page.report_summary.text()
    wait_idle(qtbot)
