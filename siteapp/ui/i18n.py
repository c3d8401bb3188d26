"""Translations: MedFed's own ``.qm`` files plus Qt's for standard dialogs.

The ``.ts`` sources and compiled ``.qm`` files live in ``resources/translations`` and are
committed, so the app needs no build step (``make translations`` refreshes them with
``pyside6-lupdate`` and ``pyside6-lrelease``). The language is chosen at start-up from
the preferences; changing it takes effect on the next start.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from siteapp.tasks import RESOURCES_DIR

TRANSLATIONS_DIR = RESOURCES_DIR / "translations"
CATALOG = "medfed"


def catalog_path(language: str) -> Path:
    return TRANSLATIONS_DIR / f"{CATALOG}_{language}.qm"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the translators for ``language``; English needs none.

    Returns the installed translators; the caller keeps them alive as long as the app.
    """
    installed: list[QTranslator] = []
    if language == "en":
        return installed
    QLocale.setDefault(QLocale(language))
    qt_translator = QTranslator(app)
    if qt_translator.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) or qt_translator.load(
        f"qt_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_translator)
        installed.append(qt_translator)
    own = QTranslator(app)
    if own.load(str(catalog_path(language))):
        app.installTranslator(own)
        installed.append(own)
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
