"""Task presets: what a federation trains (modality, input size, classes, windowing).

A preset lives in ``resources/presets/<name>.json`` so that the site app, the coordinator's
plan and the tests all read the same definition.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path


def _resources_dir() -> Path:
    """The repository's ``resources/``; in a PyInstaller build, the bundle's copy of it."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


RESOURCES_DIR = _resources_dir()
PRESETS_DIR = RESOURCES_DIR / "presets"


class UnknownTaskError(ValueError):
    """The task name does not match any preset shipped with MedFed."""


@dataclass(frozen=True)
class TaskPreset:
    """One classification task.

    ``matrix`` and ``pixel_spacing_mm`` define the resampled input image: the pixel
    pipeline resamples every instance to this grid so models see a fixed physical field
    of view whatever the scanner's spacing. ``window`` names a VOI preset from
    ``siteapp.dicom.pixels`` (``auto`` for mammography).
    """

    name: str
    title: str
    modality: str
    classes: tuple[str, ...]
    positive_class: str
    matrix: int
    pixel_spacing_mm: float
    window: str
    channels: int = 1
    default_model: str = "compact_cnn"
    description: str = ""
    # Transfer learning: a weights file under resources/ pretrained on PUBLIC data
    # (siteapp.training.pretrain) and whether DP training keeps its backbone frozen.
    pretrained_weights: str | None = None
    freeze_backbone: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def class_index(self, label: str) -> int:
        return self.classes.index(label)


@cache
def load_task(name: str) -> TaskPreset:
    """Load a preset by name; raises :class:`UnknownTaskError` with the known names."""
    path = PRESETS_DIR / f"{name}.json"
    if not path.is_file():
        known = ", ".join(available_tasks()) or "none"
        raise UnknownTaskError(f"unknown task '{name}' (known tasks: {known})")
    raw = json.loads(path.read_text(encoding="utf-8"))
    known_fields = {
        "name", "title", "modality", "classes", "positive_class", "matrix",
        "pixel_spacing_mm", "window", "channels", "default_model", "description",
        "pretrained_weights", "freeze_backbone",
    }
    extra = {k: v for k, v in raw.items() if k not in known_fields}
    return TaskPreset(
        name=raw["name"],
        title=raw["title"],
        modality=raw["modality"],
        classes=tuple(raw["classes"]),
        positive_class=raw["positive_class"],
        matrix=int(raw["matrix"]),
        pixel_spacing_mm=float(raw["pixel_spacing_mm"]),
        window=raw["window"],
        channels=int(raw.get("channels", 1)),
        default_model=raw.get("default_model", "compact_cnn"),
        description=raw.get("description", ""),
        pretrained_weights=raw.get("pretrained_weights"),
        freeze_backbone=bool(raw.get("freeze_backbone", False)),
        extra=extra,
    )


def available_tasks() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.json"))
