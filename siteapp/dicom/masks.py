"""Lesion masks of imported series, stored as DICOM SEG in the site's data folder.

A mask belongs to one image series: for every image (SOPInstanceUID) it holds a 2D label
array of that image's size, where value ``k`` is ``segments[k - 1]`` and 0 is background.
Every mask the site keeps is a DICOM SEG written by MedFed with highdicom (the field's
library for SEG), under ``<data_dir>/masks/``, whatever it came from: a phantom, a SEG or
an RTSTRUCT from another tool (converted on import, see :mod:`siteapp.dicom.mask_import`),
or a mask drawn in the viewer. The ``masks`` table records which file holds the mask of
which series and where it came from; the newest drawn mask of a series wins over imported
ones, so a correction is never hidden by the import it corrected.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import highdicom as hd
import numpy as np
import pydicom
from highdicom.sr import CodedConcept
from pydicom.sr.codedict import codes

from siteapp.dicom.config import (
    MASK_SOURCES,
    MASKS_DIRNAME,
    SEG_MANUFACTURER,
    SEG_SERIES_NUMBER,
    SOURCE_DRAWN,
    SOURCE_PHANTOM,
    SOURCE_PREDICTED,
)
from siteapp.dicom.index import InstanceRow, StudyIndex
from siteapp.errors import UserFacingError

#: Segment labels with a SNOMED CT code; any other label gets a MedFed-private code.
_KNOWN_TYPES = {
    "nodule": codes.SCT.Nodule,
    "mass": codes.SCT.Mass,
    "lesion": codes.SCT.Lesion,
    "tumour": codes.SCT.Neoplasm,
    "tumor": codes.SCT.Neoplasm,
}
_PRIVATE_SCHEME = "99MEDFED"
_MAX_SEGMENTS = 255  # labels are stored as uint8


class MaskError(UserFacingError):
    """A mask cannot be saved or read; the message says which and what to do."""


@dataclass(frozen=True)
class SeriesMask:
    """The mask of one series: a label image per image that has been masked.

    ``frames`` holds only the images some mask covers (an image missing from it was never
    masked, which is not the same as "no lesion"). ``source`` and ``path`` are those of the
    winning mask (the newest drawn one, else the newest of any source).
    """

    series_uid: str
    segments: tuple[str, ...]
    frames: Mapping[str, np.ndarray]
    source: str
    path: Path


def mask_for_series(index: StudyIndex, series_uid: str) -> SeriesMask | None:
    """The mask of ``series_uid``, or None when no image of it has one.

    Each image takes its frame from the newest drawn mask that covers it, else from the
    newest mask of any source; segment names of the masks used are merged (the winning
    mask's first) and the labels renumbered to match.
    """
    rows = index.connection.execute(
        "SELECT m.id, m.source, m.segments, mi.sop_instance_uid, mi.seg_file FROM masks m"
        " JOIN mask_images mi ON mi.mask_id = m.id WHERE m.series_uid = ?"
        " ORDER BY m.source = ? DESC, m.id DESC, mi.seg_file",
        (series_uid, SOURCE_DRAWN),
    ).fetchall()
    if not rows:
        return None
    winners: dict[str, tuple[int, str]] = {}  # image -> (mask id, SEG file)
    masks: dict[int, tuple[str, tuple[str, ...]]] = {}  # in priority order
    for mask_id, source, segments, image_uid, seg_file in rows:
        masks.setdefault(mask_id, (source, tuple(json.loads(segments))))
        winners.setdefault(image_uid, (mask_id, seg_file))
    used = [m for m in masks if any(w[0] == m for w in winners.values())]
    merged: list[str] = []
    for mask_id in used:
        merged.extend(name for name in masks[mask_id][1] if name not in merged)
    by_file: dict[tuple[int, str], list[str]] = {}
    for image_uid, key in winners.items():
        by_file.setdefault(key, []).append(image_uid)
    frames: dict[str, np.ndarray] = {}
    for (mask_id, seg_file), image_uids in by_file.items():
        names = masks[mask_id][1]
        relabel = np.array([0] + [merged.index(n) + 1 for n in names], dtype=np.uint8)
        for image_uid, label in read_seg_labels(Path(seg_file), image_uids, len(names)).items():
            frames[image_uid] = relabel[label]
    top = used[0]
    top_file = next(Path(f) for (m, f) in by_file if m == top)
    return SeriesMask(series_uid, tuple(merged), MappingProxyType(frames), masks[top][0],
                      top_file)


def series_with_masks(index: StudyIndex) -> list[str]:
    """The series UIDs that have at least one stored mask."""
    rows = index.connection.execute(
        "SELECT DISTINCT series_uid FROM masks ORDER BY series_uid"
    ).fetchall()
    return [r[0] for r in rows]


def save_mask(
    index: StudyIndex,
    series_uid: str,
    frames: Mapping[str, np.ndarray],
    segments: Sequence[str],
    source: str = SOURCE_DRAWN,
    origin_uid: str | None = None,
) -> SeriesMask:
    """Write ``frames`` as DICOM SEG of ``series_uid``, record it, and return the mask.

    ``frames`` maps SOPInstanceUIDs of the series' images to label arrays of the image's
    size (0 background, ``k`` for ``segments[k-1]``); the mask covers exactly those images
    (an all-zero frame says "masked, no lesion"). One SEG holds the whole series where its
    images have patient geometry (CT, MR); projection images (MG, DX) get one SEG each, as
    highdicom requires. ``origin_uid`` is the SOPInstanceUID of an imported object this
    mask was converted from. Raises :class:`MaskError` for images that are not in the
    series, wrong sizes, labels without a segment or multi-frame images.
    """
    if source not in MASK_SOURCES:
        raise ValueError(f"unknown mask source {source!r} (known: {', '.join(MASK_SOURCES)})")
    segments = tuple(str(name).strip() for name in segments)
    instances = index.instances(series_uid)
    if not instances:
        raise MaskError(f"series {series_uid} has no images in this site's index; "
                        "import its images before its mask")
    covered, labels = _checked_labels(instances, frames, segments)
    headers = [pydicom.dcmread(i.file_path, stop_before_pixels=True) for i in covered]
    folder = index.data_dir / MASKS_DIRNAME / series_uid
    folder.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, Path]] = []
    for group, seg in segmentations(headers, labels, segments, source):
        path = folder / f"{seg.SOPInstanceUID}.dcm"
        seg.save_as(path, enforce_file_format=True)
        files.extend((covered[n].sop_instance_uid, path) for n in group)
    with index.connection:
        mask_id = index.connection.execute(
            "INSERT INTO masks(series_uid, source, segments, origin_uid) VALUES (?, ?, ?, ?)",
            (series_uid, source, json.dumps(list(segments)), origin_uid),
        ).lastrowid
        index.connection.executemany(
            "INSERT INTO mask_images(mask_id, sop_instance_uid, seg_file) VALUES (?, ?, ?)",
            [(mask_id, image_uid, str(path)) for image_uid, path in files],
        )
    stored = {i.sop_instance_uid: labels[n] for n, i in enumerate(covered)}
    return SeriesMask(series_uid, segments, MappingProxyType(stored), source, files[0][1])


def mask_origin_known(conn: sqlite3.Connection, origin_uid: str) -> bool:
    """True when an object with this SOPInstanceUID was already imported as a mask."""
    return conn.execute(
        "SELECT 1 FROM masks WHERE origin_uid = ?", (origin_uid,)
    ).fetchone() is not None


def _checked_labels(
    instances: list[InstanceRow], frames: Mapping[str, np.ndarray], segments: tuple[str, ...]
) -> tuple[list[InstanceRow], np.ndarray]:
    """The covered images in viewing order and their labels as one uint8 stack."""
    if not segments or len(segments) > _MAX_SEGMENTS:
        raise MaskError(f"a mask needs 1 to {_MAX_SEGMENTS} segment names, got {len(segments)}")
    if not all(segments) or len(set(segments)) != len(segments):
        raise MaskError("every segment of a mask needs its own, non-empty name")
    by_uid = {i.sop_instance_uid: i for i in instances}
    strangers = sorted(set(frames) - set(by_uid))
    if strangers:
        raise MaskError(f"{len(strangers)} mask frame(s) are not images of this series "
                        f"(first: {strangers[0]})")
    covered = [i for i in instances if i.sop_instance_uid in frames]
    if not covered:
        raise MaskError("the mask covers no image; draw on at least one image")
    stack = []
    for instance in covered:
        if instance.frames > 1:
            raise MaskError("masks of multi-frame images are not supported yet "
                            f"({instance.sop_instance_uid} has {instance.frames} frames)")
        label = np.asarray(frames[instance.sop_instance_uid])
        if label.shape != (instance.rows, instance.cols):
            raise MaskError(f"the mask of image {instance.sop_instance_uid} has shape "
                            f"{label.shape} but the image is {instance.rows}x{instance.cols}")
        if label.size and (label.min() < 0 or label.max() > len(segments)):
            raise MaskError(f"the mask of image {instance.sop_instance_uid} has label "
                            f"{int(label.max())}, but only {len(segments)} segment(s) are named")
        stack.append(label.astype(np.uint8))
    shapes = {a.shape for a in stack}
    if len(shapes) == 1:
        return covered, np.stack(stack)
    # Different sizes (a scout among axial images) cannot share one array; keep a list-like
    # object array so the groups below still index it by position.
    ragged = np.empty(len(stack), dtype=object)
    ragged[:] = stack
    return covered, ragged


def segmentations(
    sources: Sequence[pydicom.Dataset],
    labels: np.ndarray,
    segments: Sequence[str],
    source: str,
    uids: Callable[[int], tuple[str, str]] | None = None,
) -> list[tuple[list[int], hd.seg.Segmentation]]:
    """The SEG objects of ``labels`` over ``sources`` (same order), with the positions of
    the images each covers: one for images that share patient geometry, one per image
    otherwise. ``uids(n)`` gives the n-th SEG's (series, instance) UIDs (phantoms seed
    them); by default new ones are drawn, one series for all."""
    series_uid = str(hd.UID())
    result = []
    for number, group in enumerate(_seg_groups(sources)):
        series, instance = uids(number) if uids is not None else (series_uid, str(hd.UID()))
        stack = np.stack([np.asarray(labels[n], dtype=np.uint8) for n in group])
        result.append((group, build_segmentation([sources[n] for n in group], stack, segments,
                                                 source, series, instance)))
    return result


def _seg_groups(headers: Sequence[pydicom.Dataset]) -> list[list[int]]:
    """Positions of the images that share one SEG: those with patient geometry, the same
    frame of reference and the same size together; every other image alone."""
    groups: dict[object, list[int]] = {}
    for n, ds in enumerate(headers):
        if hd.spatial.get_image_coordinate_system(ds) == hd.CoordinateSystemNames.PATIENT:
            key: object = (str(ds.FrameOfReferenceUID), int(ds.Rows), int(ds.Columns))
        else:
            key = n
        groups.setdefault(key, []).append(n)
    return list(groups.values())


def build_segmentation(
    sources: Sequence[pydicom.Dataset],
    labels: np.ndarray,
    segments: Sequence[str],
    source: str,
    series_uid: str | None = None,
    sop_uid: str | None = None,
) -> hd.seg.Segmentation:
    """The DICOM SEG (BINARY, one frame per image and segment, empty frames kept so every
    image reads back) of ``labels`` (images, rows, cols) over ``sources`` (same order),
    which must share patient geometry unless there is one image (see :func:`segmentations`).

    Phantoms pass seeded UIDs so a seed always writes the same objects; otherwise new
    UIDs are drawn. BINARY rather than LABELMAP: most viewers in use read only BINARY.
    """
    automatic = source in (SOURCE_PHANTOM, SOURCE_PREDICTED)
    algorithm = hd.AlgorithmIdentificationSequence(
        name="MedFed phantom" if source == SOURCE_PHANTOM else "MedFed model",
        family=codes.cid7162.ArtificialIntelligence, version="1",
    ) if automatic else None
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=number,
            segment_label=name,
            segmented_property_category=codes.SCT.MorphologicallyAbnormalStructure,
            segmented_property_type=_property_type(name),
            algorithm_type=(hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC if automatic
                            else hd.seg.SegmentAlgorithmTypeValues.MANUAL),
            algorithm_identification=algorithm,
        )
        for number, name in enumerate(segments, start=1)
    ]
    return hd.seg.Segmentation(
        source_images=sources,
        pixel_array=labels,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions,
        series_instance_uid=series_uid or hd.UID(),
        series_number=SEG_SERIES_NUMBER,
        sop_instance_uid=sop_uid or hd.UID(),
        instance_number=1,
        manufacturer=SEG_MANUFACTURER,
        manufacturer_model_name="MedFed site app",
        software_versions="1",
        device_serial_number="1",
        series_description=f"MedFed mask ({source})",
        omit_empty_frames=False,
    )


def _property_type(name: str) -> CodedConcept:
    known = _KNOWN_TYPES.get(name.strip().lower())
    if known is not None:
        return CodedConcept(known.value, known.scheme_designator, known.meaning)
    return CodedConcept(name.strip()[:16], _PRIVATE_SCHEME, name.strip())


def read_seg_labels(
    path: Path, image_uids: Sequence[str], segment_count: int
) -> dict[str, np.ndarray]:
    """Label arrays of ``image_uids`` from a SEG MedFed wrote (segment ``k`` is label ``k``);
    an image the SEG does not refer to is left out."""
    try:
        seg = segmentation_from_dataset(pydicom.dcmread(path))
    except (OSError, ValueError, AttributeError) as exc:
        raise MaskError(f"the mask file {path} cannot be read ({exc}); draw or import the "
                        "mask again") from exc
    referenced = {uid for _, _, uid in seg.get_source_image_uids()}
    wanted = [uid for uid in image_uids if uid in referenced]
    if not wanted:
        return {}
    pixels = seg.get_pixels_by_source_instance(
        source_sop_instance_uids=wanted,
        segment_numbers=list(range(1, segment_count + 1)),
        combine_segments=True,
        assert_missing_frames_are_empty=True,
        ignore_spatial_locations=True,
    )
    return {uid: np.ascontiguousarray(pixels[n], dtype=np.uint8) for n, uid in enumerate(wanted)}


def segmentation_from_dataset(ds: pydicom.Dataset) -> hd.seg.Segmentation:
    """highdicom's view of a SEG dataset (changed in place).

    highdicom writes the SEG of a projection image (MG, DX) with pixel spacing but no
    slice thickness, which the standard allows, and then refuses to read it back (its
    reader requires both); a thickness-less Pixel Measures item is dropped here so such
    SEGs read: frames map to their images through the source references, not geometry.
    """
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared:
        measures = shared[0].get("PixelMeasuresSequence")
        if measures and "SliceThickness" not in measures[0]:
            del shared[0].PixelMeasuresSequence
    return hd.seg.Segmentation.from_dataset(ds, copy=False)
