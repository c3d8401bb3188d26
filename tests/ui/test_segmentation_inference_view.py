"""Inference on a segmentation site shows the found regions in the user's words and the
DICOM SEG path elided, whole in its tooltip and on the clipboard: a long path never
widens the window. The report is made by hand (no model is trained here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from siteapp.ui.i18n import install_translators, remove_translators
from siteapp.ui.vocabulary import class_text

from .helpers import settle_painting, wait_idle

pytest.importorskip("torch")  # the report's module imports it


def _report(tmp_path: Path, seg_path: str):
    from PIL import Image

    from siteapp.training.segmentation_inference import SegmentationReport, SeriesSegmentation

    overlay = tmp_path / "overlay.png"
    Image.fromarray(np.zeros((16, 16, 3), dtype=np.uint8)).save(overlay)
    series = SeriesSegmentation("1.2.3.4", "1.2.3", "P-1", 2, {"nodule": 40}, [seg_path],
                                str(overlay), 1)
    return SegmentationReport("model.safetensors", "unet_small", "lung-ct-nodule-seg", 1,
                              regions=["nodule"], series=[series])


def test_a_long_seg_path_is_elided_and_the_heading_is_translated(
    qtbot, make_window, site_dir: Path, tmp_path: Path, qapp: QApplication
) -> None:
    window = make_window(site_dir)
    window.resize(1100, 700)
    page = window.show_page("inference")
    wait_idle(qtbot)
    settle_painting(qtbot)
    width_before = window.width()
    seg_path = "/hospital/site-data/segmentations/" + "1.2.826.0.1.3680043.8.498." * 12 + "seg.dcm"

    installed = install_translators(qapp, "zh_CN")
    try:
        page._on_report(_report(tmp_path, seg_path))
        settle_painting(qtbot)
        heading = page.prediction_label.text()
        assert class_text("nodule") in heading and "nodule" not in heading, heading
    finally:
        remove_translators(qapp, installed)

    assert window.width() == width_before
    assert window.minimumSizeHint().width() <= width_before
    shown = page.seg_paths_label.text()
    assert "…" in shown and shown.endswith("seg.dcm") and len(shown) < len(seg_path)
    assert page.seg_paths_label.toolTip() == seg_path
    page.copy_seg_paths_button.click()
    assert QGuiApplication.clipboard().text() == seg_path
