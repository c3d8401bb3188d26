"""Operator-supplied pretrained weights: ImageNet-style checkpoints (torchvision key names)
written by the test, loaded without running pickled code, mapped onto the zoo's names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from siteapp.tasks import TaskPreset
from siteapp.training.initial_model import operator_initial_model
from siteapp.training.models import MODEL_BUILDERS, ZooModel
from siteapp.training.pretrained_weights import (
    PretrainedWeightsFileError,
    load_pretrained_network,
    read_weights_file,
    zoo_name,
)

IMAGENET_CLASSES = 1000


def _imagenet_like(name: str) -> dict[str, torch.Tensor]:
    """A random RGB ImageNet checkpoint of network ``name`` under torchvision's names."""
    torch.manual_seed(5)
    donor = MODEL_BUILDERS[name](3, IMAGENET_CLASSES)
    state: dict[str, torch.Tensor] = {}
    for key, tensor in donor.state_dict().items():
        if not key.startswith("backbone."):
            continue
        key = key.removeprefix("backbone.")
        # torchvision's DenseNet has no "layers." level (MONAI adds it)
        key = key.replace(".layers.", ".")
        state[key] = torch.randn_like(tensor) if tensor.is_floating_point() else tensor
    features = donor.head[0].in_features
    classifier = "fc" if name.startswith("resnet") else "classifier"
    state[f"{classifier}.weight"] = torch.randn(IMAGENET_CLASSES, features)
    state[f"{classifier}.bias"] = torch.randn(IMAGENET_CLASSES)
    return state


def _model(name: str) -> ZooModel:
    return MODEL_BUILDERS[name](1, 2)


@pytest.mark.parametrize("name", ["resnet18", "densenet121"])
def test_torchvision_checkpoint_maps_onto_the_zoo(tmp_path: Path, name: str) -> None:
    """Every backbone tensor lands under the zoo's name; the RGB stem is summed over its
    channels; the ImageNet classifier is dropped and the seeded head kept."""
    checkpoint = _imagenet_like(name)
    path = tmp_path / "imagenet.pth"
    torch.save({"state_dict": checkpoint, "epoch": 90}, path)
    model = _model(name)
    head_before = model.head[0].weight.detach().clone()
    mapped = load_pretrained_network(model, path)
    assert mapped.summed_rgb_stem
    assert set(mapped.dropped) == {k for k in checkpoint if k.startswith(("fc.", "classifier."))}
    state = model.state_dict()
    stem = "conv1.weight" if name == "resnet18" else "features.conv0.weight"
    torch.testing.assert_close(state[f"backbone.{stem}"], checkpoint[stem].sum(1, keepdim=True))
    deep = "layer4.1.bn2.running_var" if name == "resnet18" else "features.denseblock4.denselayer16.norm2.weight"
    torch.testing.assert_close(state[zoo_name(deep) or ""], checkpoint[deep])
    torch.testing.assert_close(model.head[0].weight, head_before)


def test_old_densenet_names_and_module_prefix_map_too() -> None:
    assert zoo_name("module.features.denseblock2.denselayer3.norm.1.weight") == (
        "backbone.features.denseblock2.denselayer3.layers.norm1.weight"
    )
    assert zoo_name("features.denseblock1.denselayer1.layers.conv2.weight") == (
        "backbone.features.denseblock1.denselayer1.layers.conv2.weight"
    )
    assert zoo_name("layer2.0.downsample.1.running_mean") == "backbone.layer2.0.downsample.1.running_mean"
    assert zoo_name("fc.weight") is None


def test_safetensors_in_medfed_names_load_head_too(tmp_path: Path, task: TaskPreset) -> None:
    source = _model("resnet18")
    with torch.no_grad():
        source.head[0].weight.fill_(0.25)
    path = tmp_path / "resnet18.safetensors"
    save_file({k: v.contiguous() for k, v in source.state_dict().items()}, str(path))
    model = operator_initial_model(task, "resnet18", 0, path, frozen_stages=4)
    torch.testing.assert_close(model.head[0].weight, source.head[0].weight)
    trainable = {n.split(".")[1] for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"layer4", "0"}


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_a_checkpoint_that_would_run_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": {"conv1.weight": torch.zeros(1)}, "hook": _Payload()}, path)
    with pytest.raises(PretrainedWeightsFileError, match="neither a safetensors file"):
        read_weights_file(path)
    assert not (Path.cwd() / "pwned").exists()


def test_weights_of_another_network_are_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "densenet.pth"
    torch.save(_imagenet_like("densenet121"), path)
    with pytest.raises(PretrainedWeightsFileError, match=r"features.conv0.weight.*another network"):
        load_pretrained_network(_model("resnet18"), path)
    partial = {k: v for k, v in _imagenet_like("resnet18").items() if not k.startswith("layer4.")}
    torch.save(partial, path)
    with pytest.raises(PretrainedWeightsFileError, match=r"lacks \d+ tensor"):
        load_pretrained_network(_model("resnet18"), path)
