"""Reading other tools' DICOM SEG and RTSTRUCT objects as masks of imported images.

The importer lists SEG and RTSTRUCT files as non-image objects; once the images of an
import are indexed, :func:`import_mask_objects` turns each into a label image per
referenced image and stores it with :func:`siteapp.dicom.masks.save_mask`. A SEG is read
with highdicom; an RTSTRUCT's planar contours are mapped from patient millimetres onto the
referenced images' pixel grid and filled (PIL). An object that cannot be matched is never
an error: it comes back as a :class:`MaskProblem` whose reason a person can act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image, ImageDraw

from siteapp.dicom.config import (
    RTSTRUCT_SOP_CLASS,
    SEG_MANUFACTURER,
    SEGMENTATION_SOP_CLASS,
    SOURCE_IMPORTED_RTSTRUCT,
    SOURCE_IMPORTED_SEG,
    SOURCE_PHANTOM,
)
from siteapp.dicom.index import InstanceRow, StudyIndex
from siteapp.dicom.masks import (
    MaskError,
    SeriesMask,
    mask_origin_known,
    save_mask,
    segmentation_from_dataset,
)

#: SEG types with a definite region per pixel; FRACTIONAL ones hold probabilities that a
#: person should threshold on purpose, not the importer.
READABLE_SEG_TYPES = ("BINARY", "LABELMAP")
#: How far (mm) a contour may lie from an image plane and still be drawn on that image
#: when the RTSTRUCT does not name the image.
CONTOUR_PLANE_TOLERANCE_MM = 0.5


@dataclass(frozen=True)
class MaskProblem:
    """A SEG or RTSTRUCT that was not stored as a mask, and why."""

    path: str
    reason: str


class _UnmatchedError(Exception):
    """The object cannot be matched to imported images; the message is the reason."""


def import_mask_objects(
    index: StudyIndex, paths: Iterable[str]
) -> tuple[list[tuple[str, SeriesMask]], list[MaskProblem]]:
    """Store every SEG/RTSTRUCT in ``paths`` as masks; returns (object path, mask) per
    mask stored and one problem per object not stored.

    Objects already imported (same SOPInstanceUID) are skipped silently, so importing a
    folder twice adds nothing.
    """
    stored: list[tuple[str, SeriesMask]] = []
    problems: list[MaskProblem] = []
    for path in paths:
        try:
            stored.extend((str(path), mask) for mask in _import_one(index, Path(path)))
        except (_UnmatchedError, MaskError) as exc:
            problems.append(MaskProblem(str(path), str(exc)))
        except Exception as exc:  # a malformed object fails in pydicom/highdicom's own ways
            problems.append(MaskProblem(
                str(path), f"damaged mask object ({type(exc).__name__}: {exc})"))
    return stored, problems


def _import_one(index: StudyIndex, path: Path) -> list[SeriesMask]:
    ds = pydicom.dcmread(path)
    uid = str(ds.get("SOPInstanceUID", ""))
    if uid and mask_origin_known(index.connection, uid):
        return []
    sop_class = str(ds.get("SOPClassUID", ""))
    if sop_class == SEGMENTATION_SOP_CLASS:
        return [_import_seg(index, ds, uid)]
    if sop_class == RTSTRUCT_SOP_CLASS:
        return _import_rtstruct(index, ds, uid)
    raise _UnmatchedError(f"not a SEG or RTSTRUCT object ({sop_class})")


# --- SEG ----------------------------------------------------------------------------------


def _import_seg(index: StudyIndex, ds: pydicom.Dataset, uid: str) -> SeriesMask:
    kind = str(ds.get("SegmentationType", ""))
    if kind not in READABLE_SEG_TYPES:
        raise _UnmatchedError(f"unsupported SEG type {kind or '(none)'}: MedFed reads "
                              f"{' and '.join(READABLE_SEG_TYPES)} masks, not probabilities")
    seg = segmentation_from_dataset(ds)
    refs = seg.get_source_image_uids()
    if not refs:
        raise _UnmatchedError("the SEG names no source images (only a frame of reference), so "
                              "its frames cannot be tied to imported images")
    series_uids = {series for _, series, _ in refs}
    if len(series_uids) > 1:
        raise _UnmatchedError(f"the SEG refers to {len(series_uids)} series; MedFed keeps one "
                              "mask per series")
    series_uid = series_uids.pop()
    instances = _series_instances(index, series_uid)
    by_uid = {i.sop_instance_uid: i for i in instances}
    wanted = [str(sop) for _, _, sop in refs if sop in by_uid]
    missing = len(refs) - len(wanted)
    if not wanted:
        raise _UnmatchedError(f"none of the {len(refs)} images the SEG refers to are imported "
                              f"(series {series_uid}); import them first")
    if missing:
        raise _UnmatchedError(f"{missing} of the {len(refs)} images the SEG refers to are not "
                              "imported; import the whole series first")
    numbers = [int(item.SegmentNumber) for item in ds.SegmentSequence]
    names = [_segment_name(item) for item in ds.SegmentSequence]
    rows, cols = int(ds.Rows), int(ds.Columns)
    for sop in wanted:
        image = by_uid[sop]
        if (image.rows, image.cols) != (rows, cols):
            raise _UnmatchedError(f"size mismatch: the SEG is {rows}x{cols} but image {sop} is "
                                  f"{image.rows}x{image.cols}")
    pixels = seg.get_pixels_by_source_instance(
        source_sop_instance_uids=wanted,
        segment_numbers=numbers,
        combine_segments=True,
        relabel=True,
        assert_missing_frames_are_empty=True,
        ignore_spatial_locations=True,
        skip_overlap_checks=True,  # overlapping segments: the later segment wins
    )
    frames = {sop: np.asarray(pixels[n], dtype=np.uint8) for n, sop in enumerate(wanted)}
    source = SOURCE_PHANTOM if _written_by_phantom(ds) else SOURCE_IMPORTED_SEG
    return save_mask(index, series_uid, frames, names, source, origin_uid=uid)


def _segment_name(item: pydicom.Dataset) -> str:
    label = str(item.get("SegmentLabel", "")).strip()
    return label or f"segment {int(item.SegmentNumber)}"


def _written_by_phantom(ds: pydicom.Dataset) -> bool:
    return (str(ds.get("Manufacturer", "")) == SEG_MANUFACTURER
            and f"({SOURCE_PHANTOM})" in str(ds.get("SeriesDescription", "")))


def _series_instances(index: StudyIndex, series_uid: str) -> list[InstanceRow]:
    instances = index.instances(series_uid)
    if not instances:
        raise _UnmatchedError(f"unknown referenced series {series_uid}: import its images first")
    return instances


# --- RTSTRUCT -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plane:
    """Where one image lies in patient space: its origin, axes and pixel spacing (mm)."""

    origin: np.ndarray
    row_axis: np.ndarray  # direction of increasing column index
    col_axis: np.ndarray  # direction of increasing row index
    spacing: tuple[float, float]  # (between rows, between columns)
    rows: int
    cols: int

    @property
    def normal(self) -> np.ndarray:
        return np.cross(self.row_axis, self.col_axis)

    def distance(self, points: np.ndarray) -> np.ndarray:
        return (points - self.origin) @ self.normal

    def to_pixels(self, points: np.ndarray) -> list[tuple[float, float]]:
        """(x=column, y=row) of each point, pixel centres at integers."""
        offset = points - self.origin
        cols = offset @ self.row_axis / self.spacing[1]
        rows = offset @ self.col_axis / self.spacing[0]
        return list(zip(cols.tolist(), rows.tolist(), strict=True))


def _import_rtstruct(index: StudyIndex, ds: pydicom.Dataset, uid: str) -> list[SeriesMask]:
    names = {int(roi.ROINumber): str(roi.get("ROIName", "")).strip() or f"ROI {roi.ROINumber}"
             for roi in ds.get("StructureSetROISequence", [])}
    contours = [roi for roi in ds.get("ROIContourSequence", []) if roi.get("ContourSequence")]
    if not contours:
        raise _UnmatchedError("the RTSTRUCT has no contours")
    series_uid = _rtstruct_series(ds)
    instances = _series_instances(index, series_uid)
    planes = {i.sop_instance_uid: _plane_of(i) for i in instances}
    segments: list[str] = []
    frames: dict[str, np.ndarray] = {}
    for roi in contours:
        number = int(roi.ReferencedROINumber)
        segments.append(names.get(number, f"ROI {number}"))
        label = len(segments)
        for contour in roi.ContourSequence:
            if str(contour.get("ContourGeometricType", "")) != "CLOSED_PLANAR":
                continue  # points and open lines enclose no region
            points = np.asarray(contour.ContourData, dtype=np.float64).reshape(-1, 3)
            sop = _contour_image(contour, points, planes)
            plane = planes[sop]
            canvas = frames.setdefault(sop, np.zeros((plane.rows, plane.cols), dtype=np.uint8))
            _fill(canvas, plane.to_pixels(points), label)
    if not frames:
        raise _UnmatchedError("none of the RTSTRUCT's closed contours lie on an imported image")
    return [save_mask(index, series_uid, frames, segments, SOURCE_IMPORTED_RTSTRUCT,
                      origin_uid=uid)]


def _rtstruct_series(ds: pydicom.Dataset) -> str:
    found = {
        str(series.SeriesInstanceUID)
        for frame in ds.get("ReferencedFrameOfReferenceSequence", [])
        for study in frame.get("RTReferencedStudySequence", [])
        for series in study.get("RTReferencedSeriesSequence", [])
    }
    if not found:
        raise _UnmatchedError("the RTSTRUCT names no referenced series")
    if len(found) > 1:
        raise _UnmatchedError(f"the RTSTRUCT refers to {len(found)} series; MedFed keeps one mask "
                              "per series")
    return found.pop()


def _plane_of(instance: InstanceRow) -> _Plane:
    header = pydicom.dcmread(instance.file_path, stop_before_pixels=True)
    position = header.get("ImagePositionPatient")
    orientation = header.get("ImageOrientationPatient")
    spacing = header.get("PixelSpacing")
    if not position or not orientation or not spacing:
        raise _UnmatchedError(f"image {instance.sop_instance_uid} has no patient geometry "
                              "(ImagePositionPatient, ImageOrientationPatient, PixelSpacing), so "
                              "contours in millimetres cannot be placed on it")
    axes = np.asarray(orientation, dtype=np.float64)
    return _Plane(np.asarray(position, dtype=np.float64), axes[:3], axes[3:],
                  (float(spacing[0]), float(spacing[1])), instance.rows, instance.cols)


def _contour_image(contour: pydicom.Dataset, points: np.ndarray, planes: dict[str, _Plane]) -> str:
    for ref in contour.get("ContourImageSequence", []):
        sop = str(ref.ReferencedSOPInstanceUID)
        if sop not in planes:
            raise _UnmatchedError(f"a contour is drawn on image {sop}, which is not imported")
        return sop
    # No image named: the one whose plane the contour lies in.
    for sop, plane in planes.items():
        if np.all(np.abs(plane.distance(points)) <= CONTOUR_PLANE_TOLERANCE_MM):
            return sop
    raise _UnmatchedError("a contour lies on no imported image of the referenced series")


def _fill(canvas: np.ndarray, polygon: list[tuple[float, float]], label: int) -> None:
    if len(polygon) < 3:
        return
    image = Image.fromarray(canvas)
    ImageDraw.Draw(image).polygon(polygon, fill=label, outline=label)
    canvas[...] = np.asarray(image)
