"""Fixtures of the GUI tests: private preferences, phantom DICOM, a main window.

Each test gets its own data folder and preferences file, so nothing touches the real
user's settings. The phantom studies are generated once per session (real DICOM files
written by ``siteapp.dicom.phantom``) and imported through the real importer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from siteapp.ui.preferences import Preferences, ini_settings

PHANTOM_PATIENTS = 6
PHANTOM_SLICES = 4
PHANTOM_SEED = 3
TASK = "lung-ct-nodule"


@pytest.fixture
def preferences(tmp_path: Path) -> Preferences:
    """Preferences in a temporary INI file, never the real user's."""
    return Preferences(ini_settings(tmp_path / "preferences.ini"))


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def ui_phantom_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One phantom CT site (folder of DICOM files plus labels.csv), generated once."""
    from siteapp.dicom.phantom import generate_phantom_sites

    root = tmp_path_factory.mktemp("ui-phantom")
    (site,) = generate_phantom_sites(
        root, sites=1, patients=PHANTOM_PATIENTS, seed=PHANTOM_SEED, task=TASK, slices=PHANTOM_SLICES
    )
    return site


@pytest.fixture
def imported_ui_site(site_dir: Path, ui_phantom_site: Path) -> Path:
    """A data folder with the phantom site imported (not labelled)."""
    from siteapp.dicom.importer import import_paths

    report = import_paths(site_dir, [ui_phantom_site])
    assert report.instances_imported > 0
    return site_dir


@pytest.fixture
def make_window(qtbot, preferences: Preferences):
    """Build a styled main window on a data folder; closed at the end of the test."""
    from siteapp.ui.app import apply_style, build_main_window
    from siteapp.ui.workers import cancel_all_and_wait

    windows = []

    def make(data_dir: Path):
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_style(app)
        window = build_main_window(data_dir, preferences)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.ask_before_quitting = False
        window.close()
    assert cancel_all_and_wait(10.0)

