"""Model zoo and weight plumbing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from siteapp.tasks import TaskPreset, demo_task
from siteapp.training.fixed_batch_norm import FIXED_BATCH_NORMS
from siteapp.training.models import (
    MONAI_NETWORKS,
    VOLUME_MODELS,
    UnknownModelError,
    available_models,
    build_model,
    freeze_backbone,
)
from siteapp.training.weights import (
    WeightLayout,
    WeightsFileError,
    WeightsMismatchError,
    flatten,
    frozen_state_digest,
    full_state,
    load_state,
    load_weights,
    read_metadata,
    save_weights,
    trainable_state,
    unflatten,
)

# The CPU-sized 2D networks, whose backbones end in feature maps (MONAI's end pooled).
SMALL_MODELS = [
    name for name in available_models() if name not in MONAI_NETWORKS + VOLUME_MODELS
]


@pytest.mark.parametrize("name", available_models())
def test_every_site_builds_the_same_initial_model(name: str, task: TaskPreset) -> None:
    if name in VOLUME_MODELS:
        task = demo_task("lung-ct-nodule-3d")
    a, b = build_model(name, task, init_seed=7), build_model(name, task, init_seed=7)
    other = build_model(name, task, init_seed=8)
    assert all(
        np.array_equal(a_, b_)
        for a_, b_ in zip(full_state(a).values(), full_state(b).values(), strict=True)
    )
    assert not np.array_equal(flatten(full_state(a)), flatten(full_state(other)))
    assert not any(
        isinstance(m, nn.modules.batchnorm._BatchNorm) and not isinstance(m, FIXED_BATCH_NORMS)
        for m in a.modules()
    )
    shape = (3, task.channels, *(task.matrix,) * a.spatial_dims)
    assert a(torch.zeros(shape)).shape == (3, task.num_classes)


@pytest.mark.parametrize("name", SMALL_MODELS)
def test_feature_whitener_is_a_fixed_identity_until_statistics_are_set(
    name: str, task: TaskPreset
) -> None:
    model = build_model(name, task)
    x = torch.rand(2, task.channels, task.matrix, task.matrix)
    features = model.backbone(x)
    torch.testing.assert_close(model.whiten(features), features, rtol=0.0, atol=0.0)
    assert not any(n.startswith("whiten.") for n in trainable_state(model))
    assert {"whiten.shift", "whiten.mixing"} <= set(full_state(model))
    channels = features.shape[1]
    mixing = torch.randn(channels, channels, generator=torch.Generator().manual_seed(0))
    model.whiten.shift.fill_(0.5)
    model.whiten.mixing.copy_(mixing)
    # every position's channel vector is centred, then mapped by the same matrix
    expected = torch.einsum("nchw,cd->ndhw", features - 0.5, mixing)
    torch.testing.assert_close(model.whiten(features), expected)


def test_frozen_state_digest_covers_frozen_tensors_only(task: TaskPreset) -> None:
    model = build_model("compact_cnn", task)
    freeze_backbone(model)
    before = frozen_state_digest(model)
    assert before == frozen_state_digest(_frozen_compact_cnn(task))
    with torch.no_grad():
        model.head[2].weight.add_(1.0)  # trains: not part of the digest
    assert frozen_state_digest(model) == before
    with torch.no_grad():
        model.whiten.mixing.mul_(2.0)  # the public feature statistics: part of it
    assert frozen_state_digest(model) != before


def _frozen_compact_cnn(task: TaskPreset) -> nn.Module:
    model = build_model("compact_cnn", task)
    freeze_backbone(model)
    return model


def test_unknown_model_names_the_choices(task: TaskPreset) -> None:
    with pytest.raises(UnknownModelError, match="compact_cnn"):
        build_model("vgg99", task)


def test_flatten_roundtrip_keeps_order_and_values(task: TaskPreset) -> None:
    weights = trainable_state(build_model("compact_cnn", task))
    layout = WeightLayout.of(weights)
    vector = flatten(weights, layout)
    assert vector.dtype == np.float32 and vector.size == layout.size
    back = unflatten(vector, layout)
    assert list(back) == list(weights)
    assert all(np.array_equal(back[k], weights[k]) for k in weights)
    with pytest.raises(WeightsMismatchError):
        unflatten(vector[:-1], layout)


def test_frozen_backbone_is_left_out_of_trainable_state(task: TaskPreset) -> None:
    model = build_model("compact_cnn", task)
    freeze_backbone(model)
    names = set(trainable_state(model))
    assert names and all(n.startswith("head.") for n in names)
    assert any(n.startswith("backbone.") for n in full_state(model))


def test_safetensors_roundtrip_and_mismatch(tmp_path: Path, task: TaskPreset) -> None:
    model = build_model("compact_cnn", task, init_seed=3)
    path = tmp_path / "m.safetensors"
    save_weights(path, full_state(model), {"model_name": "compact_cnn"})
    assert read_metadata(path)["model_name"] == "compact_cnn"
    target = build_model("compact_cnn", task, init_seed=4)
    load_state(target, load_weights(path), strict=True)
    assert np.array_equal(flatten(full_state(target)), flatten(full_state(model)))
    with pytest.raises(WeightsMismatchError, match="another model"):
        load_state(build_model("resnet_small", task), load_weights(path))
    (tmp_path / "bad.safetensors").write_bytes(b"not a weights file")
    with pytest.raises(WeightsFileError, match="not a readable"):
        load_weights(tmp_path / "bad.safetensors")
