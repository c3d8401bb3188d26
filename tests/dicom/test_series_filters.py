"""Which images of a study count: a task's series filter on the description, image type,
view, laterality, CT kernel and slice thickness, read from the site's index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from coordinator.task_definition import ImageAttributes, SeriesFilter, task_problems
from siteapp.dicom.dataset_source import dataset_attributes, labelled_patients
from siteapp.dicom.importer import import_paths
from siteapp.dicom.labels import import_labels
from siteapp.dicom.phantom import LABELS_FILENAME, generate_phantom_sites

AXIAL = ImageAttributes(
    series_description="Chest 1mm B70f", image_type=("ORIGINAL", "PRIMARY", "AXIAL"),
    convolution_kernel="B70f", slice_thickness_mm=1.0,
)


def test_every_condition_of_a_series_filter_must_hold() -> None:
    assert SeriesFilter().accepts(AXIAL)
    assert SeriesFilter(image_type_includes=("primary",)).accepts(AXIAL)  # case ignored
    assert not SeriesFilter(image_type_includes=("PRIMARY", "LOCALIZER")).accepts(AXIAL)
    assert not SeriesFilter(exclude_image_type=("AXIAL",)).accepts(AXIAL)
    assert SeriesFilter(convolution_kernel_contains=("b70", "lung")).accepts(AXIAL)
    assert not SeriesFilter(convolution_kernel_contains=("B30",)).accepts(AXIAL)
    assert SeriesFilter(slice_thickness_mm=(0.5, 1.0)).accepts(AXIAL)  # inclusive
    assert not SeriesFilter(slice_thickness_mm=(2.0, 5.0)).accepts(AXIAL)
    # an image without the attribute a condition reads fails it
    assert not SeriesFilter(view_positions=("CC",)).accepts(AXIAL)
    assert not SeriesFilter(slice_thickness_mm=(0.0, 9.0)).accepts(ImageAttributes())
    mammogram = ImageAttributes(view_position="MLO", laterality="R")
    assert SeriesFilter(view_positions=("cc", "mlo"), lateralities=("R",)).accepts(mammogram)
    assert not SeriesFilter(lateralities=("L",)).accepts(mammogram)
    assert "CC or MLO views" in SeriesFilter(view_positions=("CC", "MLO")).describe()


def test_a_slice_thickness_range_upside_down_is_a_task_file_problem() -> None:
    problems = task_problems({
        "name": "x", "title": "x", "modality": "CT", "body_part": "CHEST",
        "input": {"kind": "2d_slice", "matrix": 64, "spacing_mm": 2},
        "windowing": "lung", "classes": ["a", "b", "c"],
        "series_filter": {"slice_thickness_mm": [5, 1], "view_position": ["CC"]},
    })
    assert any("slice_thickness_mm is [low, high]" in p for p in problems), problems
    assert any("view_position" in p for p in problems), problems  # misspelt field named


def test_the_index_keeps_what_filters_read_and_training_uses_only_the_chosen_views(
    tmp_path: Path,
) -> None:
    (site,) = generate_phantom_sites(tmp_path / "mg", sites=1, patients=4, seed=2,
                                     task="mammo-mass", slices=2)
    data_dir = tmp_path / "site"
    import_paths(data_dir, [site])
    import_labels(data_dir, site / LABELS_FILENAME, "mammo-mass")
    with sqlite3.connect(data_dir / "site.sqlite") as conn:
        views = {r for r in conn.execute("SELECT view_position, laterality FROM instances")}
    assert views == {("CC", "L"), ("MLO", "L")}
    every = labelled_patients(data_dir)
    cc_only = labelled_patients(data_dir, series=SeriesFilter(view_positions=("CC",)).accepts)
    assert [len(p.paths) for p in every] == [2] * len(every)
    assert [len(p.paths) for p in cc_only] == [1] * len(every)
    assert all(pydicom.dcmread(p.paths[0]).ViewPosition == "CC" for p in cc_only)


def test_a_scout_and_a_thick_reformat_are_left_out_of_a_ct_task(tmp_path: Path) -> None:
    (site,) = generate_phantom_sites(tmp_path / "ct", sites=1, patients=2, seed=2, slices=2)
    patient = sorted(p for p in site.iterdir() if p.is_dir())[0]
    for name, image_type, thickness in (("scout", "LOCALIZER", 2.5), ("thick", "AXIAL", 5.0)):
        ds = pydicom.dcmread(next(patient.glob("CT*.dcm")))
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.SeriesInstanceUID = generate_uid()
        ds.ImageType = ["ORIGINAL", "PRIMARY", image_type]
        ds.SliceThickness = thickness
        ds.ConvolutionKernel = "B70f"
        ds.save_as(patient / f"{name}.dcm", enforce_file_format=True)
    data_dir = tmp_path / "site"
    import_paths(data_dir, [site])
    import_labels(data_dir, site / LABELS_FILENAME, "lung-ct-nodule")
    chosen = SeriesFilter(exclude_image_type=("LOCALIZER",), slice_thickness_mm=(0.5, 3.0))
    (first, *_) = labelled_patients(data_dir, series=chosen.accepts)
    names = {p.name for p in first.paths}
    assert names == {"CT001.dcm", "CT002.dcm"}, names
    (with_kernel,) = [
        p for p in labelled_patients(data_dir, series=SeriesFilter(convolution_kernel_contains=("b70",)).accepts)
    ]
    assert {p.name for p in with_kernel.paths} == {"scout.dcm", "thick.dcm"}
    scout = dataset_attributes(pydicom.dcmread(patient / "scout.dcm", stop_before_pixels=True))
    assert "LOCALIZER" in scout.image_type and not chosen.accepts(scout)


def test_reimporting_fills_the_filter_columns_of_an_older_index(tmp_path: Path) -> None:
    (site,) = generate_phantom_sites(tmp_path / "mg", sites=1, patients=2, seed=5,
                                     task="mammo-mass", slices=2)
    data_dir = tmp_path / "site"
    import_paths(data_dir, [site])
    with sqlite3.connect(data_dir / "site.sqlite") as conn:  # as an index made before them
        conn.execute("UPDATE instances SET view_position = '', laterality = ''")
    import_paths(data_dir, [site])
    with sqlite3.connect(data_dir / "site.sqlite") as conn:
        assert {r[0] for r in conn.execute("SELECT view_position FROM instances")} == {"CC", "MLO"}


@pytest.mark.parametrize("description", ["PA chest", "LAT chest"])
def test_a_description_alone_is_still_judged_by_the_description_conditions(description: str) -> None:
    frontal = SeriesFilter(exclude_series_description=("LAT",))
    assert frontal.accepts_description(description) == description.startswith("PA")
