"""The one pixel pipeline shared by the viewer, training and inference.

``read_frames`` decodes a file to modality units (Hounsfield units for CT) through
pydicom's pixel handlers; ``window`` maps those to [0, 1] for display and learning;
``preprocess`` adds resampling to the task's physical pixel size and matrix, so that a
model sees the same field of view whatever the scanner's spacing. Because the viewer
and the trainer call the same functions, what a radiologist checks is what the model
learns from.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from coordinator.statistics import scanner_key
from coordinator.task_definition import WINDOW_PRESETS as TASK_WINDOW_PRESETS
from coordinator.task_definition import PercentileScope
from siteapp.errors import UserFacingError

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from siteapp.tasks import TaskPreset

#: VOI window presets as (center, width) in modality units (HU for CT); the task files
#: name them, so they are defined with the task schema.
WINDOW_PRESETS = TASK_WINDOW_PRESETS
#: The presets that mean something per modality: Hounsfield windows only fit CT; other
#: modalities (MR, US, DX, MG...) have no calibrated units and use "auto" (percentiles).
PRESETS_BY_MODALITY: dict[str, tuple[str, ...]] = {"CT": tuple(WINDOW_PRESETS)}


def window_presets_for(modality: str) -> dict[str, tuple[float, float]]:
    """The named (centre, width) windows that fit ``modality`` (may be empty)."""
    names = PRESETS_BY_MODALITY.get(modality.upper(), ())
    return {name: WINDOW_PRESETS[name] for name in names}


#: The "auto" window spans these percentiles of the image (mammography, unknown units).
AUTO_WINDOW_PERCENTILES: tuple[float, float] = (1.0, 99.0)
#: ITU-R BT.601 luma weights for colour to grey.
RGB_TO_GREY = np.array([0.299, 0.587, 0.114], dtype=np.float32)


class PixelDecodeError(UserFacingError):
    """A file's pixel data cannot be decoded into an image.

    The message says why in words a person can act on; ``detail`` keeps the decoder's own
    text (for the log file, never for the screen).
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class Scanner(NamedTuple):
    """The modality and scanner model an image comes from (its intensity scale)."""

    modality: str
    manufacturer: str
    model: str

    @property
    def key(self) -> str:
        return scanner_key(self.modality, self.manufacturer, self.model)

    @classmethod
    def of(cls, ds: Dataset) -> Scanner:
        return cls(*(str(ds.get(tag, "") or "").strip()
                     for tag in ("Modality", "Manufacturer", "ManufacturerModelName")))


class MissingWindowError(UserFacingError):
    """The task windows with site or federation percentiles that are not resolved here."""


def decode_failure_reason(exc: BaseException) -> str:
    """Why a decoder failed, in words: too large, unsupported compression, or damaged."""
    text = f"{type(exc).__name__}: {exc}".lower()
    if "decompression bomb" in text or "decompressionbomb" in text:
        return ("the image is larger than this workstation accepts for a compressed image "
                "(a safety limit against malicious files)")
    if isinstance(exc, NotImplementedError) or "no decoder" in text or "plugin" in text \
            or "unable to decompress" in text or "missing required" in text:
        return "it is compressed in a format this workstation cannot decode"
    return "the file is damaged or incomplete"


def read_frames(path: Path) -> np.ndarray:
    """Decode ``path`` to float32 ``(frames, rows, cols)`` in modality units.

    Applies the Modality LUT (rescale slope/intercept or LUT sequence), inverts
    MONOCHROME1 so that bright always means dense, and converts colour to grey.
    """
    return _decode(path)[0]


def read_frames_and_scanner(path: Path) -> tuple[np.ndarray, Scanner]:
    """:func:`read_frames` and the scanner the image comes from (the statistics)."""
    frames, _, scanner = _decode(path)
    return frames, scanner


def read_display_frames(path: Path) -> np.ndarray:
    """What the viewer shows: :func:`read_frames`, except that colour stays colour.

    Grey images come back as ``(frames, rows, cols)`` in modality units; colour images
    (ultrasound, photographs, palette colour) as ``(frames, rows, cols, 3)`` RGB in 0-255.
    Training and inference never see this: they read :func:`read_frames`.
    """
    return _decode(path, keep_colour=True)[0]


def _decode(
    path: Path, keep_colour: bool = False
) -> tuple[np.ndarray, tuple[float, float] | None, Scanner]:
    """Frames in modality units, the (row, column) pixel spacing in mm if known, and
    the scanner."""
    import pydicom
    from pydicom.errors import InvalidDicomError
    from pydicom.pixels import apply_color_lut, apply_modality_lut

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path)
            raw = ds.pixel_array
            photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            samples = int(ds.get("SamplesPerPixel", 1) or 1)
            if photometric == "PALETTE COLOR":
                raw, samples = apply_color_lut(raw, ds), 3
            if samples == 1:
                arr = np.asarray(apply_modality_lut(raw, ds), dtype=np.float32)
            elif keep_colour:
                arr = np.asarray(raw, dtype=np.float32)
                if np.issubdtype(raw.dtype, np.integer) and raw.dtype.itemsize > 1:
                    arr *= 255.0 / float(np.iinfo(raw.dtype).max)  # 16-bit palettes
            else:
                arr = np.asarray(raw, dtype=np.float32) @ RGB_TO_GREY
    except FileNotFoundError as exc:
        raise PixelDecodeError(
            f"the image file {path} is gone; it was moved or deleted after import. "
            "Restore it or import the study again"
        ) from exc
    except (OSError, ValueError, RuntimeError, NotImplementedError, AttributeError,
            KeyError, TypeError, EOFError, InvalidDicomError) as exc:
        raise PixelDecodeError(
            f"cannot decode the pixels of {path}: {decode_failure_reason(exc)}",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
    if keep_colour and samples != 1:
        arr = arr.reshape((-1, *arr.shape[-3:]))  # (frames, rows, cols, 3)
    elif frames == 1 or arr.ndim == 2:
        arr = arr.reshape((-1, *arr.shape[-2:]))
    if photometric == "MONOCHROME1":
        arr = _invert(arr, ds)
    return np.ascontiguousarray(arr, dtype=np.float32), _spacing(ds), Scanner.of(ds)


def _spacing(ds: Dataset) -> tuple[float, float] | None:
    spacing = ds.get("PixelSpacing") or ds.get("ImagerPixelSpacing")
    try:
        return (float(spacing[0]), float(spacing[1])) if spacing else None
    except (TypeError, ValueError, IndexError):
        return None


def _invert(arr: np.ndarray, ds: Dataset) -> np.ndarray:
    """Invert MONOCHROME1 over the range the stored bits can represent."""
    bits = int(ds.get("BitsStored", 16) or 16)
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    return (low + high) * slope + 2 * intercept - arr


def window(
    arr: np.ndarray,
    preset_or_center_width: str | tuple[float, float] | tuple[str, float, float],
) -> np.ndarray:
    """Map modality values to [0, 1] with a named preset, ``"auto"``, (center, width) or
    ``("percentiles", low, high)``.

    The mapping is linear from ``center - width / 2`` (0) to ``center + width / 2`` (1),
    clipped outside. ``"auto"`` and percentiles use the image's own percentiles, for
    modalities without calibrated units such as radiographs and mammography.
    """
    spec = preset_or_center_width
    if spec == "auto" or (isinstance(spec, tuple) and len(spec) == 3):
        percentiles = AUTO_WINDOW_PERCENTILES if spec == "auto" else (float(spec[1]), float(spec[2]))
        low, high = np.percentile(arr, percentiles)
        center, width = (low + high) / 2.0, max(float(high - low), 1e-6)
    elif isinstance(spec, str):
        if spec not in WINDOW_PRESETS:
            known = ", ".join([*WINDOW_PRESETS, "auto"])
            raise ValueError(f"unknown window '{spec}' (known: {known})")
        center, width = WINDOW_PRESETS[spec]
    else:
        center, width = float(spec[0]), float(spec[1])
    out = (np.asarray(arr, dtype=np.float32) - (center - width / 2.0)) / width
    return np.clip(out, 0.0, 1.0).astype(np.float32, copy=False)


def resample(
    image: np.ndarray, spacing_mm: tuple[float, float] | None, target_mm: float, matrix: int
) -> np.ndarray:
    """Resample ``image`` onto a centred ``matrix``-square grid of ``target_mm`` pixels.

    Outside the source field of view the result is 0 (black after windowing). Without
    a known spacing, the image is scaled so its longer side fills the matrix.
    """
    rows, cols = image.shape
    if spacing_mm is None or min(spacing_mm) <= 0:
        scale = max(rows, cols) / matrix
        step_r = step_c = scale
    else:
        step_r, step_c = target_mm / spacing_mm[0], target_mm / spacing_mm[1]
    # Average whole blocks first when shrinking a lot, so small structures are not
    # lost between bilinear samples (anti-aliasing).
    factor_r, factor_c = max(1, int(step_r)), max(1, int(step_c))
    if factor_r > 1 or factor_c > 1:
        r2, c2 = rows // factor_r * factor_r, cols // factor_c * factor_c
        off_r, off_c = (rows - r2) // 2, (cols - c2) // 2
        block = image[off_r : off_r + r2, off_c : off_c + c2]
        image = block.reshape(r2 // factor_r, factor_r, c2 // factor_c, factor_c).mean(axis=(1, 3))
        step_r, step_c = step_r / factor_r, step_c / factor_c
        rows, cols = image.shape
    centre = (matrix - 1) / 2.0
    src_r = (rows - 1) / 2.0 + (np.arange(matrix) - centre) * step_r
    src_c = (cols - 1) / 2.0 + (np.arange(matrix) - centre) * step_c
    return _bilinear(image.astype(np.float32, copy=False), src_r, src_c)


def _bilinear(image: np.ndarray, src_r: np.ndarray, src_c: np.ndarray) -> np.ndarray:
    rows, cols = image.shape
    padded = np.pad(image, 1)  # a zero border gives 0 outside the field of view
    r = np.clip(src_r + 1, 0, rows + 1)
    c = np.clip(src_c + 1, 0, cols + 1)
    r0, c0 = np.floor(r).astype(int), np.floor(c).astype(int)
    r1, c1 = np.minimum(r0 + 1, rows + 1), np.minimum(c0 + 1, cols + 1)
    fr, fc = (r - r0)[:, None], (c - c0)[None, :]
    top = padded[np.ix_(r0, c0)] * (1 - fc) + padded[np.ix_(r0, c1)] * fc
    bottom = padded[np.ix_(r1, c0)] * (1 - fc) + padded[np.ix_(r1, c1)] * fc
    out = top * (1 - fr) + bottom * fr
    outside = (src_r[:, None] < -1) | (src_r[:, None] > rows) | (src_c[None, :] < -1) | (
        src_c[None, :] > cols
    )
    out[outside] = 0.0
    return out.astype(np.float32, copy=False)


def preprocess(path: Path, task: TaskPreset, frame: int = 0) -> np.ndarray:
    """The model input of one frame: windowed, resampled, ``(matrix, matrix)`` in [0, 1]."""
    frames, spacing, scanner = _decode(path)
    if not 0 <= frame < frames.shape[0]:
        raise PixelDecodeError(f"{path} has {frames.shape[0]} frames; frame {frame} does not exist")
    windowed = window(frames[frame], task_window(task, scanner))
    return resample(windowed, spacing, task.pixel_spacing_mm, task.matrix)


def task_window(
    task: TaskPreset, scanner: Scanner
) -> str | tuple[float, float] | tuple[str, float, float]:
    """The window ``task`` gives an image of ``scanner``: its own percentiles, a fixed
    window, or the site's or federation's percentiles of that scanner model (else of its
    modality) that ``siteapp.statistics.windows`` attached to the task."""
    scope = task.windowing.scope
    if scope is PercentileScope.IMAGE:
        return task.window
    windows = task.intensity_windows
    if windows is None:
        how = ("run 'medfed-site statistics' (the federation's statistics round) first"
               if scope is PercentileScope.FEDERATION else "compute the site's statistics first")
        raise MissingWindowError(
            f"task {task.name} windows images with the {scope}'s intensity percentiles, which "
            f"this site has not resolved yet; {how}"
        )
    found = windows.get(scanner.key) or windows.get(scanner.modality.upper())
    if found is None:
        raise MissingWindowError(
            f"the {scope}'s statistics hold no intensities of {scanner.modality} images from "
            f"'{scanner.manufacturer} {scanner.model}' (nor enough of the modality); run the "
            "statistics again once this scanner's images are imported and labelled"
        )
    low, high = found
    return ((low + high) / 2.0, max(high - low, 1e-6))
