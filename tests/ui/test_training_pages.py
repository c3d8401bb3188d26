"""Privacy, Model quality and Inference pages on a real local DP training run.

One local-only round on the phantom site (real Opacus training on the CPU) feeds the
privacy ledger and a checkpoint; the pages must show exactly those figures, the GUI must
stay responsive while it trains, and inference must produce a prediction with saliency.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from .helpers import settle_painting, wait_idle, wait_worker
from .test_responsiveness import GapMeter

torch = pytest.importorskip("torch")
TRAIN_ROUNDS = 1


@pytest.fixture
def labelled_site(imported_ui_site: Path, ui_phantom_site: Path) -> Path:
    from siteapp.dicom.labels import import_labels

    torch.set_num_threads(1)
    import_labels(imported_ui_site, ui_phantom_site / "labels.csv", "lung-ct-nodule")
    return imported_ui_site


def test_privacy_page_before_any_training_shows_cap_and_no_projection(
    qtbot, make_window, site_dir: Path
) -> None:
    window = make_window(site_dir)
    page = window.show_page("privacy")
    wait_idle(qtbot)
    assert page.picture.spent == 0.0
    assert page.picture.projected is None
    assert page.gauge.cap == page.picture.cap_epsilon
    assert "nothing to project" in page.projection_label.text()


def test_cap_setting_is_saved_in_the_ledger(qtbot, make_window, site_dir: Path) -> None:
    from siteapp.privacy.ledger import PrivacyLedger

    window = make_window(site_dir)
    page = window.show_page("privacy")
    wait_idle(qtbot)
    page.cap_spin.setValue(3.5)
    page.delta_edit.setText("1e-5")
    assert page.save_cap()
    cap = PrivacyLedger(site_dir).cap()
    assert (cap.epsilon, cap.delta) == (3.5, 1e-5)
    page.delta_edit.setText("a lot")
    assert not page.save_cap()
    assert "Delta must be a number" in page.notice.label.text()


def _click_role(box: QMessageBox, role: QMessageBox.ButtonRole) -> None:
    next(button for button in box.buttons() if box.buttonRole(button) == role).click()


def test_declining_the_privacy_cost_trains_nothing(qtbot, make_window, labelled_site: Path) -> None:
    from siteapp.privacy.ledger import PrivacyLedger

    window = make_window(labelled_site)
    quality = window.show_page("quality")
    wait_idle(qtbot)
    quality.rounds_spin.setValue(3)
    assert quality.start_local_training() is not None
    qtbot.waitUntil(lambda: quality.confirm_box is not None, timeout=30_000)
    assert "3 local-only round(s)" in quality.confirm_box.text()
    _click_role(quality.confirm_box, QMessageBox.ButtonRole.RejectRole)
    wait_idle(qtbot)
    assert quality.train_worker is None and quality.train_button.isEnabled()
    assert PrivacyLedger(labelled_site).entries() == []
    assert "no privacy budget was spent" in quality.train_status.text()


def test_quitting_during_training_asks_and_says_what_it_costs(
    qtbot, make_window, labelled_site: Path
) -> None:
    from siteapp.privacy.ledger import PrivacyLedger

    window = make_window(labelled_site)
    quality = window.show_page("quality")
    wait_idle(qtbot)
    window.session.preferences.device = "cpu"
    quality.rounds_spin.setValue(50)  # long enough to still run when we quit
    quality.start_local_training()
    qtbot.waitUntil(lambda: quality.confirm_box is not None, timeout=30_000)
    _click_role(quality.confirm_box, QMessageBox.ButtonRole.AcceptRole)
    qtbot.waitUntil(lambda: PrivacyLedger(labelled_site).entries() != [], timeout=180_000)
    worker = quality.train_worker
    assert worker is not None

    window.close()
    qtbot.waitUntil(lambda: window.quit_box is not None, timeout=5_000)
    assert window.isVisible(), "the window closed without asking"
    question = window.quit_box.text()
    assert "Local-only training is running" in question and "privacy budget" in question
    _click_role(window.quit_box, QMessageBox.ButtonRole.RejectRole)
    qtbot.wait(50)
    assert window.isVisible() and quality.train_worker is worker

    window.close()
    qtbot.waitUntil(lambda: window.quit_box is not None, timeout=5_000)
    _click_role(window.quit_box, QMessageBox.ButtonRole.DestructiveRole)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=120_000)
    assert worker.cancel_requested
    statuses = {entry.status for entry in PrivacyLedger(labelled_site).entries()}
    assert statuses <= {"planned", "cancelled", "completed"}


def test_local_training_updates_privacy_quality_and_inference(
    qtbot, make_window, labelled_site: Path, tmp_path: Path
) -> None:
    from siteapp.privacy.ledger import PrivacyLedger
    from siteapp.training.checkpoints import list_checkpoints

    window = make_window(labelled_site)
    quality = window.show_page("quality")
    wait_idle(qtbot)
    assert quality.picture.empty
    quality.rounds_spin.setValue(TRAIN_ROUNDS)
    window.session.preferences.device = "cpu"
    settle_painting(qtbot)
    meter = GapMeter()
    meter.start()
    pricing = quality.start_local_training()
    assert pricing is not None
    qtbot.waitUntil(lambda: quality.confirm_box is not None, timeout=30_000)
    question = quality.confirm_box.text()
    assert "from 0.00 to" in question and "of its cap of 8" in question, question
    assert not list_checkpoints(labelled_site), "training started before the answer"
    _click_role(quality.confirm_box, QMessageBox.ButtonRole.AcceptRole)
    worker = quality.train_worker
    assert worker is not None
    wait_worker(qtbot, worker, 180_000)
    meter.stop()
    assert worker.error is None, worker.error
    meter.assert_responsive()
    wait_idle(qtbot)

    checkpoints = list_checkpoints(labelled_site)
    assert len(checkpoints) == TRAIN_ROUNDS
    assert not quality.picture.empty
    assert quality.picture.local["auc"].rounds == [1] or quality.picture.local["auc"].rounds == []
    matrix = [[int(quality.matrix.item(r, c).text()) for c in range(2)] for r in range(2)]
    assert matrix == checkpoints[-1].metrics["confusion_matrix"]

    privacy = window.show_page("privacy")
    wait_idle(qtbot)
    spent = PrivacyLedger(labelled_site).epsilon_spent()
    assert spent > 0
    assert privacy.picture.spent == pytest.approx(spent)
    assert f"{spent:.2f}" in privacy.spent_label.text()
    assert privacy.table.rowCount() == TRAIN_ROUNDS
    assert privacy.picture.projected is not None and privacy.picture.projected > spent
    assert privacy.table.item(0, 1).text() == "local-only training"
    assert privacy.table.item(0, 2).text() in ("completed", "recorded, not finished")
    summary = quality.summary_label.text()
    assert "(" in summary and "95% confidence interval" in summary and "Decision threshold" in summary

    inference = window.show_page("inference")
    wait_idle(qtbot)
    qtbot.waitUntil(lambda: inference.studies.count() > 0, timeout=10_000)
    inference.studies.setCurrentRow(0)
    inference.studies.item(0).setSelected(True)
    worker = inference.predict_selected()
    assert worker is not None
    wait_worker(qtbot, worker, 120_000)
    assert worker.error is None, worker.error
    report = inference.report
    assert len(report.studies) == 1
    assert report.studies[0].model_round == checkpoints[-1].round
    answer = inference.results.item(0, 3).text()
    assert answer in ("no nodule", "nodule")
    # The site's own label sits beside the answer, and the probability says what it is of.
    from siteapp.dicom.index import StudyIndex

    with StudyIndex(labelled_site) as index:
        known = index.labels_by_study()[report.studies[0].study_uid]
    assert inference.results.item(0, 5).text() == known.replace("_", " ")
    assert "probability" in inference.prediction_label.text()
    assert "Your label" in inference.prediction_detail.text()
    assert inference.saliency_item.image is not None
    # The heat map fades out: at opacity 0 the picture is the plain input.
    faded = inference.saliency_item.image.copy()
    inference.opacity.setValue(0)
    assert not np.allclose(inference.saliency_item.image, faded)
    assert np.allclose(inference.saliency_item.image[..., 0], inference.saliency_item.image[..., 2])
    out = tmp_path / "predictions.csv"
    assert inference.export_csv(out) == 1
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["predicted_class"] == report.studies[0].predicted_class
    assert float(rows[0]["p_nodule"]) == pytest.approx(report.studies[0].probabilities["nodule"], abs=1e-4)

    # The overlay can explain a class other than the predicted one.
    other = next(c for c in report.classes if c != report.studies[0].predicted_class)
    worker = inference._on_explain_chosen(inference.explain_combo.findData(other))
    assert worker is not None
    wait_worker(qtbot, worker, 120_000)
    assert worker.error is None, worker.error
    assert inference.report.studies[0].saliency_class == other
    assert inference.explain_combo.currentData() == other
