"""The shell: sidebar pages, About, settings and window state that persist."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QScrollArea, QWidget

from siteapp.ui.preferences import Preferences
from siteapp.ui.ui_settings import UI_DEFAULTS

from .helpers import wait_idle

EXPECTED_FIRST_PAGES = ["studies", "viewer", "labels"]


def test_sidebar_lists_pages_with_icons_and_switches(qtbot, make_window, site_dir: Path) -> None:
    window = make_window(site_dir)
    ids = list(window.pages)
    assert ids[:3] == EXPECTED_FIRST_PAGES
    assert ids[-2:] == ["settings", "help"]
    for row in range(window.sidebar.count()):
        assert not window.sidebar.item(row).icon().isNull()
    window.sidebar.setCurrentRow(ids.index("settings"))
    assert window.current_page().page_id == "settings"
    wait_idle(qtbot)


def test_the_window_fits_a_laptop_screen_and_tall_pages_scroll(qtbot, make_window, imported_ui_site: Path) -> None:
    """Every page sat in one stack as large as its largest page's minimum: the window
    could not be smaller than 1475 x 1138 (Settings' height, the Labels page's width),
    taller than a 1080p screen. Now it takes its default size with every page visited,
    a page fits the width at that size, and a taller one (Settings) scrolls."""
    window = make_window(imported_ui_site)
    window.show()
    for page_id in window.pages:
        window.show_page(page_id)
        wait_idle(qtbot)
    width, height = UI_DEFAULTS.window_width, UI_DEFAULTS.window_height
    window.resize(width, height)
    wait_idle(qtbot)
    assert window.size().toTuple() == (width, height)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 600, hint
    for page_id in window.pages:
        window.show_page(page_id)
        wait_idle(qtbot)
        area = window.stack.currentWidget()
        assert isinstance(area, QScrollArea)
        assert area.horizontalScrollBar().maximum() == 0, page_id  # no sideways scrolling
    window.show_page("settings")
    wait_idle(qtbot)
    window.resize(width, 600)
    wait_idle(qtbot)
    area = window.stack.currentWidget()
    assert isinstance(area, QScrollArea) and area.verticalScrollBar().maximum() > 0


def test_about_names_the_version_and_data_folder(make_window, site_dir: Path) -> None:
    window = make_window(site_dir)
    text = window.about_text()
    assert "MedFed Site" in text
    assert str(site_dir) in text
    assert "0.1.0" in text or "development" in text


def test_window_geometry_and_page_restore(qtbot, make_window, site_dir: Path, preferences: Preferences) -> None:
    window = make_window(site_dir)
    window.resize(1234, 777)
    window.show_page("settings")
    wait_idle(qtbot)
    window.close()
    saved = preferences.window_geometry()
    assert saved is not None and preferences.window_state() is not None
    again = make_window(site_dir)
    assert again.current_page().page_id == "settings"
    # The offscreen screen is smaller than the window, so Qt clamps the restored size;
    # what must hold is that the saved geometry is valid for the new window.
    assert again.restoreGeometry(saved)
    wait_idle(qtbot)


def test_settings_save_persist_and_reject_bad_address(
    qtbot, make_window, site_dir: Path, tmp_path: Path, preferences: Preferences
) -> None:
    window = make_window(site_dir)
    page = window.show_page("settings")
    wait_idle(qtbot)
    page.coordinator_edit.setText("not an address")
    assert page.save() is False
    assert "coordinator address" in page.notice.label.text()
    new_folder = tmp_path / "other-site"
    page.coordinator_edit.setText("https://coordinator.example.org:8443")
    page.proxy_edit.setText("proxy.hospital.example")
    assert page.save() is False
    assert "HTTPS proxy address is not valid" in page.notice.label.text()
    page.proxy_edit.setText("http://proxy.hospital.example:3128")
    page.data_dir_edit.setText(str(new_folder))
    page.device_combo.setCurrentIndex(page.device_combo.findData("cpu"))
    page.language_combo.setCurrentIndex(page.language_combo.findData("zh_CN"))
    relaunches: list[str] = []
    window.relaunch_requested.connect(relaunches.append)
    assert page.save() is True
    assert preferences.coordinator_address == "https://coordinator.example.org:8443"
    assert preferences.https_proxy == "http://proxy.hospital.example:3128"
    assert preferences.device == "cpu"
    assert preferences.language == "zh_CN"
    assert preferences.data_dir == new_folder
    assert window.session.data_dir == new_folder
    assert (new_folder / "logs" / "siteapp.log").is_file()
    assert "Device: cpu" in window.folder_label.text()
    assert relaunches == ["zh_CN"], "a new language must rebuild the window at once"
    wait_idle(qtbot)


def test_a_second_window_on_the_same_data_folder_is_refused(make_window, site_dir: Path, preferences: Preferences) -> None:
    from siteapp.ui.app import build_main_window
    from siteapp.ui.folder_lock import FolderInUseError

    first = make_window(site_dir)
    with pytest.raises(FolderInUseError, match="already open in another MedFed window"):
        build_main_window(site_dir, preferences)
    first.ask_before_quitting = False
    first.close()
    second = make_window(site_dir)  # the folder is free once the first window closed
    assert second.session.data_dir == site_dir


def test_a_notice_does_not_move_what_is_under_the_mouse(qtbot, make_window, site_dir: Path) -> None:
    window = make_window(site_dir)
    page = window.show_page("privacy")
    wait_idle(qtbot)
    page.notice.hide()
    qtbot.wait(50)
    widgets = [w for w in page.findChildren(QWidget) if w.isVisible() and w is not page.notice
               and not page.notice.isAncestorOf(w)]
    before = {id(w): w.mapTo(page, QPoint(0, 0)) for w in widgets}
    page.show_error("The coordinator refused the request.\nA second line.\nAnd a third.")
    qtbot.wait(50)
    assert page.notice.isVisible()
    moved = [w for w in widgets if w.mapTo(page, QPoint(0, 0)) != before[id(w)]]
    assert not moved, f"{len(moved)} widget(s) moved when the notice appeared"
    assert page.notice.geometry().top() >= page.subtitle.geometry().bottom()
