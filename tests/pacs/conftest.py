"""Fixtures of the DICOM network tests: tiny phantom studies, a real Orthanc, site folders.

Orthanc (Debian's ``orthanc``) and dcmtk (``dcmtk``) are installed by ``make test``
(installers/install-system-packages.sh, group services); where they are missing these tests are skipped
with the reason.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from siteapp.dicom.phantom import generate_phantom_sites
from siteapp.pacs.config import DicomNetworkConfig, ReceiverSettings, save_network_config
from tests.pacs.orthanc import OrthancServer, free_port, orthanc_binary, start_orthanc

SITE_AE = "MEDFED"
PATIENTS = 3
SLICES = 2


@pytest.fixture(scope="session")
def tiny_studies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One phantom site: 3 patients (S1-0001..3), one CT study of 2 slices each."""
    root = tmp_path_factory.mktemp("pacs-phantom")
    (site,) = generate_phantom_sites(root, 1, PATIENTS, 0, "lung-ct-nodule", SLICES)
    return site


def study_files(tiny_studies: Path) -> list[Path]:
    return sorted(tiny_studies.rglob("*.dcm"))


@pytest.fixture
def site_receiver_port() -> int:
    return free_port()


@pytest.fixture
def orthanc(tmp_path: Path, site_receiver_port: int) -> Iterator[OrthancServer]:
    """A running Orthanc that knows the site's receiver (SITE_AE on the loopback port)."""
    if orthanc_binary() is None:
        pytest.skip("Orthanc is not installed (Debian package 'orthanc'; make test installs it)")
    server = start_orthanc(tmp_path / "orthanc", SITE_AE, site_receiver_port)
    yield server
    server.stop()


@pytest.fixture
def site_config(data_dir: Path, site_receiver_port: int, orthanc: OrthancServer) -> DicomNetworkConfig:
    """The site's saved DICOM network settings: its receiver on loopback, Orthanc as a node."""
    receiver = ReceiverSettings(SITE_AE, site_receiver_port, "127.0.0.1")
    config = DicomNetworkConfig(receiver).with_node(orthanc.node())
    save_network_config(data_dir, config)
    return config


def need_dcmtk() -> None:
    if shutil.which("storescu") is None:
        pytest.skip("dcmtk is not installed (Debian package 'dcmtk'; make test installs it)")
