"""Model weights as plain numpy: what the federation encrypts, sums and ships.

The trainable state is every parameter with ``requires_grad`` (frozen backbone layers
are left out: they never change, so sending them would only cost bytes to encrypt).
The rest of the state (frozen parameters and the feature whitener's buffers) is
fixed by the app's shipped pretrained file; :func:`frozen_state_digest` names it, so a
federation can check that every site starts from the same one.
Flattening follows the module's parameter order, which is the same on every site that
builds the same model, and :func:`flatten` records that order in a :class:`WeightLayout`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file
from torch import nn

from siteapp.errors import UserFacingError

WeightDict = dict[str, np.ndarray]


class WeightsMismatchError(UserFacingError):
    """Weights do not fit the model (names or shapes differ)."""


class WeightsFileError(UserFacingError):
    """A weights file is missing or unreadable."""


def trainable_state(model: nn.Module) -> WeightDict:
    """Copies of the parameters that train, as float32 arrays keyed by parameter name."""
    return {
        name: p.detach().to("cpu", torch.float32).numpy().copy()
        for name, p in model.named_parameters()
        if p.requires_grad
    }


def update_length(model: nn.Module) -> int:
    """Values in one update of ``model``: its trainable parameters, the length a ckks or
    masking plan states so that the coordinator can check uploads it cannot read."""
    return sum(int(p.numel()) for p in model.parameters() if p.requires_grad)


def frozen_state_digest(model: nn.Module) -> str:
    """SHA-256 over the names, shapes and float32 bytes of every tensor of ``model``'s
    state that does not train: two sites whose models differ there would combine heads
    trained on different features, so a plan can pin this digest."""
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        if name in trainable:
            continue
        array = np.ascontiguousarray(tensor.detach().to("cpu", torch.float32).numpy())
        digest.update(f"{name}:{tuple(array.shape)};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def full_state(model: nn.Module) -> WeightDict:
    """Copies of every parameter and buffer (frozen ones included), for checkpoints."""
    return {
        name: t.detach().to("cpu", torch.float32).numpy().copy()
        for name, t in model.state_dict().items()
    }


def load_state(
    model: nn.Module, weights: Mapping[str, np.ndarray], *, strict: bool = False
) -> None:
    """Copy ``weights`` into ``model`` in place.

    With ``strict=False`` a subset may be given (the trainable part of a frozen-backbone
    model); every given name must exist with the same shape. ``strict=True`` also demands
    that every tensor of the model is given.
    """
    state = model.state_dict()
    unknown = sorted(set(weights) - set(state))
    if unknown:
        raise WeightsMismatchError(
            f"the weights name {len(unknown)} tensor(s) this model lacks (first: {unknown[0]}); "
            "they were made for another model or task"
        )
    if strict:
        missing = sorted(set(state) - set(weights))
        if missing:
            raise WeightsMismatchError(
                f"the weights lack {len(missing)} tensor(s) of this model (first: {missing[0]})"
            )
    with torch.no_grad():
        for name, array in weights.items():
            target = state[name]
            if tuple(target.shape) != tuple(array.shape):
                raise WeightsMismatchError(
                    f"tensor {name} has shape {tuple(array.shape)}, the model expects "
                    f"{tuple(target.shape)}; the weights were made for another model or task"
                )
            target.copy_(torch.from_numpy(np.asarray(array, dtype=np.float32)))


def subtract(local: Mapping[str, np.ndarray], base: Mapping[str, np.ndarray]) -> WeightDict:
    """``local - base`` for every tensor of ``local`` (the update a site uploads)."""
    return {name: (local[name] - base[name]).astype(np.float32) for name in local}


def add(base: Mapping[str, np.ndarray], update: Mapping[str, np.ndarray]) -> WeightDict:
    """``base + update`` for the tensors of ``update``; other tensors of ``base`` are kept."""
    out = {name: np.asarray(a, dtype=np.float32).copy() for name, a in base.items()}
    for name, delta in update.items():
        out[name] = (out[name] + delta).astype(np.float32)
    return out


@dataclass(frozen=True)
class WeightLayout:
    """Names and shapes, in order, of the tensors packed into one flat vector."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]

    @property
    def size(self) -> int:
        return int(sum(int(np.prod(s)) for s in self.shapes))

    @classmethod
    def of(cls, weights: Mapping[str, np.ndarray]) -> WeightLayout:
        return cls(tuple(weights), tuple(tuple(a.shape) for a in weights.values()))


def flatten(weights: Mapping[str, np.ndarray], layout: WeightLayout | None = None) -> np.ndarray:
    """Concatenate ``weights`` into one float32 vector, in ``layout`` order.

    Without a layout the dict's own order is used; dicts made by :func:`trainable_state`
    follow the model's parameter order, identical on every site.
    """
    layout = layout or WeightLayout.of(weights)
    if set(layout.names) != set(weights):
        raise WeightsMismatchError("the weights do not have the tensors this layout lists")
    if not layout.names:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(
        [np.asarray(weights[n], dtype=np.float32).reshape(-1) for n in layout.names]
    )


def unflatten(vector: np.ndarray, layout: WeightLayout) -> WeightDict:
    """Split a flat vector back into named tensors (inverse of :func:`flatten`)."""
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    if vector.size != layout.size:
        raise WeightsMismatchError(
            f"the vector holds {vector.size} values, the layout needs {layout.size}"
        )
    out: WeightDict = {}
    offset = 0
    for name, shape in zip(layout.names, layout.shapes, strict=True):
        count = int(np.prod(shape))
        out[name] = vector[offset : offset + count].reshape(shape).copy()
        offset += count
    return out


def save_weights(
    path: Path, weights: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None
) -> None:
    """Write a safetensors file atomically (a temporary file renamed into place), so a
    crash never leaves a half-written checkpoint behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tensors = {n: np.ascontiguousarray(a, dtype=np.float32) for n, a in weights.items()}
    save_file(tensors, str(tmp), metadata=dict(metadata or {}))
    tmp.replace(path)


def load_weights(path: Path) -> WeightDict:
    """Read a safetensors weights file."""
    path = Path(path)
    if not path.is_file():
        raise WeightsFileError(f"weights file {path} does not exist; check the path")
    try:
        return dict(load_file(str(path)))
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsFileError(
            f"weights file {path} is not a readable safetensors file ({exc}); "
            "export it again from the site that made it"
        ) from exc


def read_metadata(path: Path) -> dict[str, str]:
    """The string metadata stored in a safetensors header (model name, task, round...)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as handle:
            return dict(handle.metadata() or {})
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsFileError(
            f"weights file {path} is not a readable safetensors file ({exc})"
        ) from exc
