"""Transfer learning from the shipped PUBLIC backbone: the file, the initial model every
run starts from, pretraining itself, and frozen layers under the fused DP mode."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from siteapp.cli import main
from siteapp.tasks import TaskPreset
from siteapp.training.config import PRETRAIN
from siteapp.training.datasets import PatientDataset
from siteapp.training.initial_model import (
    PretrainedWeightsError,
    initial_model,
    pretrained_weights_path,
)
from siteapp.training.models import build_model
from siteapp.training.pretrain import pretrain_public, public_cohort, set_feature_statistics
from siteapp.training.trainer import RoundPlan, TrainingStep, plan_round, train_round
from siteapp.training.weights import (
    load_state,
    load_weights,
    read_metadata,
    save_weights,
    trainable_state,
)

SHIPPED_MAX_BYTES = 1_000_000


def test_shipped_public_weights_load_into_the_task_model_and_match_the_preset(
    task: TaskPreset,
) -> None:
    path = pretrained_weights_path(task)
    assert path is not None and path.is_file()
    assert path.stat().st_size < SHIPPED_MAX_BYTES
    metadata = read_metadata(path)
    assert metadata["task"] == task.name and metadata["model"] == task.default_model
    assert int(metadata["seed"]) == PRETRAIN.seed
    assert int(metadata["public_patients"]) == PRETRAIN.patients
    assert 0.5 < float(metadata["val_auc"]) <= 1.0
    load_state(build_model(task.default_model, task), load_weights(path), strict=True)


def test_initial_model_has_the_public_backbone_frozen_and_a_seeded_head(
    task: TaskPreset,
) -> None:
    assert task.freeze_backbone
    path = pretrained_weights_path(task)
    assert path is not None
    public = load_weights(path)
    first, second = initial_model(task, init_seed=1), initial_model(task, init_seed=2)
    for name, param in first.named_parameters():
        if name.startswith("backbone."):
            np.testing.assert_array_equal(param.detach().numpy(), public[name])
            assert not param.requires_grad
    # the public feature statistics come with the backbone, and are not the identity
    for name in ("whiten.shift", "whiten.mixing"):
        np.testing.assert_array_equal(first.state_dict()[name].numpy(), public[name])
    assert not np.allclose(public["whiten.mixing"], np.eye(len(public["whiten.shift"])))
    seeded = trainable_state(build_model(task.default_model, task, init_seed=1))
    head = trainable_state(first)
    assert set(head) == {n for n in seeded if n.startswith("head.")}
    for name, value in head.items():
        np.testing.assert_array_equal(value, seeded[name])
    assert not np.array_equal(head["head.2.weight"], trainable_state(second)["head.2.weight"])


def test_from_scratch_and_other_models_ignore_the_public_weights(task: TaskPreset) -> None:
    scratch = initial_model(task, init_seed=1, pretrained=False)
    reference = build_model(task.default_model, task, init_seed=1)
    for (name, a), (_, b) in zip(
        scratch.named_parameters(), reference.named_parameters(), strict=True
    ):
        assert torch.equal(a, b) and a.requires_grad, name
    other = initial_model(task, "lesion_cnn", init_seed=1)
    assert all(p.requires_grad for p in other.parameters())


def test_weights_made_for_another_task_are_refused(task: TaskPreset, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.safetensors"
    model = build_model(task.default_model, task)
    save_weights(foreign, trainable_state(model), {"task": "mammo-mass", "model": "compact_cnn"})
    elsewhere = task.model_copy(update={"pretrained_weights": str(foreign)})
    with pytest.raises(PretrainedWeightsError, match="make pretrained"):
        initial_model(elsewhere)


def test_pretraining_on_a_tiny_public_cohort_improves_over_init(
    task: TaskPreset, tmp_path: Path
) -> None:
    settings = dataclasses.replace(
        PRETRAIN, patients=48, slices=2, epochs=60.0, expected_batch_patients=16
    )
    out = tmp_path / "public.safetensors"
    report = pretrain_public(task, out, settings)
    assert report.train_patients + report.val_patients == 48
    assert report.val_auc >= report.init_val_auc + 0.1
    metadata = read_metadata(out)
    assert metadata["public_patients"] == "48" and metadata["task"] == task.name
    assert float(metadata["val_auc"]) == pytest.approx(report.val_auc, abs=1e-4)
    again = tmp_path / "again.safetensors"
    pretrain_public(task, again, settings)
    for name, value in load_weights(out).items():
        np.testing.assert_array_equal(value, load_weights(again)[name])


def test_whitened_public_features_are_centred_decorrelated_with_the_configured_norm(
    task: TaskPreset,
) -> None:
    """What the head sees on the public cohort: zero-mean features whose covariance is
    the shrunk covariance's whitening (near isotropic: equal eigenvalues where the
    shrinkage is 0) and whose RMS norm is ``norm``, where raw ReLU features share a large
    offset and one dominant direction."""
    settings = dataclasses.replace(PRETRAIN, patients=40, slices=2)
    train, _val = public_cohort(task, settings)
    model = build_model(task.default_model, task, init_seed=3)
    images = torch.stack([torch.as_tensor(img) for _k, _l, imgs in train for img in imgs])
    images = images.reshape(len(images), task.channels, task.matrix, task.matrix)

    def pooled() -> torch.Tensor:
        with torch.no_grad():
            return model.whiten(model.backbone(images)).mean(dim=(2, 3)).double()

    raw = pooled()
    assert (raw >= 0).all() and raw.mean().item() > 0.1  # ReLU outputs share an offset
    raw_spectrum = torch.linalg.eigvalsh(torch.cov(raw.T))
    assert raw_spectrum[-1] > 0.3 * raw_spectrum.sum()  # one direction dominates

    set_feature_statistics(model, train, norm=2.5, shrinkage=0.1)
    features = pooled()
    assert features.mean(dim=0).abs().max().item() < 1e-4
    assert features.pow(2).sum(dim=1).mean().sqrt().item() == pytest.approx(2.5, rel=1e-4)
    spectrum = torch.linalg.eigvalsh(torch.cov(features.T))
    assert spectrum[-1] < 0.05 * spectrum.sum()  # no direction dominates any more
    # the statistics are exactly those of the whitening of the shrunk covariance
    channels = raw.shape[1]
    covariance = torch.cov(raw.T)
    shrunk = 0.9 * covariance + 0.1 * torch.trace(covariance) / channels * torch.eye(channels)
    whitened_shrunk = model.whiten.mixing.double().T @ shrunk @ model.whiten.mixing.double()
    eigenvalues = torch.linalg.eigvalsh(whitened_shrunk)
    torch.testing.assert_close(eigenvalues, torch.full_like(eigenvalues, eigenvalues.mean().item()),
                               rtol=1e-3, atol=0.0)

    with pytest.raises(ValueError, match="shrinkage"):
        set_feature_statistics(model, train, norm=2.5, shrinkage=0.0)
    max_pooled = build_model("lesion_cnn", task)
    with pytest.raises(ValueError, match="average pooling"):
        set_feature_statistics(max_pooled, train, norm=2.5, shrinkage=0.1)



def test_fused_dp_gives_frozen_layers_no_per_sample_gradients_and_no_update(
    task: TaskPreset, make_patients
) -> None:
    data = PatientDataset.from_arrays(make_patients(12, matrix=task.matrix))
    model = initial_model(task, init_seed=0)
    sample_rate, steps = plan_round(len(data), 1.0, 6)
    plan = RoundPlan(steps=steps, sample_rate=sample_rate, noise_multiplier=1.0, noise_seed=0)
    step = TrainingStep(model, plan, len(data))
    x = torch.stack([data[i][0] for i in range(6)])
    y = torch.tensor([data[i][1] for i in range(6)])
    step.run(x, y)
    for name, param in model.named_parameters():
        if name.startswith("backbone."):
            assert param.grad is None and getattr(param, "grad_sample", None) is None, name
        else:
            assert param.grad is not None, name
    result = train_round(initial_model(task, init_seed=0), data, plan, device="cpu")
    assert set(result.update) == {"head.2.weight", "head.2.bias"}


def test_local_training_starts_from_the_public_backbone_unless_from_scratch(
    imported_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(imported_site), "train", "--local", "--rounds", "1",
            "--epochs-per-round", "1", "--target-epsilon", "8", "--device", "cpu",
            "--batch-patients", "4", "--json"]
    assert main(base) == 0
    pretrained = json.loads(capsys.readouterr().out)
    assert pretrained["pretrained"] and pretrained["trainable_parameters"] == 130
    assert main([*base, "--from-scratch"]) == 0
    scratch = json.loads(capsys.readouterr().out)
    assert not scratch["pretrained"] and scratch["trainable_parameters"] > 50_000


def test_frozen_digest_command_prints_the_initial_models_digest(
    task: TaskPreset, capsys: pytest.CaptureFixture[str]
) -> None:
    from siteapp.training.weights import frozen_state_digest

    assert main(["frozen-digest", "--task", task.name]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == frozen_state_digest(initial_model(task))
    assert len(printed) == 64 and set(printed) <= set("0123456789abcdef")
