"""The federation's task: what is learnt, from which images, into which classes.

A task file (JSON or TOML, ``docs/task-files.md``) is written by the federation's
operator, validated here when the federation is provisioned, and carried in the signed
plan, so every site trains, evaluates and checks its data against the same definition.
The coordinator needs nothing else from it; the site app reads every field.

Validation lists every problem at once (:func:`task_problems`): a person fixing a task
file should not have to run provisioning once per mistake.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

#: Named VOI windows as (centre, width) in modality units (HU for CT).
WINDOW_PRESETS: dict[str, tuple[float, float]] = {
    "lung": (-600.0, 1500.0),
    "mediastinum": (50.0, 350.0),
    "bone": (400.0, 1800.0),
    "brain": (40.0, 80.0),
    "soft_tissue": (40.0, 400.0),
}
#: DICOM modalities a task may train on (projection radiography is DX or CR).
MODALITIES = ("CT", "MR", "DX", "CR", "MG", "US", "PT", "NM", "XA", "RF", "OT")
#: Modalities whose pixel values are calibrated (a fixed window means the same tissue).
CALIBRATED_MODALITIES = frozenset({"CT"})
CROSS_SECTIONAL_MODALITIES = frozenset({"CT", "MR", "PT", "NM", "US"})
MAX_CLASSES = 9  # the Labels page gives each class one number key
_NAME = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
_CLASS = r"^[a-z0-9][a-z0-9_-]{0,39}$"


def resources_dir() -> Path:
    """The repository's ``resources/``; in a PyInstaller build, the bundle's copy of it."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


BUILTIN_TASKS_DIR = resources_dir() / "tasks"


class InputKind(StrEnum):
    """What one training example is."""

    IMAGE_2D = "2d_image"  # a projection image (radiograph, mammogram)
    SLICE_2D = "2d_slice"  # one slice of a cross-sectional series
    VOLUME_3D = "3d_volume"  # a whole series resampled to a volume


class TaskKind(StrEnum):
    """What a model learns from an image: one class for the whole image, or one region
    per pixel."""

    CLASSIFICATION = "classification"
    SEGMENTATION = "segmentation"


SEGMENTATION_MATRIX_MULTIPLE = 16
#: The class a segmentation task lists first: every pixel outside the named regions.
BACKGROUND = "background"


class InputGeometry(BaseModel):
    """The grid every image is resampled to, so a model sees a fixed physical field of
    view whatever the scanner's spacing. ``depth`` and ``slice_spacing_mm`` are the
    third axis of a 3D volume and must be absent otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: InputKind = InputKind.IMAGE_2D
    matrix: int = Field(ge=16, le=2048, description="pixels per side (square)")
    spacing_mm: float = Field(gt=0.0, le=20.0, description="in-plane pixel size in mm")
    depth: int | None = Field(default=None, ge=2, le=1024)
    slice_spacing_mm: float | None = Field(default=None, gt=0.0, le=20.0)

    def problems(self) -> list[str]:
        volume = self.kind is InputKind.VOLUME_3D
        if volume and (self.depth is None or self.slice_spacing_mm is None):
            return ["a 3d_volume input needs depth and slice_spacing_mm"]
        if not volume and (self.depth is not None or self.slice_spacing_mm is not None):
            return [f"depth and slice_spacing_mm only apply to a 3d_volume input, not {self.kind}"]
        return []

    def describe(self) -> str:
        text = f"{self.matrix} x {self.matrix} pixels of {self.spacing_mm:g} mm"
        if self.kind is InputKind.VOLUME_3D:
            text += f" x {self.depth} slices of {self.slice_spacing_mm:g} mm"
        return text


class PercentileScope(StrEnum):
    """Whose intensities a percentile window is read from.

    ``image``: each image's own; ``site``: all of this site's training images of the same
    modality and scanner model; ``federation``: the federation's secure, noised histograms
    of that modality and scanner model (``medfed-site statistics``), so every site maps
    the same scanner to the same scale."""

    IMAGE = "image"
    SITE = "site"
    FEDERATION = "federation"


class Windowing(BaseModel):
    """How modality values map to [0, 1]: exactly one of a named ``preset``, an explicit
    ``center``/``width``, or ``percentiles`` (of each image, or with ``scope`` of the
    site's or the federation's images of the same scanner model)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    preset: str | None = None
    center: float | None = None
    width: float | None = Field(default=None, gt=0.0)
    percentiles: tuple[float, float] | None = None
    scope: PercentileScope = PercentileScope.IMAGE

    def problems(self) -> list[str]:
        chosen = [self.preset is not None, self.center is not None or self.width is not None,
                  self.percentiles is not None]
        if sum(chosen) != 1:
            return ["windowing needs exactly one of: preset, center and width, percentiles"]
        if self.preset is not None and self.preset not in WINDOW_PRESETS:
            return [f"unknown window preset '{self.preset}' (known: {', '.join(WINDOW_PRESETS)})"]
        if chosen[1] and (self.center is None or self.width is None):
            return ["an explicit window needs both center and width"]
        if self.percentiles is not None:
            low, high = self.percentiles
            if not 0.0 <= low < high <= 100.0:
                return ["window percentiles must satisfy 0 <= low < high <= 100"]
        elif self.scope is not PercentileScope.IMAGE:
            return [f"a '{self.scope}' scope applies to percentiles only"]
        return []

    def argument(self) -> str | tuple[float, float] | tuple[str, float, float]:
        """What ``siteapp.dicom.pixels.window`` takes."""
        if self.preset is not None:
            return self.preset
        if self.percentiles is not None:
            return ("percentiles", *self.percentiles)
        return (float(self.center or 0.0), float(self.width or 1.0))

    def describe(self) -> str:
        if self.preset is not None:
            return f"{self.preset} window"
        if self.percentiles is not None:
            whose = {
                PercentileScope.IMAGE: "the image's",
                PercentileScope.SITE: "the site's (same scanner model)",
                PercentileScope.FEDERATION: "the federation's (same scanner model)",
            }[self.scope]
            return f"window from {whose} {self.percentiles[0]:g}-{self.percentiles[1]:g} percentiles"
        return f"window centre {self.center:g}, width {self.width:g}"


@dataclass(frozen=True)
class ImageAttributes:
    """What a series filter reads of one image, from the site's index (DICOM attributes
    of the image and its series; empty or None where the file has none)."""

    series_description: str = ""
    image_type: tuple[str, ...] = ()  # ImageType values: ORIGINAL, PRIMARY, AXIAL, LOCALIZER...
    view_position: str = ""  # ViewPosition: CC, MLO (mammography), PA, AP, LL (radiography)
    laterality: str = ""  # ImageLaterality, else the series' Laterality: L, R, B
    convolution_kernel: str = ""  # CT reconstruction kernel (ConvolutionKernel)
    slice_thickness_mm: float | None = None


def _casefolded(values: tuple[str, ...]) -> set[str]:
    return {v.strip().casefold() for v in values}


class SeriesFilter(BaseModel):
    """Which images of a study count. Every condition given must hold, each ignores case:

    - the series description contains any of ``series_description_contains`` (empty:
      any) and none of ``exclude_series_description``;
    - the image type holds every value of ``image_type_includes`` and none of
      ``exclude_image_type`` (``["LOCALIZER"]`` leaves out scout views, ``["DERIVED"]``
      reformats and MIPs);
    - the view position is one of ``view_positions`` (mammography ``CC``/``MLO``, chest
      ``PA``/``AP``); the laterality is one of ``lateralities`` (``L``, ``R``, ``B``);
    - the CT reconstruction kernel contains any of ``convolution_kernel_contains``;
    - the slice thickness lies in ``slice_thickness_mm`` (low, high), both inclusive.

    An image without the attribute a condition reads fails that condition. A patient none
    of whose images pass is not used.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    series_description_contains: tuple[str, ...] = ()
    exclude_series_description: tuple[str, ...] = ()
    image_type_includes: tuple[str, ...] = ()
    exclude_image_type: tuple[str, ...] = ()
    view_positions: tuple[str, ...] = ()
    lateralities: tuple[str, ...] = ()
    convolution_kernel_contains: tuple[str, ...] = ()
    slice_thickness_mm: tuple[float, float] | None = None

    @field_validator("slice_thickness_mm")
    @classmethod
    def _thickness_range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not 0.0 <= value[0] <= value[1]:
            raise ValueError("slice_thickness_mm is [low, high] in mm with 0 <= low <= high")
        return value

    def accepts_description(self, description: str) -> bool:
        """Whether a series with this description may count (the conditions on the
        description only; the others are per image)."""
        text = description.casefold()
        if self.series_description_contains and not any(
            w.casefold() in text for w in self.series_description_contains
        ):
            return False
        return not any(x.casefold() in text for x in self.exclude_series_description)

    def accepts(self, image: ImageAttributes) -> bool:
        """Whether ``image`` counts."""
        if not self.accepts_description(image.series_description):
            return False
        types = _casefolded(image.image_type)
        if not _casefolded(self.image_type_includes) <= types:
            return False
        if _casefolded(self.exclude_image_type) & types:
            return False
        if self.view_positions and image.view_position.strip().casefold() not in _casefolded(
            self.view_positions
        ):
            return False
        if self.lateralities and image.laterality.strip().casefold() not in _casefolded(
            self.lateralities
        ):
            return False
        kernel = image.convolution_kernel.casefold()
        if self.convolution_kernel_contains and not any(
            k.casefold() in kernel for k in self.convolution_kernel_contains
        ):
            return False
        if self.slice_thickness_mm is not None:
            low, high = self.slice_thickness_mm
            thickness = image.slice_thickness_mm
            if thickness is None or not low <= thickness <= high:
                return False
        return True

    def describe(self) -> str:
        parts = []
        if self.series_description_contains:
            parts.append("series described as " + " or ".join(self.series_description_contains))
        if self.exclude_series_description:
            parts.append("no " + " or ".join(self.exclude_series_description) + " series")
        if self.image_type_includes:
            parts.append("image type " + " and ".join(self.image_type_includes))
        if self.exclude_image_type:
            parts.append("no " + " or ".join(self.exclude_image_type) + " images")
        if self.view_positions:
            parts.append(" or ".join(self.view_positions) + " views")
        if self.lateralities:
            parts.append("laterality " + " or ".join(self.lateralities))
        if self.convolution_kernel_contains:
            parts.append("kernel " + " or ".join(self.convolution_kernel_contains))
        if self.slice_thickness_mm is not None:
            parts.append("slices of {:g}-{:g} mm".format(*self.slice_thickness_mm))
        return ", ".join(parts) or "every series"


class TaskDefinition(BaseModel):
    """One task, as the plan carries it: single-label classification of an image, or
    segmentation of its pixels into regions (``kind``). A segmentation task's
    ``classes`` are ``background`` followed by the regions' names, which are the segment
    labels of the site's masks (DICOM SEG or RTSTRUCT)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: TaskKind = TaskKind.CLASSIFICATION
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    modality: tuple[str, ...] = Field(min_length=1)
    body_part: str = Field(min_length=1, max_length=32)
    input: InputGeometry
    # A smaller grid the demo and the test suite may train at to fit a laptop CPU; a
    # federation trains at ``input``. A task reduced to it records ``reduced_from``.
    demo_input: InputGeometry | None = None
    reduced_from: InputGeometry | None = None
    windowing: Windowing
    channels: int = Field(default=1, ge=1, le=3)
    classes: tuple[str, ...]
    positive_class: str | None = None
    series_filter: SeriesFilter = Field(default_factory=SeriesFilter)
    default_model: str = Field(default="compact_cnn", min_length=1)
    # A weights file under resources/ pretrained on PUBLIC data, and whether DP training
    # keeps its backbone frozen.
    pretrained_weights: str | None = None
    freeze_backbone: bool = False
    # The (low, high) windows a site resolved for a 'site' or 'federation' percentile
    # scope, by scanner key or modality (``siteapp.statistics.windows``); never part of
    # the task file or the plan. A checkpoint pins the federation's windows it was
    # trained with (``siteapp.training.checkpoints``).
    _intensity_windows: dict[str, tuple[float, float]] | None = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _file_name_safe(cls, value: str) -> str:
        if not re.match(_NAME, value):
            raise ValueError(
                f"'{value}' is not a task name: use lower-case letters, digits, '.', '_' or '-' "
                "(at most 64, starting with a letter or digit), e.g. chest-xray"
            )
        return value

    @field_validator("modality", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("modality")
    @classmethod
    def _known_modalities(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [m for m in value if m not in MODALITIES]
        if unknown:
            raise ValueError(f"unknown modality {', '.join(unknown)} (known: {', '.join(MODALITIES)})")
        return value

    @field_validator("body_part")
    @classmethod
    def _upper_body_part(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("windowing", mode="before")
    @classmethod
    def _preset_shorthand(cls, value: Any) -> Any:
        return {"preset": value} if isinstance(value, str) else value

    @field_validator("classes")
    @classmethod
    def _class_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        problems = []
        if not 2 <= len(value) <= MAX_CLASSES:
            problems.append(f"a task needs 2 to {MAX_CLASSES} classes, this one has {len(value)}")
        bad = [c for c in value if not re.match(_CLASS, c)]
        if bad:
            problems.append(
                f"class names {', '.join(repr(c) for c in bad)} must be lower-case letters, "
                "digits, '_' or '-'"
            )
        duplicates = sorted({c for c in value if value.count(c) > 1})
        if duplicates:
            problems.append(f"classes are listed twice: {', '.join(duplicates)}")
        if problems:
            raise ValueError("\n".join(problems))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TaskDefinition:
        problems = self.cross_field_problems()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def cross_field_problems(self) -> list[str]:
        """Problems between fields (each field being valid on its own)."""
        return _cross_field_problems(dict(self))

    # --- what the site app reads ---------------------------------------------------------

    @property
    def matrix(self) -> int:
        return self.input.matrix

    @property
    def pixel_spacing_mm(self) -> float:
        return self.input.spacing_mm

    @property
    def window(self) -> str | tuple[float, float] | tuple[str, float, float]:
        return self.windowing.argument()

    @property
    def intensity_windows(self) -> Mapping[str, tuple[float, float]] | None:
        return self._intensity_windows

    def with_intensity_windows(self, windows: Mapping[str, tuple[float, float]]) -> TaskDefinition:
        """A copy that windows each image with ``windows`` (by scanner key, else modality)."""
        copy = self.model_copy()
        copy._intensity_windows = {key: (float(low), float(high)) for key, (low, high) in windows.items()}
        return copy

    @property
    def pixel_settings(self) -> tuple[object, ...]:
        """Every task setting that changes a preprocessed image (the cache's key)."""
        windows = tuple(sorted((self._intensity_windows or {}).items()))
        return (self.matrix, self.pixel_spacing_mm, self.window, self.windowing.scope.value, windows)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def is_binary(self) -> bool:
        return len(self.classes) == 2

    @property
    def is_segmentation(self) -> bool:
        return self.kind is TaskKind.SEGMENTATION

    @property
    def regions(self) -> tuple[str, ...]:
        """A segmentation task's regions (its classes after ``background``)."""
        return self.classes[1:] if self.is_segmentation else ()

    def class_index(self, label: str) -> int:
        return self.classes.index(label)

    def at_demo_resolution(self) -> TaskDefinition:
        """The task at its ``demo_input`` grid (itself when it has none); the copy records
        the grid the task file asks for in ``reduced_from``, so nobody mistakes a demo
        model for one trained at full resolution."""
        if self.demo_input is None:
            return self
        return self.model_copy(update={
            "input": self.demo_input, "demo_input": None, "reduced_from": self.input,
        })

    def describe(self) -> str:
        """The task in words, for the Federation page and the CLI."""
        classes = "Classes: " + ", ".join(self.classes)
        if self.is_segmentation:
            classes = f"Regions outlined pixel by pixel: {', '.join(self.regions)}"
        text = (
            f"{self.title}: {self.description} Learnt from {'/'.join(self.modality)} images of "
            f"the {self.body_part.lower()} ({self.series_filter.describe()}), "
            f"{self.input.kind.value.replace('_', ' ')} resampled to {self.input.describe()}, "
            f"{self.windowing.describe()}. {classes}"
        )
        if self.positive_class is not None:
            text += f" (positive: {self.positive_class})"
        if self.reduced_from is not None:
            text += (
                f". Reduced to a demo working resolution; the task file asks for "
                f"{self.reduced_from.describe()}"
            )
        return text + "."


def _cross_field_problems(parts: Mapping[str, Any]) -> list[str]:
    """Problems between the fields present in ``parts`` (each valid on its own); a check
    whose fields are missing is skipped, their own problem is reported already."""
    problems: list[str] = []
    geometry, demo = parts.get("input"), parts.get("demo_input")
    windowing, modality = parts.get("windowing"), parts.get("modality")
    classes, positive = parts.get("classes"), parts.get("positive_class")
    kind = parts.get("kind", TaskKind.CLASSIFICATION)
    if kind is TaskKind.SEGMENTATION:
        problems += _segmentation_problems(classes, positive, geometry)
        classes = positive = None  # the classification rules below do not apply
    if geometry is not None:
        problems += [f"input: {p}" for p in geometry.problems()]
    if demo is not None:
        problems += [f"demo_input: {p}" for p in demo.problems()]
        if geometry is not None and demo.kind is not geometry.kind:
            problems.append("demo_input must be the same kind of input as input")
    if windowing is not None:
        problems += [f"windowing: {p}" for p in windowing.problems()]
    if classes is not None and len(classes) == 2 and positive is None:
        problems.append("a binary task names its positive_class (one of its two classes)")
    if classes is not None and positive is not None and positive not in classes:
        problems.append(
            f"positive_class '{positive}' is not one of the classes ({', '.join(classes)})"
        )
    if modality is not None and windowing is not None and windowing.preset is not None and (
        not set(modality) <= CALIBRATED_MODALITIES
    ):
        problems.append(
            f"a named window ({windowing.preset}) needs calibrated values (CT); for "
            f"{'/'.join(modality)} use percentiles or an explicit center and width"
        )
    if modality is not None and geometry is not None and geometry.kind is not InputKind.IMAGE_2D and (
        not set(modality) & CROSS_SECTIONAL_MODALITIES
    ):
        problems.append(f"{'/'.join(modality)} images are projections: use input kind 2d_image")
    return problems


def _segmentation_problems(
    classes: tuple[str, ...] | None, positive: str | None, geometry: InputGeometry | None
) -> list[str]:
    problems = []
    if classes is not None and classes[:1] != (BACKGROUND,):
        problems.append(
            f"a segmentation task lists '{BACKGROUND}' first in classes, then its regions "
            "(the segment labels of the masks)"
        )
    if positive is not None:
        problems.append("a segmentation task has no positive_class (Dice is per region)")
    if geometry is not None and geometry.kind is InputKind.VOLUME_3D:
        problems.append("segmentation trains on 2d_slice or 2d_image inputs, not 3d_volume")
    if geometry is not None and geometry.matrix % SEGMENTATION_MATRIX_MULTIPLE:
        problems.append(
            f"a segmentation input's matrix must be a multiple of {SEGMENTATION_MATRIX_MULTIPLE} "
            f"(the U-Net halves it four times), not {geometry.matrix}"
        )
    return problems


def _valid_fields(raw: Mapping[str, Any], failed: set[str]) -> dict[str, Any]:
    """The fields the cross-field checks read, parsed, leaving out the ``failed`` ones."""
    parsers: dict[str, Any] = {
        "input": InputGeometry.model_validate,
        "demo_input": InputGeometry.model_validate,
        "windowing": lambda v: Windowing.model_validate(TaskDefinition._preset_shorthand(v)),
        "modality": lambda v: TaskDefinition._one_or_many(v),
        "classes": tuple,
        "positive_class": str,
        "kind": TaskKind,
    }
    parsed: dict[str, Any] = {}
    for name, parse in parsers.items():
        if name in raw and name not in failed and raw[name] is not None:
            try:
                parsed[name] = parse(raw[name])
            except (ValidationError, TypeError, ValueError):
                continue
    return parsed


class TaskFileError(ValueError):
    """A task file is unreadable or invalid; the message lists every problem. (Not a
    ``CoordinatorError``: the plan schema needs this module, and the errors module needs
    the schema; both CLIs print it as one and exit 2.)"""

    exit_code = 2

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"the task file {source} is not valid ({len(problems)} problems):\n{listed}")


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        for part in message.split("\n"):
            problems.append(f"{where}: {part}" if where else part)
    return problems


def task_problems(raw: object) -> list[str]:
    """Every problem of a task file's content (empty when it is valid).

    Field problems come from the schema; problems between fields are checked on the
    fields that are valid on their own, so one typo does not hide the others.
    """
    if not isinstance(raw, Mapping):
        return ["a task file holds one object (a JSON object or a TOML table)"]
    try:
        TaskDefinition.model_validate(raw)
        return []
    except ValidationError as exc:
        problems = _pydantic_problems(exc)
        failed = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    # The model's own cross-field check did not run: run it on the valid fields.
    cross = [p for p in _cross_field_problems(_valid_fields(raw, failed)) if p not in problems]
    return problems + cross


def parse_task(raw: object, source: str = "<task>") -> TaskDefinition:
    """A valid :class:`TaskDefinition`, or :class:`TaskFileError` listing every problem."""
    problems = task_problems(raw)
    if problems:
        raise TaskFileError(source, problems)
    return TaskDefinition.model_validate(raw)


def read_task_file(path: Path) -> TaskDefinition:
    """Read a ``.json`` or ``.toml`` task file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskFileError(str(path), [f"cannot read it: {exc}"]) from exc
    try:
        raw = tomllib.loads(text) if Path(path).suffix.lower() == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TaskFileError(str(path), [f"not valid {Path(path).suffix.lstrip('.').upper() or 'JSON'}: {exc}"]) from exc
    return parse_task(raw, str(path))


def builtin_task_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_TASKS_DIR.glob("*.json"))


@cache
def builtin_task(name: str) -> TaskDefinition:
    """A task shipped in ``resources/tasks/``; :class:`TaskFileError` when unknown."""
    path = BUILTIN_TASKS_DIR / f"{name}.json"
    if not re.match(_NAME, name) or not path.is_file():
        known = ", ".join(builtin_task_names()) or "none"
        raise TaskFileError(f"'{name}'", [f"no built-in task of that name (built-in tasks: {known})"])
    return read_task_file(path)
