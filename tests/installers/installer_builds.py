"""Build the installers through their Makefile targets and record size and build time.

The packaging tests call ``make`` exactly as an operator would, so a broken target fails
here. Each build's size and duration go to ``build/installers/artefacts.json`` for the
release notes.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist"
REPORT = REPO / "build" / "installers" / "artefacts.json"
# A cold PyInstaller build of the site app (torch, Qt) takes minutes on two cores.
BUILD_TIMEOUT_S = 1800.0
OUTPUT_TAIL_CHARS = 4000


@dataclass(frozen=True)
class Artefact:
    name: str
    path: str
    size_bytes: int
    build_seconds: float


def size_of(path: Path) -> int:
    """Bytes of a file, or of every file under a folder (symlinks not followed)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def run_make(target: str) -> float:
    """Run ``make <target>`` in the repository; returns its wall time in seconds."""
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}
    try:
        completed = subprocess.run(
            ["make", "--no-print-directory", target],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"'make {target}' took longer than {BUILD_TIMEOUT_S:.0f} s")
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr)[-OUTPUT_TAIL_CHARS:]
        pytest.fail(f"'make {target}' failed with exit code {completed.returncode}:\n{output}")
    return time.monotonic() - started


def record(artefact: Artefact) -> Artefact:
    """Merge one artefact's figures into :data:`REPORT`."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    figures = json.loads(REPORT.read_text(encoding="utf-8")) if REPORT.is_file() else {}
    figures[artefact.name] = asdict(artefact)
    REPORT.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return artefact


def build(target: str, name: str, result: Path) -> Artefact:
    """``make target`` and record what it wrote at ``result``."""
    seconds = run_make(target)
    if not result.exists():
        pytest.fail(f"'make {target}' succeeded but {result} does not exist")
    return record(Artefact(name, str(result), size_of(result), round(seconds, 1)))
