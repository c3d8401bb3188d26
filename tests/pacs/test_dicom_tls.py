"""DICOM TLS: a node that offers TLS (Orthanc with a test CA, client certificates
required) is queried, retrieved from and sent to over TLS; the site's receiver serves TLS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from siteapp.dicom.index import StudyIndex
from siteapp.pacs.association import PacsError
from siteapp.pacs.config import DicomNetworkConfig, PacsNode, ReceiverSettings, TlsFiles
from siteapp.pacs.query import StudyQuery, query_studies
from siteapp.pacs.receiver import StorageReceiver
from siteapp.pacs.retrieve import retrieve_studies
from siteapp.pacs.send import send_files
from tests.pacs.conftest import SITE_AE, SLICES, study_files
from tests.pacs.orthanc import free_port, orthanc_binary, start_orthanc
from tests.pacs.tls_files import TlsTestFiles, write_tls_files


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsTestFiles:
    return write_tls_files(tmp_path_factory.mktemp("dicom-tls"))


def test_a_pacs_offering_tls_is_used_over_tls(
    tmp_path: Path, data_dir: Path, tiny_studies: Path, tls_files: TlsTestFiles,
) -> None:
    if orthanc_binary() is None:
        pytest.skip("Orthanc is not installed (Debian package 'orthanc'; make test installs it)")
    orthanc = start_orthanc(tmp_path / "orthanc", SITE_AE, free_port(), tls_files)
    try:
        node = orthanc.node(method="get")
        assert node.tls is not None
        assert len(send_files(node, SITE_AE, study_files(tiny_studies)).sent) == 6
        (match,) = query_studies(node, SITE_AE, StudyQuery(patient_id="S1-0001"))
        config = DicomNetworkConfig(ReceiverSettings(SITE_AE, free_port(), "127.0.0.1"), (node,))
        report = retrieve_studies(data_dir, config, node, [match.study_uid])
        assert report.completed == SLICES
        with StudyIndex(data_dir) as index:
            assert index.counts()["instances"] == SLICES
        plain = replace(node, tls=None)
        with pytest.raises(PacsError, match="dropped the association"):
            query_studies(plain, SITE_AE, StudyQuery())
        untrusted = replace(node, tls=TlsFiles(str(tls_files.client_cert)))  # wrong CA
        with pytest.raises(PacsError):
            query_studies(untrusted, SITE_AE, StudyQuery())
    finally:
        orthanc.stop()


def test_the_receiver_serves_tls_to_callers_with_a_certificate(
    data_dir: Path, tiny_studies: Path, tls_files: TlsTestFiles,
) -> None:
    served = TlsFiles(str(tls_files.ca), str(tls_files.server_cert), str(tls_files.server_key))
    config = DicomNetworkConfig(ReceiverSettings(SITE_AE, 0, "127.0.0.1", ("CT1",), tls=served))
    receiver = StorageReceiver(data_dir, config)
    receiver.start()
    try:
        node = PacsNode("site", SITE_AE, "127.0.0.1", receiver.port, tls=TlsFiles(
            str(tls_files.ca), str(tls_files.client_cert), str(tls_files.client_key)))
        assert len(send_files(node, "CT1", study_files(tiny_studies)).sent) == 6
        without_certificate = replace(node, tls=TlsFiles(str(tls_files.ca)))
        with pytest.raises(PacsError):
            send_files(without_certificate, "CT1", study_files(tiny_studies))
    finally:
        receiver.stop()
    with StudyIndex(data_dir) as index:
        assert index.counts()["instances"] == 6
