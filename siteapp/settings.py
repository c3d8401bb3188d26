"""Named defaults and limits for the site app, in one place.

Everything a test or an operator may want to change is a field here rather than a
literal in code. The GUI persists user choices with QSettings and passes them in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "MedFed"
APP_AUTHOR = "MedFed"


def default_data_dir() -> Path:
    """The platform's per-user data folder, overridable with ``MEDFED_DATA_DIR``."""
    env = os.environ.get("MEDFED_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


@dataclass(frozen=True)
class ImportLimits:
    """Limits of the DICOM importer."""

    max_zip_members: int = 200_000
    max_zip_member_bytes: int = 2 * 1024**3
    index_workers: int = max(1, min(8, (os.cpu_count() or 2)))
    batch_size: int = 256


@dataclass(frozen=True)
class PrivacyDefaults:
    """The site's default privacy cap; the privacy officer can change it."""

    cap_epsilon: float = 8.0
    # delta is at most 1 / (10 x patients); None means "derive from the patient count".
    cap_delta: float | None = None
    max_grad_norm: float = 1.0


@dataclass(frozen=True)
class NetworkDefaults:
    """Timeouts and retry policy for calls to the coordinator."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0
    max_retries: int = 8
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    # The hospital's HTTPS proxy ("http://proxy:3128"); None: HTTPS_PROXY/NO_PROXY from
    # the environment. The coordinator is verified against the kit's CA either way.
    https_proxy: str | None = None


# Where training may run; "auto" prefers CUDA, then Apple MPS, then the CPU. Kept here,
# free of torch, so command-line parsing and the GUI's settings need not import torch.
DEVICE_CHOICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
