"""Inference on real DICOM files, with a Grad-CAM overlay per study."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from pydicom.data import get_testdata_file

from siteapp.cli import main
from siteapp.tasks import TaskPreset
from siteapp.training.checkpoints import (
    NoModelError,
    latest_checkpoint,
    list_checkpoints,
    save_checkpoint,
)
from siteapp.training.inference import NoImagesError, predict_paths
from siteapp.training.models import build_model
from siteapp.training.saliency import grad_cam
from siteapp.training.weights import full_state

CT_SMALL = Path(str(get_testdata_file("CT_small.dcm")))


def _checkpoint(data_dir: Path, task: TaskPreset, round: int = 2, source: str = "local") -> None:
    save_checkpoint(
        data_dir,
        full_state(build_model("compact_cnn", task)),
        source=source,
        run_id="t",
        round=round,
        model_name="compact_cnn",
        task=task,
        epsilon=1.5,
        metrics={"auc": 0.7},
    )


def test_infer_ct_small_writes_prediction_and_overlay(
    tmp_path: Path, task: TaskPreset, capsys: pytest.CaptureFixture[str]
) -> None:
    _checkpoint(tmp_path, task, round=2)
    (tmp_path / "notes.txt").write_text("not dicom")
    assert (
        main(
            [
                "--data-dir",
                str(tmp_path),
                "infer",
                str(CT_SMALL),
                str(tmp_path / "notes.txt"),
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    (study,) = doc["studies"]
    assert study["study_uid"] == "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
    assert study["predicted_class"] in task.classes
    assert 0.0 <= study["probability"] <= 1.0
    assert study["model_round"] == 2 and study["images"] == 1
    overlay = Image.open(study["saliency_png"])
    assert overlay.mode == "RGB" and overlay.size == (256, 256)
    assert [s["path"] for s in doc["skipped"]] == [str(tmp_path / "notes.txt")]


def test_infer_a_study_folder_groups_by_study(tmp_path: Path, task: TaskPreset) -> None:
    _checkpoint(tmp_path, task)
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "a.dcm").write_bytes(CT_SMALL.read_bytes())
    (folder / "b.dcm").write_bytes(CT_SMALL.read_bytes())
    report = predict_paths(tmp_path, [folder])
    assert len(report.studies) == 1 and report.studies[0].images == 2


def test_infer_without_model_or_images_says_what_to_do(tmp_path: Path, task: TaskPreset) -> None:
    with pytest.raises(NoModelError, match="train --local"):
        predict_paths(tmp_path, [CT_SMALL])
    _checkpoint(tmp_path, task)
    (tmp_path / "x.bin").write_bytes(b"\x00" * 300)
    with pytest.raises(NoImagesError, match="no readable DICOM"):
        predict_paths(tmp_path, [tmp_path / "x.bin"])


def test_checkpoints_are_listed_newest_last(tmp_path: Path, task: TaskPreset) -> None:
    _checkpoint(tmp_path, task, round=1)
    _checkpoint(tmp_path, task, round=2)
    assert [c.round for c in list_checkpoints(tmp_path)] == [1, 2]
    latest = latest_checkpoint(tmp_path, source="local")
    assert latest.round == 2 and latest.path.is_file() and latest.metrics == {"auc": 0.7}


def test_a_later_local_model_never_silently_replaces_the_federated_one(
    tmp_path: Path, task: TaskPreset, capsys: pytest.CaptureFixture[str]
) -> None:
    from siteapp.training.checkpoints import inference_checkpoint

    _checkpoint(tmp_path, task, round=5, source="federated")
    _checkpoint(tmp_path, task, round=3, source="local")  # trained afterwards
    chosen = inference_checkpoint(tmp_path)
    assert (chosen.source, chosen.round) == ("federated", 5)
    report = predict_paths(tmp_path, [CT_SMALL])
    assert report.model_round == 5

    local = list_checkpoints(tmp_path, "local")[-1]
    assert main(["--data-dir", str(tmp_path), "model", "pin", str(local.id)]) == 0
    assert inference_checkpoint(tmp_path).id == local.id
    assert main(["--data-dir", str(tmp_path), "model", "list"]) == 0
    listing = capsys.readouterr().out
    assert "* pinned" in listing and "local-only model after round 3" in listing
    assert main(["--data-dir", str(tmp_path), "model", "unpin"]) == 0
    assert inference_checkpoint(tmp_path).source == "federated"


def test_model_export_writes_weights_and_card(
    tmp_path: Path, task: TaskPreset, capsys: pytest.CaptureFixture[str]
) -> None:
    _checkpoint(tmp_path, task, round=4, source="federated")
    out = tmp_path / "export"
    assert main(["--data-dir", str(tmp_path), "model", "export", str(out)]) == 0
    (weights,) = out.glob("*.safetensors")
    (card_path,) = out.glob("*.card.json")
    card = json.loads(card_path.read_text())
    assert card["source"] == "federated" and card["round"] == 4 and card["task"] == task.name
    assert card["privacy"]["this_site_epsilon_when_saved"] == 1.5
    assert card["metrics_on_this_sites_validation_patients"] == {"auc": 0.7}
    import hashlib

    assert card["weights_sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()


def test_grad_cam_highlights_the_evidence(task: TaskPreset) -> None:
    # A model whose positive logit is the mean brightness of its last feature maps:
    # Grad-CAM must peak where the bright square is.
    model = build_model("compact_cnn", task)
    image = torch.zeros(1, 64, 64)
    image[0, 40:56, 40:56] = 1.0
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.full_like(p, 0.1) if p.ndim > 1 else torch.zeros_like(p))
        for module in model.modules():
            if isinstance(module, torch.nn.GroupNorm):
                module.weight.fill_(1.0)
    cam = grad_cam(model, image, class_index=1)
    assert cam.shape == (64, 64) and cam.min() >= 0.0 and cam.max() == pytest.approx(1.0)
    peak = np.unravel_index(int(np.argmax(cam)), cam.shape)
    assert peak[0] >= 32 and peak[1] >= 32


def test_inference_gives_every_class_a_probability_and_explains_the_chosen_class(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from siteapp.tasks import demo_task
    from siteapp.training.inference import predict_paths

    task = demo_task("chest-xray")
    _checkpoint(tmp_path, task)
    report = predict_paths(tmp_path, [CT_SMALL], saliency_class="consolidation")
    (study,) = report.studies
    assert report.classes == ["normal", "nodule", "consolidation"]
    assert set(study.probabilities) == set(task.classes)
    assert sum(study.probabilities.values()) == pytest.approx(1.0)
    assert study.probability == study.probabilities[study.predicted_class]
    assert study.predicted_class == max(study.probabilities, key=study.probabilities.__getitem__)
    assert study.saliency_class == "consolidation"
    assert main(["--data-dir", str(tmp_path), "infer", str(CT_SMALL), "--explain", "effusion"]) == 1
    assert "not one of the model's classes" in capsys.readouterr().err
