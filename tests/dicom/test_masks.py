"""Masks as data: phantom SEGs, MedFed's own SEG read back by other readers, and SEG /
RTSTRUCT objects written by other tools (highdicom's and pydicom's own APIs) imported."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.sr.codedict import codes
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from siteapp.dicom.importer import import_paths
from siteapp.dicom.index import StudyIndex
from siteapp.dicom.masks import MaskError, mask_for_series, save_mask, series_with_masks
from siteapp.dicom.phantom import PHANTOM_SEGMENTS, generate_phantom_sites
from siteapp.dicom.pixels import read_frames

RTSTRUCT = "1.2.840.10008.5.1.4.1.1.481.3"


@pytest.fixture(scope="module")
def ct_phantom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny CT site (3 patients x 2 slices) with its lesion masks."""
    (site,) = generate_phantom_sites(tmp_path_factory.mktemp("ct-masks"), 1, 3, seed=4,
                                     slices=2, masks=True)
    return site


def _images_only(site: Path, target: Path) -> Path:
    """A copy of the phantom without its SEG files (to import foreign masks over)."""
    shutil.copytree(site, target, ignore=shutil.ignore_patterns("SEG*.dcm"))
    return target


def _series(data_dir: Path) -> list[str]:
    with StudyIndex(data_dir) as index:
        return [s.series_uid for p in index.patients() for st in index.studies(p.patient_key)
                for s in index.series(st.study_uid)]


def _instances(data_dir: Path, series_uid: str) -> list[tuple[str, Path]]:
    with StudyIndex(data_dir) as index:
        return [(i.sop_instance_uid, i.file_path) for i in index.instances(series_uid)]


def test_phantom_masks_import_and_outline_the_lesion(ct_phantom: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    report = import_paths(data, [ct_phantom])
    assert len(report.masks) == 3 and report.mask_problems == []
    assert import_paths(data, [ct_phantom]).masks == []  # importing again adds nothing
    lesions = 0
    with StudyIndex(data) as index:
        assert len(series_with_masks(index)) == 3
        for series_uid in series_with_masks(index):
            mask = mask_for_series(index, series_uid)
            assert mask is not None and mask.source == "phantom"
            assert mask.segments == PHANTOM_SEGMENTS["lung-ct-nodule"]
            for instance in index.instances(series_uid):
                label = mask.frames[instance.sop_instance_uid]
                assert label.shape == (instance.rows, instance.cols) and label.dtype == np.uint8
                if label.any():
                    lesions += 1
                    hu = read_frames(instance.file_path)[0]
                    # the nodule is soft tissue inside air-filled lung
                    assert np.median(hu[label == 1]) > np.median(hu[label == 0]) + 300
    assert lesions >= 2


def test_mammography_masks_one_seg_per_view(tmp_path: Path) -> None:
    (site,) = generate_phantom_sites(tmp_path / "mg", 1, 2, seed=1, task="mammo-mass",
                                     masks=True)
    report = import_paths(tmp_path / "data", [site])
    assert report.mask_problems == []
    with StudyIndex(tmp_path / "data") as index:
        series = series_with_masks(index)
        masks = [mask_for_series(index, uid) for uid in series]
        assert all(m is not None and len(m.frames) == 2 for m in masks)
        assert any(f.any() for m in masks if m for f in m.frames.values())


def test_medfed_seg_reads_back_in_highdicom_and_pydicom(ct_phantom: Path, tmp_path: Path) -> None:
    data = _imported_images(ct_phantom, tmp_path)
    series_uid = _series(data)[0]
    instances = _instances(data, series_uid)
    drawn = {}
    for n, (uid, _) in enumerate(instances):
        label = np.zeros((128, 128), dtype=np.uint8)
        label[10 + n : 30, 40:60] = 1
        label[70:80, 70 + n : 90] = 2
        drawn[uid] = label
    with StudyIndex(data) as index:
        saved = save_mask(index, series_uid, drawn, ["nodule", "vessel"])
    uids = [uid for uid, _ in instances]
    expected = np.stack([drawn[uid] for uid in uids])

    seg = hd.seg.segread(saved.path)
    by_highdicom = seg.get_pixels_by_source_instance(uids, combine_segments=True)
    np.testing.assert_array_equal(by_highdicom, expected)
    assert [seg.get_segment_description(n).segment_label for n in (1, 2)] == ["nodule", "vessel"]

    ds = pydicom.dcmread(saved.path)
    assert ds.Modality == "SEG" and ds.SegmentationType == "BINARY"
    by_pydicom = np.zeros_like(expected)
    for frame, item in zip(ds.pixel_array, ds.PerFrameFunctionalGroupsSequence, strict=True):
        source = item.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
        segment = item.SegmentIdentificationSequence[0].ReferencedSegmentNumber
        by_pydicom[uids.index(source)][frame > 0] = segment
    np.testing.assert_array_equal(by_pydicom, expected)

    with StudyIndex(data) as index:
        again = mask_for_series(index, series_uid)
    assert again is not None and again.source == "drawn"
    for uid in uids:
        np.testing.assert_array_equal(again.frames[uid], drawn[uid])


def _imported_images(site: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    import_paths(data, [_images_only(site, tmp_path / "images")])
    return data


def test_foreign_seg_imports_with_its_segment_names(ct_phantom: Path, tmp_path: Path) -> None:
    images = _images_only(ct_phantom, tmp_path / "images")
    sources = [pydicom.dcmread(p) for p in sorted(next(images.glob("S1-*")).glob("CT*.dcm"))]
    pixels = np.zeros((len(sources), 128, 128), dtype=np.uint8)
    pixels[0, 50:60, 50:70] = 1
    pixels[-1, 20:25, 20:25] = 2
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=n, segment_label=name,
            segmented_property_category=codes.SCT.Tissue,
            segmented_property_type=codes.SCT.Lung,
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
        )
        for n, name in ((1, "left lung spot"), (2, "right lung spot"))
    ]
    seg = hd.seg.Segmentation(
        source_images=sources, pixel_array=pixels,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions, series_instance_uid=hd.UID(), series_number=77,
        sop_instance_uid=hd.UID(), instance_number=1, manufacturer="Another Tool",
        manufacturer_model_name="Contour Pro", software_versions="9", device_serial_number="x",
    )  # omits empty frames by default, unlike MedFed
    seg.save_as(images / "foreign-seg.dcm")

    data = tmp_path / "data"
    report = import_paths(data, [images])
    assert report.mask_problems == [] and [m["source"] for m in report.masks] == ["imported-seg"]
    with StudyIndex(data) as index:
        mask = mask_for_series(index, str(sources[0].SeriesInstanceUID))
    assert mask is not None and mask.segments == ("left lung spot", "right lung spot")
    for n, source in enumerate(sources):
        np.testing.assert_array_equal(mask.frames[source.SOPInstanceUID], pixels[n])
    assert mask.path.is_relative_to(data)


def _rtstruct(image: Dataset, square_mm: tuple[float, float, float, float]) -> Dataset:
    """An RTSTRUCT with one closed square contour on ``image``, built with pydicom only."""
    x0, y0, x1, y1 = square_mm
    z = float(image.ImagePositionPatient[2])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = RTSTRUCT
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = RTSTRUCT, meta.MediaStorageSOPInstanceUID
    ds.Modality = "RTSTRUCT"
    for keyword in ("PatientID", "PatientName", "StudyInstanceUID", "FrameOfReferenceUID"):
        setattr(ds, keyword, getattr(image, keyword))
    ds.SeriesInstanceUID = generate_uid()
    ds.StructureSetLabel = "contours"
    series = Dataset()
    series.SeriesInstanceUID = image.SeriesInstanceUID
    study = Dataset()
    study.ReferencedSOPInstanceUID = image.StudyInstanceUID
    study.RTReferencedSeriesSequence = DicomSequence([series])
    frame = Dataset()
    frame.FrameOfReferenceUID = image.FrameOfReferenceUID
    frame.RTReferencedStudySequence = DicomSequence([study])
    ds.ReferencedFrameOfReferenceSequence = DicomSequence([frame])
    roi = Dataset()
    roi.ROINumber, roi.ROIName = 7, "GTV"
    roi.ReferencedFrameOfReferenceUID = image.FrameOfReferenceUID
    ds.StructureSetROISequence = DicomSequence([roi])
    contour = Dataset()
    contour.ContourGeometricType = "CLOSED_PLANAR"
    contour.NumberOfContourPoints = 4
    contour.ContourData = [x0, y0, z, x1, y0, z, x1, y1, z, x0, y1, z]
    roi_contour = Dataset()
    roi_contour.ReferencedROINumber = 7
    roi_contour.ContourSequence = DicomSequence([contour])  # no image named: found by plane
    ds.ROIContourSequence = DicomSequence([roi_contour])
    return ds


def test_foreign_rtstruct_is_rasterised_onto_its_image(ct_phantom: Path, tmp_path: Path) -> None:
    images = _images_only(ct_phantom, tmp_path / "images")
    image = pydicom.dcmread(sorted(next(images.glob("S1-*")).glob("CT*.dcm"))[1])
    origin = [float(v) for v in image.ImagePositionPatient]
    spacing = float(image.PixelSpacing[0])
    # columns 30..40 and rows 50..60 in patient millimetres
    square = (origin[0] + 30 * spacing, origin[1] + 50 * spacing,
              origin[0] + 40 * spacing, origin[1] + 60 * spacing)
    _rtstruct(image, square).save_as(images / "rtstruct.dcm", enforce_file_format=True)

    data = tmp_path / "data"
    report = import_paths(data, [images])
    assert report.mask_problems == []
    with StudyIndex(data) as index:
        mask = mask_for_series(index, str(image.SeriesInstanceUID))
    assert mask is not None and mask.source == "imported-rtstruct" and mask.segments == ("GTV",)
    label = mask.frames[image.SOPInstanceUID]
    expected = np.zeros_like(label)
    expected[50:61, 30:41] = 1  # the contour's vertices lie on pixel centres
    np.testing.assert_array_equal(label, expected)
    assert list(mask.frames) == [image.SOPInstanceUID]  # other slices carry no contour


def test_objects_that_cannot_be_matched_are_reported_with_a_reason(
    ct_phantom: Path, tmp_path: Path
) -> None:
    images = _images_only(ct_phantom, tmp_path / "images")
    patient = next(images.glob("S1-*"))
    sources = [pydicom.dcmread(p) for p in sorted(patient.glob("CT*.dcm"))]
    description = hd.seg.SegmentDescription(
        segment_number=1, segment_label="x", segmented_property_category=codes.SCT.Tissue,
        segmented_property_type=codes.SCT.Lung,
        algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
    )

    def seg(srcs: list[Dataset], pixels: np.ndarray, kind: str = "BINARY") -> hd.seg.Segmentation:
        return hd.seg.Segmentation(
            source_images=srcs, pixel_array=pixels, segmentation_type=kind,
            segment_descriptions=[description], series_instance_uid=hd.UID(), series_number=5,
            sop_instance_uid=hd.UID(), instance_number=1, manufacturer="Other",
            manufacturer_model_name="m", software_versions="1", device_serial_number="1",
            omit_empty_frames=False,
        )

    other = copy.deepcopy(sources)
    for ds in other:
        ds.SeriesInstanceUID = "1.2.3.4.5.999"
    seg(other, np.ones((2, 128, 128), np.uint8)).save_as(images / "unknown-series.dcm")
    small = copy.deepcopy(sources)
    for ds in small:
        ds.Rows = ds.Columns = 64
        del ds.PixelData
    seg(small, np.ones((2, 64, 64), np.uint8)).save_as(images / "small.dcm")
    seg(sources, np.full((2, 128, 128), 0.5, np.float32), "FRACTIONAL").save_as(
        images / "fractional.dcm")

    report = import_paths(tmp_path / "data", [images])
    reasons = {Path(p["path"]).name: p["reason"] for p in report.mask_problems}
    assert "unknown referenced series 1.2.3.4.5.999" in reasons["unknown-series.dcm"]
    assert "size mismatch" in reasons["small.dcm"]
    assert "unsupported SEG type FRACTIONAL" in reasons["fractional.dcm"]
    assert report.masks == [] and "3 mask objects not matched" in report.summary()


def test_drawn_mask_wins_over_imported_image_by_image(ct_phantom: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_paths(data, [ct_phantom])
    with StudyIndex(data) as index:
        series_uid = series_with_masks(index)[0]
        first, second = (i.sop_instance_uid for i in index.instances(series_uid))
        drawn = np.zeros((128, 128), np.uint8)
        drawn[5:9, 5:9] = 1
        save_mask(index, series_uid, {first: drawn}, ["vessel"])
        # an import after the drawing does not hide the correction
        save_mask(index, series_uid, {first: np.ones((128, 128), np.uint8)}, ["nodule"],
                  source="imported-seg")
        mask = mask_for_series(index, series_uid)
        phantom_second = index.connection.execute("SELECT COUNT(*) FROM masks").fetchone()[0]
    assert mask is not None and mask.source == "drawn"
    assert mask.segments == ("vessel", "nodule")  # the drawn mask's names first
    np.testing.assert_array_equal(mask.frames[first], drawn)
    assert set(mask.frames) == {first, second}  # the second image keeps its phantom frame
    assert set(np.unique(mask.frames[second])) <= {0, 2}
    assert phantom_second == 5


def test_save_refuses_frames_that_do_not_fit(ct_phantom: Path, tmp_path: Path) -> None:
    data = _imported_images(ct_phantom, tmp_path)
    series_uid = _series(data)[0]
    (uid, _), _ = _instances(data, series_uid)
    with StudyIndex(data) as index:
        with pytest.raises(MaskError, match="shape"):
            save_mask(index, series_uid, {uid: np.zeros((64, 64), np.uint8)}, ["nodule"])
        with pytest.raises(MaskError, match="not images of this series"):
            save_mask(index, series_uid, {"1.2.3": np.zeros((128, 128), np.uint8)}, ["nodule"])
        with pytest.raises(MaskError, match="label 3"):
            save_mask(index, series_uid, {uid: np.full((128, 128), 3, np.uint8)}, ["nodule"])
        assert series_with_masks(index) == []


def test_masks_received_one_file_at_a_time_are_stored_at_the_end(
    ct_phantom: Path, tmp_path: Path
) -> None:
    """The DICOM receiver indexes each instance as it arrives; a SEG may come first."""
    from siteapp.dicom.importer import IndexSession

    patient = next(ct_phantom.glob("S1-*"))
    session = IndexSession(tmp_path / "data")
    for path in [patient / "SEG.dcm", *sorted(patient.glob("CT*.dcm"))]:
        session.add(path)
    session.close()
    assert [m["source"] for m in session.report.masks] == ["phantom"]
    with StudyIndex(tmp_path / "data") as index:
        assert len(series_with_masks(index)) == 1


def test_cli_lists_masks_and_says_why_one_was_not_stored(
    ct_phantom: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from siteapp.cli import main

    images = tmp_path / "in"
    shutil.copytree(ct_phantom, images)
    seg = pydicom.dcmread(images / "S1-0001" / "SEG.dcm")
    seg.SOPInstanceUID = generate_uid()
    seg.ReferencedSeriesSequence[0].SeriesInstanceUID = "1.2.3.999"
    seg.save_as(images / "orphan-seg.dcm")
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "import", str(images)]) == 0
    out = capsys.readouterr().out
    assert "3 masks stored, 1 mask objects not matched" in out
    assert "mask not stored:" in out and "orphan-seg.dcm" in out
    assert main(["--data-dir", data, "masks", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["masks"]
    assert len(rows) == 3 and {r["source"] for r in rows} == {"phantom"}
    assert all(r["images_masked"] == r["images"] == 2 for r in rows)
    assert sum(r["images_with_region"] > 0 for r in rows) >= 1
