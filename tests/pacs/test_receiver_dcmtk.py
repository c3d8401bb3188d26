"""An independent DICOM client (dcmtk's storescu) sends to ``medfed-site dicom-listen``:
received studies are indexed like an import; unknown callers are turned away."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest

from siteapp.cli import main
from siteapp.dicom.importer import import_paths
from siteapp.dicom.phantom import generate_phantom_sites
from siteapp.dicom.pseudonym import patient_key, site_secret
from siteapp.dicom.schema import open_dicom_db
from siteapp.pacs.association import PacsError
from siteapp.pacs.config import DicomNetworkConfig, ReceiverSettings
from siteapp.pacs.receiver import StorageReceiver
from tests.pacs.conftest import PATIENTS, SLICES, need_dcmtk, study_files


class Listener:
    """``medfed-site dicom-listen`` in a child process, on a free loopback port."""

    def __init__(self, data_dir: Path, *options: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "siteapp.cli", "--data-dir", str(data_dir), "dicom-listen",
             "--port", "0", "--bind", "127.0.0.1", *options],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        found = re.search(r"127\.0\.0\.1:(\d+)", first)
        assert found, first
        self.port = int(found.group(1))

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=20)
        assert self.process.returncode == 0, out
        return out


@pytest.fixture
def listener(data_dir: Path) -> Iterator[Listener]:
    need_dcmtk()
    running = Listener(data_dir, "--ae-title", "MEDFED", "--allow-ae", "CT-SCANNER")
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def storescu(calling_ae: str, port: int, *paths: Path,
             options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["storescu", *options, "-aet", calling_ae, "-aec", "MEDFED", "127.0.0.1", str(port),
         *map(str, paths)],
        capture_output=True, text=True, timeout=60,
    )


def test_storescu_studies_are_indexed_like_an_import(
    listener: Listener, data_dir: Path, tiny_studies: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    header_only = tmp_path / "header-only.dcm"
    ds = pydicom.dcmread(study_files(tiny_studies)[0])
    del ds.PixelData
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.save_as(header_only)
    sent = storescu("CT-SCANNER", listener.port, *study_files(tiny_studies), header_only)
    assert sent.returncode == 0, sent.stderr
    out = listener.stop()

    assert main(["--data-dir", str(data_dir), "studies", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert counts["patients"] == PATIENTS and counts["instances"] == PATIENTS * SLICES
    conn = open_dicom_db(data_dir)
    try:
        secret = site_secret(conn)
        keys = {row[0] for row in conn.execute("SELECT patient_key FROM patients")}
    finally:
        conn.close()
    assert keys == {patient_key(secret, f"S1-{n:04d}") for n in range(1, PATIENTS + 1)}
    # The same reason an import of that file gives, in the receiver's report.
    reason = import_paths(tmp_path / "other-site", [header_only]).skipped[0]["reason"]
    assert "from CT-SCANNER (127.0.0.1:" in out
    assert f": {reason}" in out and "1 files skipped" in out


def test_unknown_calling_ae_title_is_rejected(
    listener: Listener, data_dir: Path, tiny_studies: Path,
) -> None:
    refused = storescu("INTRUDER", listener.port, *study_files(tiny_studies))
    assert refused.returncode != 0
    assert "Calling AE Title Not Recognized" in refused.stderr
    listener.stop()
    assert not (data_dir / "received").exists()


def test_a_host_outside_the_allowed_list_is_turned_away(
    data_dir: Path, tiny_studies: Path,
) -> None:
    need_dcmtk()
    config = DicomNetworkConfig(ReceiverSettings(
        "MEDFED", 0, "127.0.0.1", ("CT-SCANNER",), ("192.0.2.7",)))
    receiver = StorageReceiver(data_dir, config)
    receiver.start()
    try:
        refused = storescu("CT-SCANNER", receiver.port, *study_files(tiny_studies))
    finally:
        receiver.stop()
    assert refused.returncode != 0
    assert not (data_dir / "received").exists()


def test_a_receiver_open_to_anyone_does_not_start(data_dir: Path) -> None:
    receiver = StorageReceiver(data_dir, DicomNetworkConfig(ReceiverSettings(port=0)))
    with pytest.raises(PacsError, match="accepts no caller"):
        receiver.start()


def test_a_seg_sent_before_its_images_becomes_their_mask(
    listener: Listener, data_dir: Path, tmp_path: Path,
) -> None:
    from siteapp.dicom.index import StudyIndex
    from siteapp.dicom.masks import mask_for_series, series_with_masks

    (site,) = generate_phantom_sites(tmp_path / "masked", 1, 2, 0, "lung-ct-nodule", SLICES,
                                     masks=True)
    patient = site / "S1-0001"
    # -R: propose the SOP classes of the files sent (storescu's default list has no SEG)
    sent = storescu("CT-SCANNER", listener.port, patient / "SEG.dcm",
                    *sorted(patient.glob("CT*.dcm")), options=("-R",))
    assert sent.returncode == 0, sent.stderr

    def stored() -> list[str]:
        with StudyIndex(data_dir) as index:
            return series_with_masks(index)

    deadline = time.monotonic() + 60  # the masks are stored when the association ends
    while not stored() and time.monotonic() < deadline:
        time.sleep(0.2)
    listener.stop()
    with StudyIndex(data_dir) as index:
        (series_uid,) = series_with_masks(index)
        mask = mask_for_series(index, series_uid)
    assert mask is not None and mask.source == "phantom" and len(mask.frames) == SLICES
