"""Reading one file's DICOM header and deciding what it is.

:func:`read_header` opens a file, parses everything before the pixel data (never the
pixels themselves), checks that the pixel data element is complete and decodable with
the installed handlers, and returns one of :class:`InstanceHeader` (an image to
index), :class:`NonImageObject` (RT plan, SR, waveform, DICOMDIR ...) or
:class:`Rejected` (with a reason a person can act on). It never raises for bad input,
so one broken file cannot stop an import. Results are plain picklable dataclasses so
the importer may read headers in worker processes.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.filereader import read_partial
from pydicom.tag import BaseTag
from pydicom.uid import UID, DeflatedExplicitVRLittleEndian
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

from siteapp.dicom.config import DICOMDIR_SOP_CLASS, NEVER_DICOM_SUFFIXES, NON_IMAGE_SOP_PREFIXES

_PIXEL_TAGS = frozenset({0x7FE00010, 0x7FE00009, 0x7FE00008})
_UNDEFINED_LENGTH = 0xFFFFFFFF
#: The only top-level elements the index needs; pydicom skips the values of the rest.
_INDEXED_TAGS: list[BaseTag | int] = [
    0x00041220,  # DirectoryRecordSequence (DICOMDIR)
    0x00080008, 0x00080016, 0x00080018, 0x00080020, 0x00080050, 0x00080060,
    0x00080070, 0x00081030, 0x0008103E, 0x00100010, 0x00100020, 0x00100040,
    0x00180015, 0x00180050, 0x00181164, 0x00181210, 0x00185101, 0x0020000D,
    0x0020000E, 0x00200011, 0x00200013, 0x00200032, 0x00200060, 0x00200062,
    0x00201041, 0x00280002, 0x00280004, 0x00280008, 0x00280010, 0x00280011,
    0x00280030,
]


@dataclass(frozen=True)
class InstanceHeader:
    """The indexed metadata of one image instance."""

    path: str
    file_size: int
    sop_instance_uid: str
    sop_class_uid: str
    study_uid: str
    series_uid: str
    patient_id: str
    patient_name: str
    patient_sex: str
    study_date: str
    study_description: str
    accession: str
    modality: str
    series_number: int | None
    series_description: str
    manufacturer: str
    body_part: str
    instance_number: int | None
    slice_position: float | None
    rows: int
    cols: int
    frames: int
    pixel_spacing_row: float | None
    pixel_spacing_col: float | None
    slice_thickness: float | None
    photometric: str
    transfer_syntax: str
    # What a task's series filter reads (coordinator.task_definition.SeriesFilter).
    image_type: str = ""  # ImageType values joined by backslashes, as stored
    view_position: str = ""
    laterality: str = ""  # ImageLaterality, else Laterality
    convolution_kernel: str = ""
    # pydicom's warnings about fixable oddities (an invalid UI value, a wrong VR...): the
    # file is imported, and the import report says what was odd about it.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class NonImageObject:
    """A DICOM object that is listed but not imported as an image."""

    path: str
    kind: str
    sop_class_uid: str
    sop_instance_uid: str
    patient_id: str
    study_uid: str
    referenced_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """A file that cannot be indexed, with the reason shown to the user."""

    path: str
    reason: str


HeaderResult = InstanceHeader | NonImageObject | Rejected


class _PixelProbe:
    """``stop_when`` callback that remembers the pixel element's VR and length."""

    def __init__(self) -> None:
        self.vr: str | None = None
        self.length: int | None = None

    def __call__(self, tag: BaseTag, vr: str | None, length: int) -> bool:
        if tag in _PIXEL_TAGS:
            self.vr, self.length = vr, length
            return True
        return False


def read_header(path: Path) -> HeaderResult:
    """Classify and index one file; never raises for bad input."""
    spath = str(path)
    if path.suffix.lower() in NEVER_DICOM_SUFFIXES:
        return Rejected(spath, f"not a DICOM file ({path.suffix} file)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _read_and_classify(path, spath)
    if isinstance(result, InstanceHeader) and caught:
        notes = tuple(dict.fromkeys(str(w.message) for w in caught))
        result = dataclasses.replace(result, warnings=notes)
    return result


def _read_and_classify(path: Path, spath: str) -> HeaderResult:
    try:
        with open(spath, "rb") as fp:
            size = os.fstat(fp.fileno()).st_size
            probe = _PixelProbe()
            ds = _parse(fp, probe)
            pixel_start = fp.tell()
    except _NotDicomError as exc:
        return Rejected(spath, f"not a DICOM file ({exc})")
    except (EOFError, OSError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, EOFError) and exc.errno is not None:
            return Rejected(spath, f"cannot be read: {exc.strerror}")
        return Rejected(spath, "truncated file (the header ends early)")
    except Exception as exc:  # pydicom raises many types for malformed headers
        return Rejected(spath, f"damaged DICOM header ({type(exc).__name__}: {exc})")
    try:
        return _classify(ds, spath, size, probe, pixel_start)
    except Exception as exc:  # a value that cannot be converted (bad VR, bad number)
        return Rejected(spath, f"damaged DICOM header ({type(exc).__name__}: {exc})")


class _NotDicomError(Exception):
    pass


def _parse(fp: Any, probe: _PixelProbe) -> Dataset:
    try:
        return read_partial(fp, probe, specific_tags=_INDEXED_TAGS)
    except InvalidDicomError:
        pass
    # A raw dataset without preamble and file meta is still DICOM (old exports); accept
    # it only if forcing the parse yields an object with the identifying UIDs.
    fp.seek(0)
    try:
        ds = read_partial(fp, probe, force=True, specific_tags=_INDEXED_TAGS)
        if "SOPClassUID" in ds and "SOPInstanceUID" in ds:
            return ds
    except Exception:  # forced parsing of arbitrary bytes fails in arbitrary ways
        pass
    raise _NotDicomError("no DICOM preamble or file meta, and no DICOM dataset inside")


def _classify(
    ds: Dataset, path: str, size: int, probe: _PixelProbe, pixel_start: int
) -> HeaderResult:
    raw = _RawHeader(ds)
    sop_class = raw.text(0x00080016) or str(ds.file_meta.get("MediaStorageSOPClassUID", ""))
    sop_uid = raw.text(0x00080018) or str(ds.file_meta.get("MediaStorageSOPInstanceUID", ""))
    if sop_class == DICOMDIR_SOP_CLASS or 0x00041220 in raw:
        return NonImageObject(
            path, "DICOMDIR (index of a DICOM media folder)", DICOMDIR_SOP_CLASS,
            sop_uid, "", "", _dicomdir_references(ds, path),
        )
    if not sop_uid:
        return Rejected(path, "no SOPInstanceUID, so the object cannot be identified")
    patient_id = raw.text(0x00100020)
    study_uid = raw.text(0x0020000D)
    series_uid = raw.text(0x0020000E)
    if sop_class.startswith(NON_IMAGE_SOP_PREFIXES) or (
        probe.length is None and "Image" not in _kind(sop_class)
    ):
        return NonImageObject(path, _kind(sop_class), sop_class, sop_uid, patient_id, study_uid)
    if probe.length is None:
        return Rejected(path, f"{_kind(sop_class)} without pixel data (header-only copy)")
    if not study_uid or not series_uid:
        return Rejected(path, "image without StudyInstanceUID or SeriesInstanceUID")
    rows, cols = raw.ushort(0x00280010), raw.ushort(0x00280011)
    if not rows or not cols:
        return Rejected(path, "image without Rows/Columns")
    tsyntax = _transfer_syntax(ds)
    header_len = 12 if probe.vr in EXPLICIT_VR_LENGTH_32 else 8
    available = size - pixel_start - header_len
    if tsyntax == DeflatedExplicitVRLittleEndian:
        pass  # positions are in the inflated stream; the decoder checks completeness
    elif probe.length == _UNDEFINED_LENGTH:
        if available <= 8:
            return Rejected(path, "truncated file (compressed pixel data missing)")
    elif available < (probe.length or 0):
        return Rejected(
            path,
            f"truncated file (pixel data has {max(available, 0)} of {probe.length} bytes)",
        )
    problem = _decoder_problem(tsyntax)
    if problem:
        return Rejected(path, problem)
    spacing = raw.numbers(0x00280030) or raw.numbers(0x00181164)
    position = raw.numbers(0x00200032)
    return InstanceHeader(
        path=path,
        file_size=size,
        sop_instance_uid=sop_uid,
        sop_class_uid=sop_class,
        study_uid=study_uid,
        series_uid=series_uid,
        patient_id=patient_id,
        patient_name=raw.text(0x00100010),
        patient_sex=raw.text(0x00100040),
        study_date=raw.text(0x00080020),
        study_description=raw.text(0x00081030),
        accession=raw.text(0x00080050),
        modality=raw.text(0x00080060),
        series_number=_int_or_none(raw.first_number(0x00200011)),
        series_description=raw.text(0x0008103E),
        manufacturer=raw.text(0x00080070),
        body_part=raw.text(0x00180015),
        instance_number=_int_or_none(raw.first_number(0x00200013)),
        slice_position=position[2] if len(position) > 2 else raw.first_number(0x00201041),
        rows=rows,
        cols=cols,
        frames=max(1, _int_or_none(raw.first_number(0x00280008)) or 1),
        pixel_spacing_row=spacing[0] if len(spacing) > 1 else None,
        pixel_spacing_col=spacing[1] if len(spacing) > 1 else None,
        slice_thickness=raw.first_number(0x00180050),
        photometric=raw.text(0x00280004),
        transfer_syntax=str(tsyntax),
        image_type=raw.text(0x00080008).upper(),
        view_position=raw.text(0x00185101).upper(),
        laterality=(raw.text(0x00200062) or raw.text(0x00200060)).upper(),
        convolution_kernel=raw.text(0x00181210),
    )


class _RawHeader:
    """Reads values straight from pydicom's raw elements.

    Converting every element through pydicom's value machinery costs more than parsing
    the file; plain ASCII text and numbers are decoded here, and anything else (other
    character sets, odd encodings) goes through pydicom so it is still right.
    """

    def __init__(self, ds: Dataset) -> None:
        self._ds = ds
        # ``elements()`` yields the stored (raw) elements without converting them
        self._elements: dict[int, Any] = {int(e.tag): e for e in ds.elements()}

    def __contains__(self, tag: int) -> bool:
        return tag in self._elements

    def _raw(self, tag: int) -> Any:
        return self._elements.get(tag)

    def text(self, tag: int) -> str:
        elem = self._raw(tag)
        if elem is None:
            return ""
        value = elem.value
        if isinstance(value, bytes) and value.isascii():
            return value.decode("ascii").strip(" \x00")
        if value is None or value == b"":
            return ""
        converted = self._ds[tag].value
        return str(converted).strip() if converted is not None else ""

    def numbers(self, tag: int) -> list[float]:
        try:
            return [float(v) for v in self.text(tag).split("\\") if v.strip()]
        except ValueError:
            return []

    def first_number(self, tag: int) -> float | None:
        values = self.numbers(tag)
        return values[0] if values else None

    def ushort(self, tag: int) -> int:
        elem = self._raw(tag)
        value = getattr(elem, "value", None)
        if isinstance(value, bytes) and len(value) >= 2:
            return int.from_bytes(value[:2], "little" if elem.is_little_endian else "big")
        converted = self._ds[tag].value if elem is not None else None
        return int(converted) if isinstance(converted, int) else 0


def _transfer_syntax(ds: Dataset) -> UID:
    meta = getattr(ds, "file_meta", None)
    tsyntax = meta.get("TransferSyntaxUID") if meta is not None else None
    if tsyntax:
        return UID(str(tsyntax))
    implicit, little = getattr(ds, "original_encoding", (False, True))
    if implicit:
        return UID("1.2.840.10008.1.2")
    return UID("1.2.840.10008.1.2.1" if little else "1.2.840.10008.1.2.2")


@lru_cache(maxsize=64)
def _decoder_problem(tsyntax: UID) -> str:
    """Why pixel data in ``tsyntax`` cannot be decoded here, or '' when it can."""
    if not tsyntax.is_compressed:
        return ""
    from pydicom.pixels import get_decoder

    name = tsyntax.name if tsyntax.is_transfer_syntax else str(tsyntax)
    try:
        decoder = get_decoder(tsyntax)
    except NotImplementedError:
        return f"compressed with {name}; no decoder exists for it"
    if decoder.is_available:
        return ""
    missing = "; ".join(decoder.missing_dependencies) or "no plugin"
    return f"compressed with {name}; decoder missing ({missing})"


def _kind(sop_class: str) -> str:
    name = UID(sop_class).name if sop_class else ""
    return name if name and name != sop_class else f"non-image object ({sop_class or 'no SOP class'})"


def _dicomdir_references(ds: Dataset, path: str) -> tuple[str, ...]:
    root = Path(path).parent
    refs: list[str] = []
    for record in ds.get("DirectoryRecordSequence", []):
        file_id = record.get("ReferencedFileID")
        if not file_id:
            continue
        parts = [file_id] if isinstance(file_id, str) else list(file_id)
        if any(p in ("..", "") or "/" in p or "\\" in p for p in parts):
            continue  # a DICOMDIR must not point outside its own folder
        refs.append(str(root.joinpath(*parts)))
    return tuple(refs)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
