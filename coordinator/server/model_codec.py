"""Plaintext model and update blobs: safetensors files of numpy arrays.

The initial model fixes the layout (parameter names, dtypes, shapes); every update must
match it exactly and be finite. Tensors are read one at a time so checking an upload
costs one tensor of memory beyond the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save

from coordinator.errors import UpdateRejectedError

FLOAT_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64}
# A site clips in float64 and sends float32: allow that rounding above the clip norm.
CLIP_NORM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


def layout_to_json(layout: list[TensorSpec]) -> bytes:
    return json.dumps([[t.name, t.dtype, list(t.shape)] for t in layout]).encode()


def layout_from_json(data: bytes) -> list[TensorSpec]:
    return [TensorSpec(n, d, tuple(s)) for n, d, s in json.loads(data)]


def read_layout(path: Path, what: str) -> list[TensorSpec]:
    """The tensors of a safetensors file; refuses unreadable files and non-float tensors."""
    try:
        with safe_open(str(path), framework="np") as f:
            specs = []
            for name in f.keys():  # noqa: SIM118 - safe_open is not a mapping
                sl = f.get_slice(name)
                specs.append(TensorSpec(name, sl.get_dtype(), tuple(sl.get_shape())))
    except (SafetensorError, OSError, ValueError) as exc:
        raise UpdateRejectedError(
            f"the {what} is not a readable safetensors file ({exc}); upload the file the site app wrote"
        ) from exc
    if not specs:
        raise UpdateRejectedError(f"the {what} holds no tensors")
    for spec in specs:
        if spec.dtype not in FLOAT_DTYPES:
            raise UpdateRejectedError(
                f"tensor '{spec.name}' of the {what} has dtype {spec.dtype}; only floating-point "
                "trainable parameters may be sent"
            )
    return specs


def iter_tensors(path: Path, layout: list[TensorSpec]) -> list[np.ndarray]:
    """Load the tensors of ``path`` in layout order (one model's worth of memory)."""
    with safe_open(str(path), framework="np") as f:
        return [f.get_tensor(spec.name) for spec in layout]


def validate_update(
    path: Path, layout: list[TensorSpec], max_norm: float | None = None, what: str = "update"
) -> None:
    """Refuse an update (or the initial model) whose names, dtypes or shapes differ from
    the model, with NaN/Inf, or (when the plan sets a client clip norm) with an L2 norm
    above it: honest sites clip before sending, so a larger update comes from a site that
    skipped its clipping."""
    found = read_layout(path, what)
    if found != layout:
        expected = {t.name: t for t in layout}
        for spec in found:
            ref = expected.get(spec.name)
            if ref is None:
                raise UpdateRejectedError(f"the {what} has a tensor '{spec.name}' the model does not have")
            if ref != spec:
                raise UpdateRejectedError(
                    f"tensor '{spec.name}' is {spec.dtype}{list(spec.shape)} but the model has "
                    f"{ref.dtype}{list(ref.shape)}; the site trained a different model than the plan's"
                )
        missing = sorted(set(expected) - {s.name for s in found})
        raise UpdateRejectedError(f"the {what} lacks tensors {', '.join(missing)}")
    squares = 0.0
    with safe_open(str(path), framework="np") as f:
        for spec in layout:
            tensor = f.get_tensor(spec.name)
            if not np.isfinite(tensor).all():
                raise UpdateRejectedError(
                    f"tensor '{spec.name}' of the {what} contains NaN or Inf; the site's training "
                    "diverged, lower its learning rate and retry"
                )
            squares += float(np.sum(np.square(tensor, dtype=np.float64)))
    norm = squares**0.5
    if max_norm is not None and norm > max_norm * (1 + CLIP_NORM_TOLERANCE):
        raise UpdateRejectedError(
            f"the update's L2 norm is {norm:.4g}, above the plan's client clip norm {max_norm:g}; "
            "every site must clip its update before sending it (the site app does)"
        )


def encode(layout: list[TensorSpec], arrays: list[np.ndarray]) -> bytes:
    """Serialise arrays in layout order, cast to the layout's dtypes."""
    return save(
        {
            spec.name: np.ascontiguousarray(a, dtype=FLOAT_DTYPES[spec.dtype])
            for spec, a in zip(layout, arrays, strict=True)
        }
    )
