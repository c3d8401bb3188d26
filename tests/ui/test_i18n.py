"""Translations: every visible string is in the catalogue, Chinese is complete and loads."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

from siteapp.ui.i18n import TRANSLATIONS_DIR, catalog_path, install_translators, remove_translators

UI_DIR = Path(__file__).resolve().parents[2] / "siteapp" / "ui"
ZH_TS = TRANSLATIONS_DIR / "medfed_zh_CN.ts"


def _lupdate() -> Path:
    tool = Path(sys.executable).parent / "pyside6-lupdate"
    if not tool.exists():
        pytest.skip("pyside6-lupdate is not installed next to this Python")
    return tool


def test_catalogue_holds_every_string_in_the_code(tmp_path: Path) -> None:
    copy = tmp_path / "check.ts"
    shutil.copy(ZH_TS, copy)
    sources = sorted(str(p) for p in UI_DIR.rglob("*.py"))
    result = subprocess.run([str(_lupdate()), "-no-obsolete", *sources, "-ts", str(copy)],
                            capture_output=True, text=True, check=True)
    assert "(0 new and" in result.stdout, (
        "strings were added or changed without updating the translations; run `make translations`\n"
        + result.stdout
    )


def test_every_chinese_translation_is_finished() -> None:
    root = ET.parse(ZH_TS).getroot()
    assert root.get("language") == "zh_CN"
    messages = list(root.iter("message"))
    assert len(messages) > 250
    for message in messages:
        translation = message.find("translation")
        assert translation is not None and translation.get("type") is None, message.find("source").text
        assert translation.text and translation.text.strip()


def test_every_context_is_one_the_app_looks_up() -> None:
    """lupdate files ``page.tr(...)`` in a helper function under the context "page", but Qt
    looks the text up under the object's class at run time, so it stayed English (the
    per-class figures on Model quality did). Contexts must be class names or the explicit
    ones passed to QCoreApplication.translate, which are capitalised too."""
    root = ET.parse(ZH_TS).getroot()
    names = [context.findtext("name") or "" for context in root.iter("context")]
    assert [n for n in names if not n[:1].isupper()] == []


def test_compiled_catalogue_translates_and_main_window_speaks_chinese(qtbot, make_window, site_dir: Path) -> None:
    translator = QTranslator()
    assert translator.load(str(catalog_path("zh_CN")))
    assert translator.translate("StudiesPage", "Studies") == "检查"
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    installed = install_translators(app, "zh_CN")
    try:
        window = make_window(site_dir)
        titles = [window.sidebar.item(r).text() for r in range(window.sidebar.count())]
        assert titles[:3] == ["检查", "阅片", "标注"]
        assert window.pages["settings"].save_button.text() == "保存设置"
    finally:
        remove_translators(app, installed)


def test_choosing_chinese_in_settings_switches_the_window_at_once(
    qtbot, preferences, site_dir: Path
) -> None:
    from PySide6.QtWidgets import QApplication

    from siteapp.ui.app import SiteApp, apply_style
    from siteapp.ui.i18n import remove_translators

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_style(app)
    from PySide6.QtCore import QLocale

    locale_before = QLocale()
    preferences.language = "en"
    site_app = SiteApp(app, preferences, site_dir)
    try:
        first = site_app.window
        settings = first.show_page("settings")
        settings.language_combo.setCurrentIndex(settings.language_combo.findData("zh_CN"))
        assert settings.save()
        qtbot.waitUntil(lambda: site_app.window is not first, timeout=10_000)
        window = site_app.window
        assert window.current_page().page_id == "settings"
        assert window.sidebar.item(0).text() == "检查"
        assert window.session.data_dir == site_dir  # the folder lock moved with it
    finally:
        site_app.window.ask_before_quitting = False
        site_app.window.close()
        remove_translators(app, site_app.translators)
        QLocale.setDefault(locale_before)
