"""The viewer never shows one series' pixels under another series' name."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siteapp.dicom.index import StudyIndex
from siteapp.dicom.pixels import decode_failure_reason
from siteapp.ui.series_loader import stack_on_common_canvas
from tests.ui.helpers import wait_idle


def _two_series(data_dir: Path) -> tuple[str, str, list[Path]]:
    with StudyIndex(data_dir) as index:
        uids = [
            series.series_uid
            for patient in index.patients()
            for study in index.studies(patient.patient_key)
            for series in index.series(study.study_uid)
        ]
        broken_files = [row.file_path for row in index.instances(uids[1])]
    return uids[0], uids[1], broken_files


def test_an_undecodable_series_clears_the_viewport_and_says_why(
    qtbot, make_window, site_dir: Path, ui_phantom_site: Path, tmp_path: Path
) -> None:
    import shutil

    from siteapp.dicom.importer import import_paths

    # A private copy: the phantom folder is shared by the whole session, and the files are
    # indexed where they lie, so deleting them must not reach other tests.
    copy = tmp_path / "phantom-copy"
    shutil.copytree(ui_phantom_site, copy)
    import_paths(site_dir, [copy])
    good, broken, broken_files = _two_series(site_dir)
    for path in broken_files:
        path.unlink()  # the files went away after import: nothing of this series decodes
    window = make_window(site_dir)
    page = window.show_page("viewer")
    page.open_series(good)
    qtbot.waitUntil(lambda: page.loaded is not None and page.loaded.series_uid == good, timeout=10_000)
    assert not page.viewer.is_empty and page.tags.path is not None

    page.open_series(broken)
    qtbot.waitUntil(lambda: page.notice.isVisible(), timeout=10_000)
    wait_idle(qtbot)
    assert page.loaded is None
    assert page.viewer.is_empty, "the previous series' image stayed on screen"
    assert page.tags.path is None, "the previous series' tags stayed on screen"
    assert page.viewer.slice_label.text() == ""
    text = page.notice.label.text()
    assert "This series cannot be shown" in text and "log file" in text
    assert "Error:" not in text and "Traceback" not in text


def test_decoder_failures_are_said_in_words() -> None:
    bomb = ValueError("Image size (400000000 pixels) exceeds limit, could be decompression bomb DOS attack.")
    assert "larger than this workstation accepts" in decode_failure_reason(bomb)
    assert "format this workstation cannot decode" in decode_failure_reason(NotImplementedError("x"))
    assert "damaged" in decode_failure_reason(EOFError("short read"))


def test_frames_of_different_sizes_are_all_shown_centred() -> None:
    small = np.full((2, 2), 5.0, dtype=np.float32)
    large = np.arange(16, dtype=np.float32).reshape(4, 4)
    volume = stack_on_common_canvas([large, small, large])
    assert volume.shape == (3, 4, 4)
    np.testing.assert_array_equal(volume[1, 1:3, 1:3], small)
    assert volume[1, 0, 0] == 5.0  # border takes the small frame's own minimum
    np.testing.assert_array_equal(volume[2], large)


def test_ct_series_shows_corners_edges_hu_and_ct_presets(
    qtbot, make_window, imported_ui_site: Path
) -> None:
    good, _other, _files = _two_series(imported_ui_site)
    window = make_window(imported_ui_site)
    page = window.show_page("viewer")
    page.open_series(good)
    qtbot.waitUntil(lambda: page.loaded is not None, timeout=10_000)
    viewer = page.viewer
    assert page.loaded.header.patient_id in viewer.patient_text.toPlainText()
    assert "CT" in viewer.series_text.toPlainText()
    assert {viewer.edge_texts[e].toPlainText() for e in ("left", "right")} == {"R", "L"}
    labels = [viewer.preset_combo.itemText(i) for i in range(viewer.preset_combo.count())]
    assert any(label.startswith("Lung (W 1500 L -600)") for label in labels)
    assert any(label.startswith("Soft tissue") for label in labels)
    value = viewer.value_at(3, 2)
    assert value is not None and value == float(viewer.volume[viewer.index, 2, 3])
    assert viewer.value_unit == "HU"

    viewer._on_window_drag(30.0, 0.0)  # a manual window: the box says so
    assert viewer.preset_combo.currentData() == "custom"
    viewer.apply_preset("lung")
    assert viewer.preset_combo.findData("custom") < 0


def test_presets_follow_the_modality() -> None:
    from siteapp.dicom.pixels import window_presets_for

    assert "lung" in window_presets_for("ct")
    assert window_presets_for("MR") == {} and window_presets_for("US") == {}


def test_colour_ultrasound_is_shown_in_colour(qtbot, make_window, site_dir: Path) -> None:
    import warnings

    from pydicom.data import get_testdata_file

    from siteapp.dicom.importer import import_paths

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = Path(get_testdata_file("examples_ybr_color.dcm"))
    assert import_paths(site_dir, [path]).instances_imported == 1
    with StudyIndex(site_dir) as index:
        patient = index.patients()[0]
        study = index.studies(patient.patient_key)[0]
        series_uid = index.series(study.study_uid)[0].series_uid
    window = make_window(site_dir)
    page = window.show_page("viewer")
    page.open_series(series_uid)
    qtbot.waitUntil(lambda: page.loaded is not None, timeout=30_000)
    viewer = page.viewer
    assert viewer.is_colour and viewer.volume.shape[1:] == (240, 320, 3)
    frame = viewer.frame()
    assert np.abs(frame[..., 0] - frame[..., 2]).max() > 20, "the channels were merged to grey"
    assert viewer.preset_combo.count() == 1  # no CT windows for ultrasound
    value = viewer.value_at(160, 120)
    assert isinstance(value, tuple) and len(value) == 3
    wait_idle(qtbot)
