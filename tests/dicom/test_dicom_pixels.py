"""The pixel pipeline against values computed by hand from the DICOM headers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from siteapp.dicom.pixels import (
    WINDOW_PRESETS,
    PixelDecodeError,
    preprocess,
    read_frames,
    resample,
    window,
)
from siteapp.tasks import demo_task


def _corpus(name: str) -> Path:
    return Path(str(get_testdata_file(name)))


def test_ct_small_modality_lut_gives_hounsfield_units() -> None:
    # CT_small.dcm: RescaleSlope 1, RescaleIntercept -1024; stored 175, 1671, 185
    hu = read_frames(_corpus("CT_small.dcm"))
    assert hu.shape == (1, 128, 128) and hu.dtype == np.float32
    assert hu[0, 0, 0] == 175 - 1024 == -849
    assert hu[0, 64, 50] == 1671 - 1024 == 647
    assert hu[0, 10, 20] == 185 - 1024 == -839


def test_ct_small_lung_window_by_hand() -> None:
    hu = read_frames(_corpus("CT_small.dcm"))[0]
    lung = window(hu, "lung")  # centre -600, width 1500: 0 at -1350 HU, 1 at +150 HU
    assert lung[0, 0] == pytest.approx((-849 + 1350) / 1500)
    assert lung[10, 20] == pytest.approx((-839 + 1350) / 1500)
    assert lung[64, 50] == 1.0  # 647 HU is above the window: clipped
    assert window(hu, "mediastinum")[0, 0] == 0.0  # -849 HU is below -125 HU
    assert window(hu, (-849.0, 2.0))[0, 0] == pytest.approx(0.5)


def test_mr_small_has_no_rescale_so_values_are_stored_values() -> None:
    frames = read_frames(_corpus("MR_small.dcm"))
    assert frames.shape == (1, 64, 64)
    assert (frames[0, 0, 0], frames[0, 32, 50], frames[0, 10, 20]) == (905, 1252, 316)


def test_auto_window_spans_the_image_percentiles() -> None:
    frames = read_frames(_corpus("MR_small.dcm"))[0]
    low, high = np.percentile(frames, [1, 99])
    out = window(frames, "auto")
    assert out.min() == 0.0 and out.max() == 1.0
    value = frames[32, 50]
    assert out[32, 50] == pytest.approx(np.clip((value - low) / (high - low), 0, 1), abs=1e-6)


def test_window_presets_cover_the_named_anatomy() -> None:
    assert set(WINDOW_PRESETS) == {"lung", "mediastinum", "bone", "brain", "soft_tissue"}
    with pytest.raises(ValueError, match="unknown window"):
        window(np.zeros((2, 2)), "liver")


def test_monochrome1_is_inverted_over_the_stored_range(tmp_path: Path) -> None:
    ds = pydicom.dcmread(_corpus("MR_small.dcm"))
    ds.PhotometricInterpretation = "MONOCHROME1"
    path = tmp_path / "mono1.dcm"
    ds.save_as(path)
    # signed 16-bit: low + high = -32768 + 32767 = -1, so inverted = -1 - stored
    assert read_frames(path)[0, 0, 0] == -1 - 905


def test_rgb_becomes_grey_with_bt601_weights() -> None:
    ds = pydicom.dcmread(_corpus("SC_rgb_rle.dcm"))
    r, g, b = (float(v) for v in ds.pixel_array[5, 5])
    grey = read_frames(_corpus("SC_rgb_rle.dcm"))[0, 5, 5]
    assert grey == pytest.approx(0.299 * r + 0.587 * g + 0.114 * b, abs=1e-3)


def test_multiframe_files_give_one_array_per_frame() -> None:
    frames = read_frames(_corpus("SC_rgb_rle_2frame.dcm"))
    assert frames.shape == (2, 100, 100)


def test_resample_averages_blocks_and_pads_outside_the_field_of_view() -> None:
    image = np.arange(16, dtype=np.float32).reshape(4, 4)
    halved = resample(image, (1.0, 1.0), 2.0, 2)
    assert halved.tolist() == [[2.5, 4.5], [10.5, 12.5]]  # means of the 2x2 blocks
    padded = resample(np.ones((2, 2), np.float32), (1.0, 1.0), 1.0, 4)
    assert padded.tolist() == [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]


def test_preprocess_gives_the_task_matrix_in_unit_range() -> None:
    task = demo_task("lung-ct-nodule")
    image = preprocess(_corpus("CT_small.dcm"), task)
    assert image.shape == (task.matrix, task.matrix) and image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0
    # CT_small covers 128 x 0.66 mm = 85 mm; a 64 x 5 mm grid leaves the corners empty
    assert image[0, 0] == 0.0 and image[task.matrix // 2, task.matrix // 2] > 0.0


def test_undecodable_pixels_raise_a_decode_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.dcm"
    data = _corpus("MR_small.dcm").read_bytes()
    broken.write_bytes(data[: len(data) - 4000])
    with pytest.raises(PixelDecodeError, match="cannot decode"):
        read_frames(broken)
