"""Choosing where training runs: CUDA, then Apple MPS, then the CPU."""

from __future__ import annotations

import torch

from siteapp.errors import UsageError
from siteapp.settings import DEVICE_CHOICES


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def resolve_device(requested: str = "auto") -> torch.device:
    """Turn ``auto|cpu|cuda|mps`` into a device that exists on this machine.

    ``auto`` prefers CUDA, then MPS, then the CPU. Asking for an accelerator that is not
    there is an error a person can fix, not a silent fallback, so reports never lie about
    where a model was trained.
    """
    requested = requested.lower()
    if requested not in DEVICE_CHOICES:
        raise UsageError(f"unknown device '{requested}'; use one of {', '.join(DEVICE_CHOICES)}")
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise UsageError("no CUDA GPU is available here; use --device auto or --device cpu")
    if requested == "mps" and not _mps_available():
        raise UsageError("Apple MPS is not available here; use --device auto or --device cpu")
    return torch.device(requested)


def describe_device(device: torch.device) -> str:
    """A short human label such as ``cuda (NVIDIA H100)`` or ``cpu``."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return device.type
