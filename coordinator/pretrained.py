"""The operator's pretrained weights file: described in the plan, kept in the coordinator's
kit, served to the sites as bytes.

The coordinator never parses the file (it has no torch): it pins the file's SHA-256 and
size in the plan at provisioning, refuses to serve a kit whose copy differs, and streams
it. Each site checks the same digest before loading it
(``siteapp.training.pretrained_weights``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from coordinator.errors import KitError, PlanError
from coordinator.protocol import FederationPlan, PretrainedWeights

# Where the coordinator's kit keeps the file.
PRETRAINED_FILE = "pretrained-weights.bin"
_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def describe_weights_file(path: Path, frozen_stages: int) -> PretrainedWeights:
    """The plan's description of ``path``; raises :class:`PlanError` if it is unreadable."""
    try:
        size = path.stat().st_size
        sha = file_sha256(path)
    except OSError as exc:
        raise PlanError(f"cannot read the pretrained weights file {path}: {exc.strerror}") from exc
    return PretrainedWeights(sha256=sha, size_bytes=size, frozen_stages=frozen_stages)


def store_in_kit(source: Path, coordinator_dir: Path, plan: FederationPlan) -> Path:
    """Copy the weights file the plan describes into the coordinator's kit."""
    assert plan.pretrained is not None
    target = coordinator_dir / PRETRAINED_FILE
    shutil.copyfile(source, target)
    if file_sha256(target) != plan.pretrained.sha256:
        raise PlanError(f"{source} changed while it was being copied; provision again")
    return target


def kit_weights_file(coordinator_dir: Path, plan: FederationPlan) -> Path | None:
    """The kit's verified copy of the plan's weights file (None when the plan has none);
    raises :class:`KitError` when it is missing or differs from what the plan pins."""
    if plan.pretrained is None:
        return None
    path = coordinator_dir / PRETRAINED_FILE
    if not path.is_file():
        raise KitError(
            f"the plan names pretrained weights but {path} is missing; copy the file that "
            "was given to 'provision --pretrained-weights' there"
        )
    if path.stat().st_size != plan.pretrained.size_bytes or file_sha256(path) != plan.pretrained.sha256:
        raise KitError(
            f"{path} is not the pretrained weights file the plan pins (SHA-256 "
            f"{plan.pretrained.sha256[:12]}...); restore the original file"
        )
    return path
