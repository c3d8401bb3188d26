"""Phantom studies: realistic synthetic DICOM data for demos and tests (nothing downloaded).

Each site is a folder of real DICOM files (CT in Hounsfield units with rescale
slope/intercept, or MG) plus ``labels.csv``. Sites differ the way hospitals do:
scanner manufacturer, noise, sharpness, pixel spacing, calibration offset (CT) or
detector gain and offset (MG: each vendor's intensity scale), class
balance and size (:data:`SITE_PROFILES`). The task is learnable but not trivial: small
round nodules (or masses) compete with vessels (or dense tissue) of similar brightness,
so a small CNN needs many patients to separate them, which is what makes federation
worth it. The difficulty knobs are the ``NODULE_*``, ``VESSEL_*`` and ``MASS_*``
constants; everything is seeded, so a seed always gives the same files and UIDs.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, CTImageStorage, ExplicitVRLittleEndian, generate_uid

from siteapp.dicom.phantom_cxr import (
    CLASS_NAMES,
    CR_STORAGE,
    CXR_PROFILES,
    DX_STORAGE,
    LATERAL_FRACTION,
    RadiographProfile,
    describe_view,
    detector_pixels,
    frontal_attenuation,
    lateral_attenuation,
    patient_anatomy,
    patient_finding,
    site_classes,
)

# --- difficulty knobs (CT lung nodule) -------------------------------------------------
CT_MATRIX = 128  # pixels per side of a phantom CT slice
CT_SLICE_SPACING_MM = 2.5
# Nodules of 16-30 mm: at the preset's 6 mm grid the smallest still span almost 3 pixels,
# so every labelled nodule is one a radiologist would call visible on the model's input.
NODULE_RADIUS_MM = (8.0, 15.0)
NODULE_HU = (-100.0, 60.0)  # solid to part-solid
# Every slice of a positive patient cuts the nodule with at least this fraction of its
# radius: training draws ONE random slice per positive patient, so a slice that missed
# the nodule would be a mislabelled example (label noise) rather than difficulty.
NODULE_MIN_SECTION = 0.6
VESSELS_PER_LUNG = (3, 8)  # distractors: bright tubes and dots inside the lungs
VESSEL_RADIUS_MM = (1.0, 3.0)  # peripheral vessels: thinner than the smallest nodule
VESSEL_HU = (-150.0, 60.0)
LUNG_HU = -850.0
SOFT_TISSUE_HU = 40.0
FAT_HU = -100.0
AIR_HU = -1000.0
BONE_HU = 700.0
TEXTURE_HU = 30.0  # low-frequency parenchyma texture amplitude

# --- difficulty knobs (mammography mass) ------------------------------------------------
MG_ROWS, MG_COLS = 128, 96
MG_BITS = 12
MASS_RADIUS_MM = (8.0, 16.0)  # 16-32 mm across: 5-11 px on the demo grid of 3 mm
MASS_CONTRAST = (0.12, 0.28)  # fraction of the dense-tissue signal
MG_TEXTURE = 0.25  # amplitude of fibroglandular texture (fraction of signal)
MG_SPACING_SCALE = 0.6  # detector pixels are finer than CT pixels of the same site
MG_NOISE_SCALE = 1 / 2000  # the profile's noise (HU-like units) as a fraction of signal


@dataclass(frozen=True)
class SiteProfile:
    """How one phantom hospital's scanner and population differ from the others."""

    manufacturer: str
    model: str
    noise: float  # CT: HU standard deviation; MG: fraction of the signal
    blur_mm: float  # Gaussian sharpness of the reconstruction kernel / detector
    pixel_spacing_mm: float
    calibration_offset: float  # CT: HU added by a drifting calibration
    rescale_intercept: float  # CT: how the scanner stores HU
    positive_fraction: float
    size_fraction: float  # share of the requested patient count
    monochrome1: bool = False  # MG: some vendors store inverted images
    # MG: how the detector maps signal to stored values (signal x gain x full scale +
    # offset): each vendor's intensity scale, what harmonisation has to undo.
    detector_gain: float = 1.0
    detector_offset: float = 0.0


SITE_PROFILES: tuple[SiteProfile, ...] = (
    SiteProfile("SIEMENS", "SOMATOM Force", 18.0, 0.8, 2.6, 0.0, -1024.0, 0.5, 1.0),
    SiteProfile("GE MEDICAL SYSTEMS", "Revolution CT", 35.0, 1.4, 2.9, 25.0, -1024.0, 0.35, 1.0,
                detector_gain=0.7, detector_offset=400.0),
    SiteProfile("Philips", "Ingenuity CT", 55.0, 2.0, 3.2, -30.0, -1000.0, 0.25, 0.5, True,
                detector_gain=0.55, detector_offset=900.0),
)

TASK_MODALITY = {
    "lung-ct-nodule": "CT", "lung-ct-nodule-3d": "CT", "mammo-mass": "MG", "chest-xray": "DX/CR",
}
# A 3D task's phantom scans a slab of 16 x 2.5 mm, deeper than the largest nodule.
DEFAULT_SLICES = {"lung-ct-nodule": 4, "lung-ct-nodule-3d": 16, "mammo-mass": 2, "chest-xray": 1}
LABELS_FILENAME = "labels.csv"
PHANTOM_MASK_FILENAME = "SEG.dcm"
#: The segment each phantom task's masks name (label value 1).
PHANTOM_SEGMENTS = {"lung-ct-nodule": ("nodule",), "mammo-mass": ("mass",)}
_UID_PREFIX = "1.2.826.0.1.3680043.8.498."  # pydicom's documented example root
_MG_STORAGE = "1.2.840.10008.5.1.4.1.1.1.2"  # Digital Mammography X-Ray Image - For Presentation


class PhantomError(ValueError):
    """The requested phantom cannot be generated (unknown task, bad counts)."""


def generate_phantom_sites(
    out: Path,
    sites: int = 3,
    patients: int = 120,
    seed: int = 0,
    task: str = "lung-ct-nodule",
    slices: int | None = None,
    profiles: tuple[SiteProfile, ...] = SITE_PROFILES,
    radiograph_profiles: tuple[RadiographProfile, ...] = CXR_PROFILES,
    masks: bool = False,
    detector_scale: int = 1,
) -> list[Path]:
    """Write ``sites`` folders ``site-1..`` under ``out`` and return their paths.

    ``patients`` is the count of a full-size site; profiles with ``size_fraction`` < 1
    get fewer. ``slices`` is CT slices (or MG views) per patient. ``profiles`` (cycled
    over the sites) lets a demo change a site's scanner or class balance;
    ``radiograph_profiles`` does the same for the chest X-ray task
    (:mod:`siteapp.dicom.phantom_cxr`). ``masks`` also writes each CT or MG patient's
    lesion mask as a DICOM SEG (``SEG.dcm`` beside the images; an empty mask for a
    patient without a lesion), for segmentation tasks; the images are the same either way. ``detector_scale`` divides every scanner's pixel
    spacing by that factor and multiplies its matrix by it: the same anatomy and field of
    view on a finer detector, for a task trained at its full resolution
    (:func:`detector_scale_for`).
    """
    if task not in TASK_MODALITY:
        raise PhantomError(f"unknown phantom task '{task}' (known: {', '.join(TASK_MODALITY)})")
    if sites < 1 or patients < 2:
        raise PhantomError("a phantom needs at least 1 site and 2 patients per site")
    if detector_scale < 1:
        raise PhantomError("detector_scale is a whole factor of at least 1")
    profiles = tuple(
        replace(p, pixel_spacing_mm=round(p.pixel_spacing_mm / detector_scale, 4)) for p in profiles
    )
    radiograph_profiles = tuple(
        replace(p, pixel_spacing_mm=round(p.pixel_spacing_mm / detector_scale, 4))
        for p in radiograph_profiles
    )
    slices = slices or DEFAULT_SLICES[task]
    from siteapp.tasks import load_task

    preset = load_task(task)
    if task == "chest-xray":
        if masks:
            raise PhantomError("the chest X-ray phantom has no lesion masks; use "
                               "lung-ct-nodule or mammo-mass")
        return [
            _write_cxr_site(Path(out), index, patients, seed,
                            radiograph_profiles[index % len(radiograph_profiles)])
            for index in range(sites)
        ]
    written = []
    for index in range(sites):
        profile = profiles[index % len(profiles)]
        site_dir = Path(out) / f"site-{index + 1}"
        site_dir.mkdir(parents=True, exist_ok=True)
        count = max(2, round(patients * profile.size_fraction))
        rng = np.random.default_rng([seed, index])
        labels = _site_labels(rng, count, profile.positive_fraction)
        rows = []
        for number, positive in enumerate(labels, start=1):
            patient_id = f"S{index + 1}-{number:04d}"
            label = (preset.positive_class or preset.classes[-1]) if positive else preset.classes[0]
            rows.append((patient_id, label))
            context = _PatientContext(
                site_dir, patient_id, index, number, seed, profile, masks, detector_scale
            )
            (site_dir / patient_id).mkdir(exist_ok=True)
            if TASK_MODALITY[task] == "CT":
                _write_ct_patient(context, rng, positive, slices)
            else:
                _write_mg_patient(context, rng, positive, slices)
        _write_labels(site_dir, rows)
        written.append(site_dir)
    return written


def phantom_pixel_spacings_mm(task: str) -> tuple[float, ...]:
    """The detector pixel sizes of the phantom scanners of ``task`` (scale 1)."""
    if TASK_MODALITY.get(task) == "DX/CR":
        return tuple(p.pixel_spacing_mm for p in CXR_PROFILES)
    scale = MG_SPACING_SCALE if TASK_MODALITY.get(task) == "MG" else 1.0
    return tuple(round(p.pixel_spacing_mm * scale, 3) for p in SITE_PROFILES)


def detector_scale_for(task: str, target_spacing_mm: float) -> int:
    """The smallest ``detector_scale`` at which every phantom scanner of ``task`` has
    pixels no larger than ``target_spacing_mm``: images a task at that grid resamples
    down (or keeps), never up."""
    return max(math.ceil(s / target_spacing_mm - 1e-9) for s in phantom_pixel_spacings_mm(task))


def _write_cxr_site(out: Path, index: int, patients: int, seed: int,
                    profile: RadiographProfile) -> Path:
    site_dir = out / f"site-{index + 1}"
    site_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, index])
    labels = site_classes(rng, max(3, round(patients * profile.size_fraction)), profile.class_fractions)
    rows = []
    for number, label in enumerate(labels, start=1):
        patient_id = f"S{index + 1}-{number:04d}"
        rows.append((patient_id, CLASS_NAMES[label]))
        ctx = _PatientContext(site_dir, patient_id, index, number, seed,
                              SITE_PROFILES[index % len(SITE_PROFILES)], False)
        (site_dir / patient_id).mkdir(exist_ok=True)
        _write_cxr_patient(ctx, rng, label, profile)
    _write_labels(site_dir, rows)
    return site_dir


def _write_cxr_patient(
    ctx: _PatientContext, rng: np.random.Generator, label: int, profile: RadiographProfile
) -> None:
    anatomy = patient_anatomy(rng)
    finding = patient_finding(rng, label)
    study_uid = ctx.uid("study")
    views = [False] + ([True] if rng.random() < LATERAL_FRACTION else [])
    storage = DX_STORAGE if profile.modality == "DX" else CR_STORAGE
    for lateral in views:
        attenuation = (
            lateral_attenuation(rng, anatomy, profile.pixel_spacing_mm, _smooth_noise) if lateral
            else frontal_attenuation(rng, anatomy, label, finding, profile.pixel_spacing_mm,
                                     _smooth_noise)
        )
        stored = detector_pixels(rng, attenuation, profile, _blur)
        name = "lat" if lateral else "pa"
        ds = _base_dataset(ctx, storage, ctx.uid("xr", name), study_uid, ctx.uid("series", name),
                           profile.modality)
        ds.Manufacturer, ds.ManufacturerModelName = profile.manufacturer, profile.model
        describe_view(ds, profile, lateral)
        ds.InstanceNumber = 1
        _set_pixels(ds, stored, bits_stored=profile.bits,
                    photometric="MONOCHROME1" if profile.monochrome1 else "MONOCHROME2")
        ds.save_as(ctx.site_dir / ctx.patient_id / f"XR-{name.upper()}.dcm",
                   enforce_file_format=True)


def _write_labels(site_dir: Path, rows: list[tuple[str, str]]) -> None:
    with (site_dir / LABELS_FILENAME).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["PatientID", "label"])
        writer.writerows(rows)


def _site_labels(rng: np.random.Generator, count: int, positive_fraction: float) -> list[bool]:
    positives = max(1, min(count - 1, round(count * positive_fraction)))
    labels = [True] * positives + [False] * (count - positives)
    rng.shuffle(labels)
    return labels


@dataclass(frozen=True)
class _PatientContext:
    site_dir: Path
    patient_id: str
    site_index: int
    number: int
    seed: int
    profile: SiteProfile
    masks: bool
    detector_scale: int = 1  # pixels per side of the phantom's base matrix

    def uid(self, *parts: object) -> str:
        return generate_uid(
            _UID_PREFIX, entropy_srcs=[str(self.seed), self.patient_id, *map(str, parts)]
        )


# --- CT ---------------------------------------------------------------------------------


def _write_ct_patient(
    ctx: _PatientContext, rng: np.random.Generator, positive: bool, slices: int
) -> None:
    profile = ctx.profile
    spacing = profile.pixel_spacing_mm
    n = CT_MATRIX * ctx.detector_scale
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    yy_mm, xx_mm = (yy - n / 2) * spacing, (xx - n / 2) * spacing
    body_a, body_b = rng.uniform(150, 175), rng.uniform(105, 125)  # half-axes in mm
    body = (xx_mm / body_a) ** 2 + (yy_mm / body_b) ** 2 <= 1
    inner = (xx_mm / (body_a - 12)) ** 2 + (yy_mm / (body_b - 12)) ** 2 <= 1
    lung_centres = [(-body_a * 0.45, -5.0), (body_a * 0.45, -5.0)]
    lung_axes = [(body_a * 0.33, body_b * 0.7), (body_a * 0.30, body_b * 0.68)]
    lungs = np.zeros((n, n), dtype=bool)
    for (cx, cy), (ax, ay) in zip(lung_centres, lung_axes, strict=True):
        lungs |= ((xx_mm - cx) / ax) ** 2 + ((yy_mm - cy) / ay) ** 2 <= 1
    base = np.full((n, n), AIR_HU, dtype=np.float32)
    base[body] = FAT_HU
    base[inner] = SOFT_TISSUE_HU
    spine = xx_mm**2 + (yy_mm - body_b * 0.72) ** 2 <= 14.0**2
    base[spine] = BONE_HU
    base[lungs] = LUNG_HU
    base += lungs * _smooth_noise(rng, n, 6.0 * ctx.detector_scale) * TEXTURE_HU
    vessels = _vessels(rng, lung_centres, lung_axes)
    nodule = None
    if positive:
        side = rng.integers(0, 2)
        (cx, cy), (ax, ay) = lung_centres[side], lung_axes[side]
        r = rng.uniform(*NODULE_RADIUS_MM)
        angle, dist = rng.uniform(0, 2 * np.pi), rng.uniform(0, 0.6)
        nodule = (cx + np.cos(angle) * dist * (ax - r), cy + np.sin(angle) * dist * (ay - r),
                  _nodule_centre_z(rng, r, slices), r, rng.uniform(*NODULE_HU))
    study_uid, series_uid = ctx.uid("study"), ctx.uid("series")
    offsets = (np.arange(slices) - (slices - 1) / 2) * CT_SLICE_SPACING_MM
    written: list[Dataset] = []
    lesion = np.zeros((slices, n, n), dtype=np.uint8)
    for k, z in enumerate(offsets):
        hu = base.copy()
        for vx, vy, vdx, vdy, vr, vhu in vessels:
            # a tube through the slab: its cross-section drifts from slice to slice
            d2 = (xx_mm - (vx + vdx * z)) ** 2 + (yy_mm - (vy + vdy * z)) ** 2
            hu = np.where(lungs & (d2 <= vr**2), vhu, hu)
        if nodule is not None:
            nx, ny, nz, nr, nhu = nodule
            rz2 = nr**2 - (z - nz) ** 2
            if rz2 > 0:
                d2 = (xx_mm - nx) ** 2 + (yy_mm - ny) ** 2
                hu = np.where(d2 <= rz2, nhu, hu)
                lesion[k] = d2 <= rz2
        hu = _blur(hu, profile.blur_mm / spacing)
        hu += rng.normal(0.0, profile.noise, hu.shape).astype(np.float32) * body
        hu += profile.calibration_offset
        stored = np.clip(np.round(hu - profile.rescale_intercept), 0, 4095).astype(np.uint16)
        ds = _ct_dataset(ctx, study_uid, series_uid, k, float(z), stored)
        ds.save_as(ctx.site_dir / ctx.patient_id / f"CT{k + 1:03d}.dcm", enforce_file_format=True)
        written.append(ds)
    if ctx.masks:
        _write_lesion_mask(ctx, written, lesion, PHANTOM_SEGMENTS["lung-ct-nodule"][0])


def _nodule_centre_z(rng: np.random.Generator, radius: float, slices: int) -> float:
    """Where along z the nodule's centre lies, relative to the middle of the slab.

    The centre jitters as far as keeps every slice's cross-section at least
    ``NODULE_MIN_SECTION`` of the radius; a slab thicker than the nodule gets it centred
    (its outer slices then miss it, as they would on a real scanner).
    """
    half_slab = (slices - 1) / 2 * CT_SLICE_SPACING_MM
    reach = radius * float(np.sqrt(1.0 - NODULE_MIN_SECTION**2))  # max |z - centre| allowed
    return float(rng.uniform(-1.0, 1.0) * max(0.0, reach - half_slab))


def _vessels(
    rng: np.random.Generator,
    centres: list[tuple[float, float]],
    axes: list[tuple[float, float]],
) -> list[tuple[float, float, float, float, float, float]]:
    vessels = []
    for (cx, cy), (ax, ay) in zip(centres, axes, strict=True):
        for _ in range(rng.integers(VESSELS_PER_LUNG[0], VESSELS_PER_LUNG[1] + 1)):
            angle, dist = rng.uniform(0, 2 * np.pi), np.sqrt(rng.uniform(0, 0.8))
            vessels.append((
                cx + np.cos(angle) * dist * ax, cy + np.sin(angle) * dist * ay,
                rng.normal(0, 1.5), rng.normal(0, 1.5),  # in-plane drift per mm of z
                rng.uniform(*VESSEL_RADIUS_MM), rng.uniform(*VESSEL_HU),
            ))
    return vessels


def _ct_dataset(
    ctx: _PatientContext, study_uid: str, series_uid: str, k: int, z: float, stored: np.ndarray
) -> Dataset:
    profile = ctx.profile
    ds = _base_dataset(ctx, CTImageStorage, ctx.uid("ct", k), study_uid, series_uid, "CT")
    ds.StudyDescription = "CT CHEST"
    ds.SeriesDescription = "Chest 2.5mm"
    ds.BodyPartExamined = "CHEST"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.InstanceNumber = k + 1
    corner = -(stored.shape[0] / 2) * profile.pixel_spacing_mm
    ds.ImagePositionPatient = [corner, corner, round(z, 3)]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.SliceLocation = round(z, 3)
    ds.SliceThickness = CT_SLICE_SPACING_MM
    ds.PixelSpacing = [profile.pixel_spacing_mm, profile.pixel_spacing_mm]
    ds.RescaleIntercept = profile.rescale_intercept
    ds.RescaleSlope = 1
    ds.RescaleType = "HU"
    ds.WindowCenter, ds.WindowWidth = -600, 1500
    ds.KVP = 120
    _set_pixels(ds, stored, bits_stored=12, photometric="MONOCHROME2")
    return ds


# --- mammography ------------------------------------------------------------------------


def _write_mg_patient(
    ctx: _PatientContext, rng: np.random.Generator, positive: bool, views: int
) -> None:
    profile = ctx.profile
    spacing = round(profile.pixel_spacing_mm * MG_SPACING_SCALE, 3)
    study_uid, series_uid = ctx.uid("study"), ctx.uid("series")
    rows, cols = MG_ROWS * ctx.detector_scale, MG_COLS * ctx.detector_scale
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float32)
    density = rng.uniform(0.3, 0.8)
    mass = None
    if positive:
        mass = (rng.uniform(0.15, 0.6), rng.uniform(-0.5, 0.5), rng.uniform(*MASS_RADIUS_MM),
                rng.uniform(*MASS_CONTRAST))
    written: list[Dataset] = []
    lesion = np.zeros((views, rows, cols), dtype=np.uint8)
    for view in range(views):
        depth_mm = rng.uniform(0.75, 0.95) * cols * spacing
        half_height_mm = rng.uniform(0.38, 0.47) * rows * spacing
        x_mm, y_mm = xx * spacing, (yy - rows / 2) * spacing
        breast = (x_mm / depth_mm) ** 2 + (y_mm / half_height_mm) ** 2 <= 1
        thickness = np.sqrt(np.clip(1 - (x_mm / depth_mm) ** 2 - (y_mm / half_height_mm) ** 2, 0, 1))
        tissue = density * (
            0.6 + MG_TEXTURE * _smooth_noise(rng, rows, 3.0 * ctx.detector_scale, cols)
        )
        signal = breast * (0.25 + 0.5 * thickness * tissue)
        if mass is not None:
            fx, fy, radius, contrast = mass
            mx, my = fx * depth_mm, fy * half_height_mm
            angle = np.arctan2(y_mm - my, x_mm - mx)
            edge = radius * (1 + 0.25 * np.sin(5 * angle + view))  # lobulated margin
            inside = ((x_mm - mx) ** 2 + (y_mm - my) ** 2 <= edge**2) & breast
            signal = signal + inside * contrast
            lesion[view] = inside
        signal = _blur(signal, profile.blur_mm / spacing)
        signal = signal + rng.normal(0, profile.noise * MG_NOISE_SCALE, signal.shape) * breast
        full_scale = 2**MG_BITS - 1
        stored = np.clip(np.round(signal * profile.detector_gain * full_scale + profile.detector_offset),
                         0, full_scale).astype(np.uint16)
        if profile.monochrome1:
            stored = (2**MG_BITS - 1 - stored).astype(np.uint16)
        ds = _base_dataset(ctx, _MG_STORAGE, ctx.uid("mg", view), study_uid, series_uid, "MG")
        ds.StudyDescription = "SCREENING MAMMOGRAM"
        ds.SeriesDescription = "L CC" if view % 2 == 0 else "L MLO"
        ds.ViewPosition = "CC" if view % 2 == 0 else "MLO"
        ds.ImageLaterality = "L"
        ds.BodyPartExamined = "BREAST"
        ds.InstanceNumber = view + 1
        ds.ImagerPixelSpacing = [spacing, spacing]
        ds.PixelSpacing = [spacing, spacing]
        ds.PresentationIntentType = "FOR PRESENTATION"
        _set_pixels(ds, stored, bits_stored=MG_BITS,
                    photometric="MONOCHROME1" if profile.monochrome1 else "MONOCHROME2")
        ds.save_as(ctx.site_dir / ctx.patient_id / f"MG{view + 1:03d}.dcm",
                   enforce_file_format=True)
        written.append(ds)
    if ctx.masks:
        _write_lesion_mask(ctx, written, lesion, PHANTOM_SEGMENTS["mammo-mass"][0])


# --- shared helpers ---------------------------------------------------------------------


def _write_lesion_mask(
    ctx: _PatientContext, images: list[Dataset], lesion: np.ndarray, segment: str
) -> None:
    """The patient's lesion as DICOM SEG over ``images`` (the true, unblurred outline):
    ``SEG.dcm`` for a CT series, ``SEG001.dcm``... one per mammogram (highdicom puts
    projection images without patient geometry in a SEG each)."""
    from siteapp.dicom.config import SOURCE_PHANTOM
    from siteapp.dicom.masks import segmentations

    objects = segmentations(images, lesion, (segment,), SOURCE_PHANTOM,
                            lambda n: (ctx.uid("seg-series"), ctx.uid("seg", n)))
    for number, (_, seg) in enumerate(objects, start=1):
        name = PHANTOM_MASK_FILENAME if len(objects) == 1 else f"SEG{number:03d}.dcm"
        seg.save_as(ctx.site_dir / ctx.patient_id / name, enforce_file_format=True)



def _base_dataset(
    ctx: _PatientContext, sop_class: str, sop_uid: str, study_uid: str, series_uid: str,
    modality: str,
) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = UID(sop_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.FrameOfReferenceUID = ctx.uid("frame")
    ds.PatientID = ctx.patient_id
    ds.PatientName = f"Phantom^Site{ctx.site_index + 1}^{ctx.number:04d}"
    ds.PatientSex = "F" if modality == "MG" or ctx.number % 2 else "M"
    ds.PatientBirthDate = f"{1940 + ctx.number % 45}0101"
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = f"2025{1 + ctx.number % 12:02d}15"
    ds.StudyTime = ds.SeriesTime = "093000"
    ds.AccessionNumber = f"A{ctx.site_index + 1}{ctx.number:06d}"
    ds.StudyID = "1"
    ds.Modality = modality
    ds.SeriesNumber = 1
    ds.Manufacturer = ctx.profile.manufacturer
    ds.ManufacturerModelName = ctx.profile.model
    ds.InstitutionName = f"Phantom Hospital {ctx.site_index + 1}"
    return ds


def _set_pixels(ds: Dataset, stored: np.ndarray, bits_stored: int, photometric: str) -> None:
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.Rows, ds.Columns = stored.shape
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 0
    ds.PixelData = stored.tobytes()


def _smooth_noise(
    rng: np.random.Generator, rows: int, sigma_px: float, cols: int | None = None
) -> np.ndarray:
    """Zero-mean, unit-ish amplitude correlated noise (tissue texture)."""
    field = _blur(rng.normal(size=(rows, cols or rows)).astype(np.float32), sigma_px)
    return field / (field.std() + 1e-6)


def _blur(image: np.ndarray, sigma_px: float) -> np.ndarray:
    """Separable Gaussian blur (reflecting edges); sigma in pixels."""
    if sigma_px < 0.3:
        return image.astype(np.float32, copy=False)
    radius = max(1, int(3 * sigma_px))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    kernel = np.exp(-0.5 * (x / sigma_px) ** 2)
    kernel /= kernel.sum()
    out = np.pad(image.astype(np.float32), radius, mode="reflect")
    out = np.apply_along_axis(np.convolve, 0, out, kernel, mode="valid")
    return np.apply_along_axis(np.convolve, 1, out, kernel, mode="valid").astype(np.float32)
