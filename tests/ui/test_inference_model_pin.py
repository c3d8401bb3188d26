"""Inference page: staff see which model answers, pin another, and export it with its card."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import wait_idle

torch = pytest.importorskip("torch")


def _save(data_dir: Path, source: str, round_number: int) -> int:
    from siteapp.tasks import demo_task
    from siteapp.training.checkpoints import save_checkpoint
    from siteapp.training.models import build_model
    from siteapp.training.weights import full_state

    task = demo_task("lung-ct-nodule")
    return save_checkpoint(
        data_dir, full_state(build_model("compact_cnn", task)), source=source, run_id="r",
        round=round_number, model_name="compact_cnn", task=task, epsilon=2.0,
        metrics={"auc": 0.8},
    ).id


def test_the_model_that_answers_is_shown_pinned_and_exported(
    qtbot, make_window, site_dir: Path, tmp_path: Path
) -> None:
    from siteapp.training.checkpoints import inference_checkpoint

    _save(site_dir, "federated", 5)
    local_id = _save(site_dir, "local", 3)  # trained after the federated model
    window = make_window(site_dir)
    page = window.show_page("inference")
    wait_idle(qtbot)
    assert "federation's model after round 5" in page.model_label.text()
    assert "default" in page.model_label.text()

    row = page.model_combo.findData(local_id)
    page.model_combo.setCurrentIndex(row)
    page.model_combo.activated.emit(row)
    assert inference_checkpoint(site_dir).id == local_id
    assert "local-only model after round 3" in page.model_label.text()
    assert "pinned" in page.model_label.text()

    written = page.export_model(tmp_path / "export")
    assert written is not None and all(path.is_file() for path in written)
    page.model_combo.activated.emit(0)  # back to the default
    assert inference_checkpoint(site_dir).source == "federated"
