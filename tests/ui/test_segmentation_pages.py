"""A segmentation site in the GUI: a local DP round of the U-Net from the site's masks
(phantom DICOM SEG), its Dice and HD95 on Model quality, and on Inference the predicted
mask over the image, exported as DICOM SEG that highdicom and pydicom read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from .helpers import wait_idle, wait_worker

torch = pytest.importorskip("torch")
TASK = "lung-ct-nodule-seg"


@pytest.fixture
def masked_site(site_dir: Path, tmp_path: Path) -> Path:
    """A site with phantom CT and lesion SEGs imported, and the segmentation task at its
    demo grid kept as the site's own copy (as a federation's plan would leave it)."""
    from siteapp.dicom.importer import import_paths
    from siteapp.dicom.phantom import generate_phantom_sites
    from siteapp.tasks import demo_task, keep_federation_task

    torch.set_num_threads(1)
    (source,) = generate_phantom_sites(tmp_path / "phantom", sites=1, patients=8, seed=4,
                                       task="lung-ct-nodule", slices=2, masks=True)
    import_paths(site_dir, [source])
    keep_federation_task(site_dir, demo_task(TASK))
    return site_dir


def _accept(box: QMessageBox) -> None:
    next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole).click()


def test_a_local_round_shows_dice_and_the_predicted_mask(
    qtbot, make_window, masked_site: Path
) -> None:
    import highdicom as hd
    import pydicom

    from siteapp.training.checkpoints import list_checkpoints
    from siteapp.training.segmentation_inference import SegmentationReport

    window = make_window(masked_site)
    window.session.preferences.task = TASK
    window.session.preferences.device = "cpu"
    quality = window.show_page("quality")
    wait_idle(qtbot)
    quality.rounds_spin.setValue(1)
    assert quality.start_local_training() is not None
    qtbot.waitUntil(lambda: quality.confirm_box is not None, timeout=30_000)
    _accept(quality.confirm_box)
    worker = quality.train_worker
    assert worker is not None
    wait_worker(qtbot, worker, 180_000)
    assert worker.error is None, worker.error
    wait_idle(qtbot)
    (checkpoint,) = list_checkpoints(masked_site)
    assert checkpoint.model_name == "unet_small" and "dice" in checkpoint.metrics
    qtbot.waitUntil(lambda: "Dice" in quality.summary_label.text(), timeout=10_000)
    assert "Hausdorff" in quality.summary_label.text()
    assert not quality.chart_boxes["dice"].isHidden() and quality.chart_boxes["auc"].isHidden()

    inference = window.show_page("inference")
    wait_idle(qtbot)
    qtbot.waitUntil(lambda: inference.studies.count() > 0, timeout=10_000)
    inference.studies.item(0).setSelected(True)
    worker = inference.predict_selected()
    assert worker is not None
    wait_worker(qtbot, worker, 120_000)
    assert worker.error is None, worker.error
    report = inference.report
    assert isinstance(report, SegmentationReport) and len(report.series) == 1
    series = report.series[0]
    assert series.model_round == 1 and inference.saliency_item.image is not None
    assert "DICOM SEG" in inference.prediction_detail.text()
    (seg_path,) = series.seg_paths
    seg = hd.seg.segread(seg_path)
    read_by_highdicom = seg.get_pixels_by_source_instance(
        source_sop_instance_uids=[uid for _, _, uid in seg.get_source_image_uids()],
        combine_segments=True, ignore_spatial_locations=True,
    )
    frames = pydicom.dcmread(seg_path).pixel_array
    assert int((read_by_highdicom > 0).sum()) == int(np.asarray(frames).sum()) == sum(
        series.region_pixels.values())
    assert str(pydicom.dcmread(seg_path).Modality) == "SEG"
