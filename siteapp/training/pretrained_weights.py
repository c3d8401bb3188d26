"""Operator-chosen pretrained weights: read without executing code, mapped onto the zoo.

A weights file is either **safetensors** or a **PyTorch checkpoint** read with
``torch.load(weights_only=True)`` (tensors and plain containers only: a pickled object
that would run code is refused). A checkpoint that wraps its state dict under
``state_dict`` or ``model`` is unwrapped, and a ``module.`` prefix (DataParallel,
MedicalNet) is dropped. The keys are then mapped onto the zoo model's names:

- MedFed's own names (``backbone.*``, ``head.*``, ``whiten.*``): as they are.
- torchvision ResNet (``conv1``, ``bn1``, ``layerN.M.convK``, ``layerN.M.downsample.0/1``),
  and MONAI's own ResNet, whose names are the same: ``backbone.`` + name. MedicalNet's 3D
  ResNets use these names too.
- torchvision DenseNet (``features.denseblockN.denselayerM.norm1``; old checkpoints
  ``norm.1``) and MONAI's DenseNet (``...denselayerM.layers.norm1``):
  ``backbone.features.denseblockN.denselayerM.layers.norm1``.
- The ImageNet classifier (``fc``, ``classifier``, MONAI's ``class_layers.out``) is
  dropped: the head, sized for the task's classes, is drawn from the plan's seed.

An RGB stem on a one-channel task is summed over its three input channels, so a grey
image gives the response the ImageNet network gives the same image in RGB. Every tensor
of the backbone must be in the file, with the right shape: a file for another network
is refused, naming the first tensor that does not fit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch

from siteapp.errors import UserFacingError
from siteapp.training.models import ZooModel

ZOO_PREFIXES = ("backbone.", "head.", "whiten.")
CLASSIFIER_PREFIXES = ("fc.", "classifier.", "class_layers.out.", "_fc.")
WRAPPER_KEYS = ("state_dict", "model", "model_state_dict")
_DENSE_LAYER = re.compile(r"^(features\.denseblock\d+\.denselayer\d+)\.(?:layers\.)?(norm|relu|conv)\.?([12])\.")
_SAFETENSORS_MAGIC_OFFSET = 8


class PretrainedWeightsFileError(UserFacingError):
    """A pretrained weights file cannot be read or does not fit the plan's network."""


@dataclass(frozen=True)
class MappedWeights:
    """The file's tensors under the zoo model's names, and what the mapping did."""

    tensors: dict[str, torch.Tensor]
    dropped: tuple[str, ...]  # the file's classifier tensors, replaced by the seeded head
    summed_rgb_stem: bool


def _is_safetensors(path: Path) -> bool:
    """safetensors files start with an 8-byte header length, then a JSON object."""
    with path.open("rb") as handle:
        head = handle.read(_SAFETENSORS_MAGIC_OFFSET + 1)
    return len(head) == _SAFETENSORS_MAGIC_OFFSET + 1 and head[-1:] == b"{"


def read_weights_file(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file or of a PyTorch checkpoint, loaded without
    running pickled code; raises :class:`PretrainedWeightsFileError` with the reason."""
    try:
        if _is_safetensors(path):
            from safetensors.torch import load_file

            return dict(load_file(str(path)))
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except OSError as exc:
        raise PretrainedWeightsFileError(f"cannot read {path}: {exc.strerror}") from exc
    except Exception as exc:  # torch and safetensors raise many types for a bad file
        raise PretrainedWeightsFileError(
            f"{path} is neither a safetensors file nor a PyTorch checkpoint of plain tensors "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
            "save the network's state_dict with torch.save or safetensors"
        ) from exc
    for key in WRAPPER_KEYS:
        if isinstance(loaded, Mapping) and isinstance(loaded.get(key), Mapping):
            loaded = loaded[key]
            break
    if not isinstance(loaded, Mapping) or not all(
        isinstance(v, torch.Tensor) for v in loaded.values()
    ):
        raise PretrainedWeightsFileError(
            f"{path} holds no state dict (a mapping of names to tensors)"
        )
    return {str(k): v for k, v in loaded.items()}


def zoo_name(key: str) -> str | None:
    """The zoo model's name for a checkpoint key, or None for the ImageNet classifier."""
    key = key.removeprefix("module.")
    if key.startswith(ZOO_PREFIXES):
        return key
    if key.startswith(CLASSIFIER_PREFIXES):
        return None
    return "backbone." + _DENSE_LAYER.sub(r"\1.layers.\2\3.", key)


def map_onto(model: ZooModel, state: Mapping[str, torch.Tensor]) -> MappedWeights:
    """``state`` under ``model``'s names, checked against its shapes (see module doc)."""
    target = model.state_dict()
    mapped: dict[str, torch.Tensor] = {}
    dropped: list[str] = []
    summed = False
    for key, tensor in state.items():
        name = zoo_name(key)
        if name is None:
            dropped.append(key)
            continue
        if name not in target:
            raise PretrainedWeightsFileError(
                f"the weights file has tensor '{key}', which network '{_network(model)}' "
                "does not have: it was made for another network (docs/networks.md lists "
                "the names each network expects)"
            )
        expected = target[name].shape
        if tensor.shape != expected and _rgb_stem_on_grey(tensor.shape, expected):
            tensor = tensor.sum(dim=1, keepdim=True)
            summed = True
        if tensor.shape != expected:
            raise PretrainedWeightsFileError(
                f"tensor '{key}' has shape {tuple(tensor.shape)} in the weights file, network "
                f"'{_network(model)}' expects {tuple(expected)}: the file was made for another "
                "network or width"
            )
        mapped[name] = tensor.to(target[name].dtype)
    missing = sorted(n for n in target if n.startswith("backbone.") and n not in mapped)
    if missing:
        raise PretrainedWeightsFileError(
            f"the weights file lacks {len(missing)} tensor(s) of the network's backbone "
            f"(first: {missing[0]}); it was made for another network"
        )
    return MappedWeights(mapped, tuple(dropped), summed)


def _rgb_stem_on_grey(found: torch.Size, expected: torch.Size) -> bool:
    return len(found) >= 3 and found[1] == 3 and expected[1] == 1 and found[0] == expected[0] and (
        found[2:] == expected[2:]
    )


def _network(model: ZooModel) -> str:
    return type(model.backbone).__name__


def load_pretrained_network(model: ZooModel, path: Path) -> MappedWeights:
    """Copy the weights of ``path`` into ``model`` in place (backbone always; head and
    whitener when the file is in MedFed's own names)."""
    mapped = map_onto(model, read_weights_file(path))
    with torch.no_grad():
        state = model.state_dict()
        for name, tensor in mapped.tensors.items():
            state[name].copy_(tensor)
    return mapped
