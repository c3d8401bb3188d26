"""Three sites fine-tune ResNet-18 from the operator's pretrained weights file, end to end
over mutual TLS: the coordinator serves the file the plan pins, every site verifies and
loads it, freezes stages 0-3 and trains layer4 and the head under DP (tiny images)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from harness import LoopbackFederation, make_federation, run_sites, site_state

from coordinator.errors import KitError
from coordinator.pretrained import PRETRAINED_FILE, describe_weights_file, kit_weights_file
from siteapp.training.models import MODEL_BUILDERS

LAST_STAGE_ONLY = 4  # resnet18: stem, layer1, layer2, layer3 frozen


def _global_weights(fed: LoopbackFederation, site: str, sha256: str) -> dict[str, np.ndarray]:
    """The global model after round 1 as ``site`` holds it (its trainable part)."""
    from siteapp.federation.global_model import GlobalModelHistory
    from siteapp.training.initial_model import operator_initial_model
    from siteapp.training.weights import WeightLayout, trainable_state

    kept = site_state(fed, site) / f"pretrained-{sha256[:16]}.weights"
    model = operator_initial_model(fed.plan.task, "resnet18", 0, kept, LAST_STAGE_ONLY)
    layout = WeightLayout.of(trainable_state(model))
    return GlobalModelHistory(site_state(fed, site) / "global").weights(1, layout)


def _imagenet_resnet18(path: Path) -> dict[str, torch.Tensor]:
    """A random RGB ResNet-18 checkpoint under torchvision's names, 1000 ImageNet classes."""
    torch.manual_seed(11)
    donor = MODEL_BUILDERS["resnet18"](3, 1000)
    state = {k.removeprefix("backbone."): v for k, v in donor.state_dict().items() if k.startswith("backbone.")}
    state["fc.weight"], state["fc.bias"] = donor.head[0].weight.detach(), donor.head[0].bias.detach()
    torch.save(state, path)
    return state


def test_three_sites_fine_tune_resnet18_from_the_operators_weights(tmp_path: Path, site_templates: dict[str, Path]) -> None:
    weights = tmp_path / "resnet18-imagenet.pth"
    checkpoint = _imagenet_resnet18(weights)
    pretrained = describe_weights_file(weights, LAST_STAGE_ONLY)
    fed = make_federation(tmp_path, site_templates, weights_file=weights, model="resnet18",
                          pretrained=pretrained.model_dump(), rounds=1)
    try:
        run_sites(fed)
    finally:
        fed.stop()
    assert all(len(report.rounds) == 1 for report in fed.reports.values()), fed.reports
    after = _global_weights(fed, "a", pretrained.sha256)
    # Only layer4 and the head trained and travelled.
    assert {name.split(".")[1] for name in after} == {"layer4", "0"}
    for site in ("a", "b", "c"):
        kept = site_state(fed, site) / f"pretrained-{pretrained.sha256[:16]}.weights"
        assert kept.read_bytes() == weights.read_bytes()
    moved = after["backbone.layer4.1.conv2.weight"] - checkpoint["layer4.1.conv2.weight"].numpy()
    assert abs(moved).max() > 0  # trained from the operator's values, not from a seed
    for name, tensor in _global_weights(fed, "b", pretrained.sha256).items():
        assert (tensor == after[name]).all(), name  # one global model for every site


def test_a_kit_whose_weights_file_differs_from_the_plan_does_not_serve(tmp_path: Path, site_templates: dict[str, Path]) -> None:
    weights = tmp_path / "weights.pth"
    torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7)}, weights)
    fed = make_federation(tmp_path, site_templates, start=False, weights_file=weights,
                          model="resnet18", pretrained=describe_weights_file(weights, 0).model_dump())
    assert kit_weights_file(fed.kit_dir, fed.plan) == fed.kit_dir / PRETRAINED_FILE
    content = bytearray(weights.read_bytes())
    content[len(content) // 2] ^= 0xFF
    (fed.kit_dir / PRETRAINED_FILE).write_bytes(bytes(content))
    with pytest.raises(KitError, match="not the pretrained weights file the plan pins"):
        kit_weights_file(fed.kit_dir, fed.plan)


def test_a_site_refuses_weights_other_than_the_plan_pins(tmp_path: Path, site_templates: dict[str, Path]) -> None:
    """The coordinator's copy is swapped after it started: the site refuses the download
    and keeps nothing of it."""
    weights = tmp_path / "resnet18-imagenet.pth"
    _imagenet_resnet18(weights)
    pretrained = describe_weights_file(weights, LAST_STAGE_ONLY)
    fed = make_federation(tmp_path, site_templates, weights_file=weights, model="resnet18",
                          pretrained=pretrained.model_dump(), rounds=1)
    try:
        served = fed.kit_dir / PRETRAINED_FILE
        content = bytearray(served.read_bytes())
        content[len(content) // 2] ^= 0xFF  # inside a tensor's bytes: still a loadable file
        served.write_bytes(bytes(content))
        with pytest.raises(Exception, match=r"pretrained|SHA-256|corrupted"):
            fed.runner("a").run(max_rounds=1)
    finally:
        fed.stop()
    assert not list(site_state(fed, "a").glob("pretrained-*"))
