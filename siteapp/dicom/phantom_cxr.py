"""Chest radiograph phantoms: frontal DX/CR images labelled normal, nodule or consolidation.

Each image is an attenuation map projected the way a radiograph looks (bright is
dense): a torso with soft tissue, two lung fields, the heart and mediastinum, the
diaphragm domes, clavicles and ribs crossing the lungs, vascular markings, then at most
one finding: a round **nodule** (8-18 mm, which ribs and vessel crossings mimic) or a
patchy **consolidation** (an ill-defined opacity of several centimetres in a lower or
middle zone). Sites differ as hospitals do: DX or CR, detector pixel size and bit
depth, MONOCHROME1 or MONOCHROME2, exposure, noise, sharpness and class balance
(:data:`CXR_PROFILES`). Some patients also have a lateral view, which the chest X-ray
task's series filter leaves out. Everything is seeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset

# --- difficulty knobs --------------------------------------------------------------------
CXR_FIELD_MM = 420.0  # the detector's side
NODULE_RADIUS_MM = (7.0, 13.0)
NODULE_CONTRAST = (0.18, 0.30)  # attenuation added (a lung field is about 0.2)
CONSOLIDATION_RADIUS_MM = (28.0, 55.0)
CONSOLIDATION_CONTRAST = (0.30, 0.45)
VESSEL_BLOBS = (4, 10)  # end-on vessels: small round densities that mimic a nodule
RIB_PAIRS = 9
LATERAL_FRACTION = 0.3  # patients who also have a lateral view (filtered out by the task)

DX_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
CR_STORAGE = "1.2.840.10008.5.1.4.1.1.1"  # Computed Radiography Image Storage


@dataclass(frozen=True)
class RadiographProfile:
    """How one phantom hospital's radiography room and population differ."""

    manufacturer: str
    model: str
    modality: str  # DX or CR
    pixel_spacing_mm: float
    bits: int
    monochrome1: bool
    noise: float  # standard deviation, as a fraction of the signal range
    blur_mm: float
    exposure: float  # gain of the detector response (over/under-exposed sites)
    class_fractions: tuple[float, float, float]  # normal, nodule, consolidation
    size_fraction: float = 1.0


CXR_PROFILES: tuple[RadiographProfile, ...] = (
    RadiographProfile("Carestream Health", "DRX-Evolution", "DX", 2.6, 12, False, 0.012, 1.0,
                      1.0, (0.4, 0.3, 0.3)),
    RadiographProfile("FUJIFILM Corporation", "FCR PROFECT CS", "CR", 2.9, 10, True, 0.022, 1.8,
                      0.85, (0.5, 0.25, 0.25)),
    RadiographProfile("Philips Medical Systems", "DigitalDiagnost C90", "DX", 3.2, 14, True, 0.03,
                      2.2, 1.15, (0.5, 0.3, 0.2), 0.5),
)
# The public pretraining cohort's room: none of the sites has it.
PUBLIC_CXR_PROFILE = RadiographProfile(
    "MedFed public reference", "Reference radiography phantom", "DX", 2.8, 12, False, 0.018,
    1.4, 1.0, (1 / 3, 1 / 3, 1 / 3),
)
CLASS_NAMES = ("normal", "nodule", "consolidation")


def site_classes(rng: np.random.Generator, count: int, fractions: tuple[float, ...]) -> list[int]:
    """``count`` class indices in the profile's proportions (each class at least once)."""
    counts = [max(1, round(count * f)) for f in fractions]
    counts[0] = max(1, count - sum(counts[1:]))
    labels = [k for k, n in enumerate(counts) for _ in range(n)][:count]
    rng.shuffle(labels)
    return labels


@dataclass(frozen=True)
class Anatomy:
    """One patient's body, fixed across their views."""

    width_mm: float
    lung_height_mm: float
    heart_width_mm: float
    dome_mm: float
    rib_phase: float
    blobs: tuple[tuple[float, float, float], ...]  # (x, y, radius) in mm


def patient_anatomy(rng: np.random.Generator) -> Anatomy:
    blobs = tuple(
        (rng.uniform(-150, 150), rng.uniform(-120, 90), rng.uniform(2.5, 5.5))
        for _ in range(rng.integers(VESSEL_BLOBS[0], VESSEL_BLOBS[1] + 1))
    )
    return Anatomy(rng.uniform(300, 360), rng.uniform(220, 270), rng.uniform(120, 160),
                    rng.uniform(15, 30), rng.uniform(0, 1), blobs)


def patient_finding(rng: np.random.Generator, label: int) -> tuple[float, float, float, float] | None:
    """(x, y, radius, contrast) in mm of the patient's finding, inside a lung field."""
    if label == 0:
        return None
    side = rng.choice([-1.0, 1.0])
    if label == 1:
        return (side * rng.uniform(50, 130), rng.uniform(-110, 60),
                rng.uniform(*NODULE_RADIUS_MM), rng.uniform(*NODULE_CONTRAST))
    return (side * rng.uniform(60, 110), rng.uniform(-20, 70),
            rng.uniform(*CONSOLIDATION_RADIUS_MM), rng.uniform(*CONSOLIDATION_CONTRAST))


def frontal_attenuation(
    rng: np.random.Generator, anatomy: Anatomy, label: int,
    finding: tuple[float, float, float, float] | None, spacing: float, smooth_noise,
) -> np.ndarray:
    """The frontal projection in [0, 1] (1: densest), on a square detector grid."""
    n = round(CXR_FIELD_MM / spacing)
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    x, y = (xx - n / 2) * spacing, (yy - n / 2) * spacing  # mm; y grows downwards
    half = anatomy.width_mm / 2
    torso = (x / half) ** 2 + ((y - 20) / 260) ** 2 <= 1
    image = 0.05 + 0.45 * torso * np.sqrt(np.clip(1 - (x / half) ** 2, 0, 1))
    lungs = np.zeros_like(image, dtype=bool)
    top, height = -150.0, anatomy.lung_height_mm
    for side in (-1, 1):
        cx = side * half * 0.45
        ax = half * 0.36
        inside = ((x - cx) / ax) ** 2 + ((y - (top + height / 2)) / (height / 2)) ** 2 <= 1
        lungs |= inside
    dome = top + height - anatomy.dome_mm * np.cos(np.clip(x / half, -1, 1) * np.pi / 2)
    lungs &= y < dome  # the diaphragm cuts the lung bases
    below = torso & (y >= dome)
    image = np.where(lungs, image - 0.28, image)
    image = np.where(below, image + 0.18, image)
    # heart and mediastinum: a central band and a bulge to the patient's left (image right)
    mediastinum = (np.abs(x) < 38) & (y > top - 30) & (y < dome)
    heart = (((x - 25) / (anatomy.heart_width_mm / 2)) ** 2 + ((y - (top + height * 0.72)) / 70) ** 2 <= 1)
    image = np.where(mediastinum | heart, np.maximum(image, 0.62), image)
    lungs &= ~(mediastinum | heart)
    # vascular markings fading towards the periphery, and end-on vessels
    texture = smooth_noise(rng, n, 2.5 / spacing * 3) * 0.03
    image = image + lungs * (texture + 0.06 * np.exp(-np.abs(x) / 90))
    for bx, by, br in anatomy.blobs:
        image = image + lungs * 0.11 * ((x - bx) ** 2 + (y - by) ** 2 <= br**2)
    # ribs: posterior arcs across both lungs, clavicles at the top
    for k in range(RIB_PAIRS):
        level = top - 10 + (k + anatomy.rib_phase) * height / RIB_PAIRS
        arc = level + 0.0022 * x**2
        image = image + 0.06 * torso * (np.abs(y - arc) < 5.5) * (np.abs(x) > 25)
    clavicle = np.abs(y - (top - 25 + 0.15 * np.abs(x))) < 6
    image = image + 0.12 * clavicle * (np.abs(x) < half * 0.8)
    if finding is not None:
        fx, fy, radius, contrast = finding
        d2 = (x - fx) ** 2 + (y - fy) ** 2
        if label == 1:
            image = image + lungs * contrast * (d2 <= radius**2)
        else:  # patchy, ill-defined, confined to the lung
            patches = smooth_noise(rng, n, 6.0 / spacing * 3) > -0.3
            fade = np.exp(-d2 / (2 * (radius / 1.3) ** 2))
            image = image + lungs * contrast * fade * (0.6 + 0.4 * patches)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def lateral_attenuation(
    rng: np.random.Generator, anatomy: Anatomy, spacing: float, smooth_noise
) -> np.ndarray:
    """A lateral view (spine, sternum, overlapping lungs); the task's filter skips it."""
    n = round(CXR_FIELD_MM / spacing)
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    x, y = (xx - n / 2) * spacing, (yy - n / 2) * spacing
    body = (x / 130) ** 2 + ((y - 20) / 260) ** 2 <= 1
    image = 0.05 + 0.5 * body
    lungs = ((x / 90) ** 2 + ((y + 30) / (anatomy.lung_height_mm / 2)) ** 2 <= 1)
    image = np.where(lungs, image - 0.25, image) + (np.abs(x - 100) < 15) * body * 0.3
    return np.clip(image + body * smooth_noise(rng, n, 4.0) * 0.02, 0, 1).astype(np.float32)


def detector_pixels(
    rng: np.random.Generator, attenuation: np.ndarray, profile: RadiographProfile, blur
) -> np.ndarray:
    """What the detector stores: blurred, exposed, noisy, quantised, inverted if MONOCHROME1."""
    signal = blur(attenuation, profile.blur_mm / profile.pixel_spacing_mm)
    signal = np.clip(signal * profile.exposure, 0, 1) ** 0.8  # the detector's response curve
    signal = signal + rng.normal(0, profile.noise, signal.shape)
    top = 2**profile.bits - 1
    stored = np.clip(np.round(signal * top), 0, top).astype(np.uint16)
    return (top - stored).astype(np.uint16) if profile.monochrome1 else stored


def describe_view(ds: Dataset, profile: RadiographProfile, lateral: bool) -> None:
    """The radiograph's own attributes (the caller sets patient, study and pixels)."""
    ds.StudyDescription = "XR CHEST 2 VIEWS" if lateral else "XR CHEST PA"
    ds.SeriesDescription = "CHEST LAT" if lateral else "CHEST PA"
    ds.ViewPosition = "LL" if lateral else "PA"
    ds.BodyPartExamined = "CHEST"
    ds.ImagerPixelSpacing = [profile.pixel_spacing_mm, profile.pixel_spacing_mm]
    ds.PresentationIntentType = "FOR PRESENTATION"
    ds.KVP = 120
    ds.SeriesNumber = 2 if lateral else 1
