"""Phantom studies: real DICOM, seeded, with the site differences the demo relies on."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pydicom
import pytest

from siteapp.cli import main
from siteapp.demo import prepare_sites
from siteapp.dicom.index import StudyIndex
from siteapp.dicom.phantom import LUNG_HU, SITE_PROFILES, generate_phantom_sites
from siteapp.dicom.pixels import read_frames


def test_sites_have_labels_and_differ_like_hospitals(phantom_root: Path) -> None:
    sizes, makers, spacings, positives = [], set(), set(), []
    for number in (1, 2, 3):
        site = phantom_root / f"site-{number}"
        rows = list(csv.DictReader((site / "labels.csv").open(encoding="utf-8")))
        assert {r["label"] for r in rows} == {"nodule", "no_nodule"}
        assert all((site / r["PatientID"]).is_dir() for r in rows)
        sizes.append(len(rows))
        positives.append(sum(r["label"] == "nodule" for r in rows) / len(rows))
        ds = pydicom.dcmread(next(site.rglob("*.dcm")))
        makers.add(ds.Manufacturer)
        spacings.add(float(ds.PixelSpacing[0]))
    assert sizes == [12, 12, 6] and len(makers) == 3 and len(spacings) == 3
    assert positives[0] > positives[1] >= positives[2]  # class balance differs


def test_ct_is_stored_with_rescale_and_reads_back_in_hounsfield_units(
    phantom_root: Path,
) -> None:
    path = phantom_root / "site-3" / "S3-0001" / "CT002.dcm"
    ds = pydicom.dcmread(path)
    assert ds.RescaleIntercept == SITE_PROFILES[2].rescale_intercept == -1000
    hu = read_frames(path)[0]
    assert hu.min() >= -1100  # air, with noise
    centre_of_right_lung = hu[60:68, 30:38]
    assert abs(float(np.median(centre_of_right_lung)) - LUNG_HU) < 200


def test_same_seed_same_files(tmp_path: Path) -> None:
    a = generate_phantom_sites(tmp_path / "a", sites=1, patients=3, seed=7, slices=2)
    b = generate_phantom_sites(tmp_path / "b", sites=1, patients=3, seed=7, slices=2)
    files_a, files_b = sorted(a[0].rglob("*.dcm")), sorted(b[0].rglob("*.dcm"))
    assert [f.read_bytes() for f in files_a] == [f.read_bytes() for f in files_b]
    c = generate_phantom_sites(tmp_path / "c", sites=1, patients=3, seed=8, slices=2)
    assert files_a[0].read_bytes() != sorted(c[0].rglob("*.dcm"))[0].read_bytes()


def test_mammography_phantom_with_monochrome1_site(tmp_path: Path) -> None:
    sites = generate_phantom_sites(tmp_path, sites=3, patients=4, seed=0, task="mammo-mass")
    path = next(sites[2].rglob("*.dcm"))
    ds = pydicom.dcmread(path)
    assert ds.Modality == "MG" and ds.PhotometricInterpretation == "MONOCHROME1"
    image = read_frames(path)[0]
    # after inversion the breast (chest-wall side, left) is brighter than the air (right)
    assert image[:, :8].mean() > image[:, -8:].mean()


def test_demo_data_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo-data", str(out), "--sites", "2", "--patients", "3", "--slices", "1"]) == 0
    assert len(list(out.rglob("*.dcm"))) == 6
    assert main(["demo-data", str(out), "--patients", "1"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_demo_prepares_three_labelled_sites(tmp_path: Path) -> None:
    data_dirs = prepare_sites(tmp_path, patients=4)
    assert len(data_dirs) == 3
    for data_dir in data_dirs:
        with StudyIndex(data_dir) as index:
            counts = index.counts()
        assert counts["labelled_patients"] == counts["patients"] > 0


@pytest.mark.parametrize(
    ("task", "matrix", "spacing"), [("lung-ct-nodule", 256, 1.4), ("mammo-mass", 640, 0.3),
                                    ("chest-xray", 256, 1.6)],
)
def test_a_finer_detector_shows_the_same_field_at_the_task_files_resolution(
    task: str, matrix: int, spacing: float, tmp_path: Path
) -> None:
    """The full-resolution runs resample the phantom down to the task's grid, never up."""
    from siteapp.dicom.phantom import detector_scale_for, phantom_pixel_spacings_mm

    scale = detector_scale_for(task, spacing)
    assert max(phantom_pixel_spacings_mm(task)) / scale <= spacing
    assert scale == 1 or max(phantom_pixel_spacings_mm(task)) / (scale - 1) > spacing
    coarse, fine = (
        sorted(next(iter(generate_phantom_sites(
            tmp_path / str(s), sites=1, patients=2, seed=1, task=task, detector_scale=s,
        ))).rglob("*.dcm"))[0]
        for s in (1, scale)
    )
    a, b = pydicom.dcmread(coarse), pydicom.dcmread(fine)
    spacing_a = float((a.get("PixelSpacing") or a.ImagerPixelSpacing)[0])
    spacing_b = float((b.get("PixelSpacing") or b.ImagerPixelSpacing)[0])
    assert spacing_b <= spacing and spacing_b == pytest.approx(spacing_a / scale, abs=1e-3)
    field_a, field_b = a.Rows * spacing_a, b.Rows * spacing_b
    assert field_b == pytest.approx(field_a, rel=0.02)
