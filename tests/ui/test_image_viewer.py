"""The image viewer: slices by wheel and keys, window/level by drag and presets, zoom."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from siteapp.ui.widgets.image_viewer import ImageViewer, auto_window

CT_PRESETS = {"lung": (-600.0, 1500.0), "mediastinum": (50.0, 350.0)}


@pytest.fixture
def viewer(qtbot) -> ImageViewer:
    widget = ImageViewer()
    widget.set_presets(CT_PRESETS)
    widget.resize(500, 500)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    rng = np.random.default_rng(0)
    volume = rng.normal(0, 200, size=(12, 64, 64)).astype(np.float32) - 500
    widget.set_volume(volume)
    return widget


def _wheel(widget, delta_y: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    viewport = widget.graphics.viewport()
    pos = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(
        pos, viewport.mapToGlobal(pos), QPoint(0, 0), QPoint(0, delta_y),
        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(viewport, event)


def _drag(widget, button: Qt.MouseButton, dx: int, dy: int) -> None:
    # pyqtgraph treats a press soon after the last release as part of a double click.
    QTest.qWait(QApplication.doubleClickInterval() + 50)
    viewport = widget.graphics.viewport()
    start = QPointF(viewport.width() / 2, viewport.height() / 2)
    steps = 6

    def send(kind, pos, buttons):
        event = QMouseEvent(
            kind, pos, viewport.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(viewport, event)

    send(QMouseEvent.Type.MouseButtonPress, start, button)
    for i in range(1, steps + 1):
        send(QMouseEvent.Type.MouseMove, start + QPointF(dx * i / steps, dy * i / steps), button)
    send(QMouseEvent.Type.MouseButtonRelease, start + QPointF(dx, dy), Qt.MouseButton.NoButton)


def test_opens_on_middle_slice_with_auto_window(viewer: ImageViewer) -> None:
    assert viewer.index == 6
    center, width = auto_window(viewer.frame())
    assert viewer.window_center == pytest.approx(center)
    assert viewer.window_width == pytest.approx(width)


def test_wheel_scrolls_slices_and_ctrl_wheel_zooms(viewer: ImageViewer) -> None:
    _wheel(viewer, -120)
    assert viewer.index == 7
    _wheel(viewer, 120)
    _wheel(viewer, 120)
    assert viewer.index == 5
    before = viewer.view.viewRange()[0]
    _wheel(viewer, 120, Qt.KeyboardModifier.ControlModifier)
    after = viewer.view.viewRange()[0]
    assert viewer.index == 5
    assert after[1] - after[0] < before[1] - before[0]


def test_keys_scroll_jump_and_pick_presets(qtbot, viewer: ImageViewer) -> None:
    qtbot.keyClick(viewer.graphics, Qt.Key.Key_Down)
    assert viewer.index == 7
    qtbot.keyClick(viewer.graphics, Qt.Key.Key_End)
    assert viewer.index == 11
    qtbot.keyClick(viewer.graphics, Qt.Key.Key_Down)
    assert viewer.index == 11
    qtbot.keyClick(viewer.graphics, Qt.Key.Key_Home)
    assert viewer.index == 0
    qtbot.keyClick(viewer.graphics, Qt.Key.Key_2)
    assert (viewer.window_center, viewer.window_width) == CT_PRESETS["lung"]
    assert viewer.preset_combo.currentData() == "lung"
    levels = viewer.image_item.getLevels()
    assert tuple(levels) == pytest.approx((-1350.0, 150.0))


def test_left_drag_changes_window_and_right_drag_pans(viewer: ImageViewer) -> None:
    viewer.apply_preset("mediastinum")
    _drag(viewer, Qt.MouseButton.LeftButton, 60, -40)
    assert viewer.window_width > 350.0
    assert viewer.window_center > 50.0
    x_before = viewer.view.viewRange()[0]
    _drag(viewer, Qt.MouseButton.RightButton, 50, 0)
    x_after = viewer.view.viewRange()[0]
    assert x_after[0] < x_before[0]
    assert viewer.index == 6


def test_multiframe_single_instance_and_overlay(viewer: ImageViewer) -> None:
    viewer.set_volume(np.zeros((3, 32, 48), dtype=np.float32))
    assert viewer.slice_count == 3
    assert viewer.slider.maximum() == 2
    overlay = np.zeros((32, 48, 4), dtype=np.uint8)
    overlay[..., 0] = 255
    overlay[..., 3] = 200
    viewer.set_overlay(overlay)
    assert viewer.overlay_item.isVisible()
    viewer.set_overlay(None)
    assert not viewer.overlay_item.isVisible()


def test_rejects_a_volume_that_is_not_an_image(viewer: ImageViewer) -> None:
    with pytest.raises(ValueError, match="frames, rows, cols"):
        viewer.set_volume(np.zeros((2, 3, 4, 5), dtype=np.float32))

