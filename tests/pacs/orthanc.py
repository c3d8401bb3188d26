"""A real Orthanc PACS for the tests: loopback only, its own storage, free ports.

The test writes an Orthanc JSON configuration into a temporary folder (DICOM on a free
loopback port, HTTP off, no authentication, one modality entry for the site's receiver
so C-MOVE can send to it) and runs Debian's ``Orthanc`` binary on it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from coordinator.loopback import free_port
from siteapp.pacs.config import PacsNode, TlsFiles
from siteapp.pacs.send import echo
from tests.pacs.tls_files import TlsTestFiles

ORTHANC_AE = "ORTHANC"
START_TIMEOUT_S = 20.0


def orthanc_binary() -> str | None:
    return shutil.which("Orthanc") or (
        "/usr/sbin/Orthanc" if Path("/usr/sbin/Orthanc").is_file() else None
    )


@dataclass
class OrthancServer:
    process: subprocess.Popen[bytes]
    dicom_port: int
    folder: Path
    tls: TlsTestFiles | None = None

    def node(self, name: str = "orthanc", method: str = "move") -> PacsNode:
        files = None
        if self.tls is not None:
            files = TlsFiles(str(self.tls.ca), str(self.tls.client_cert), str(self.tls.client_key))
        return PacsNode(name, ORTHANC_AE, "127.0.0.1", self.dicom_port, method, files)

    def stop(self) -> None:
        # Killed, not terminated: its storage is thrown away, and a clean shutdown
        # costs a second or more per test.
        self.process.kill()
        self.process.wait()


def start_orthanc(folder: Path, site_ae: str, site_port: int,
                  tls: TlsTestFiles | None = None) -> OrthancServer:
    """Start Orthanc in ``folder``; the site's receiver is ``site_ae`` on ``site_port``.
    With ``tls``, Orthanc speaks only DICOM TLS and requires a client certificate signed
    by the test CA."""
    binary = orthanc_binary()
    if binary is None:
        raise RuntimeError("Orthanc is not installed (Debian package 'orthanc')")
    folder.mkdir(parents=True, exist_ok=True)
    dicom_port = free_port()
    config = {
        "Name": "medfed-test",
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "storage"),
        "Plugins": [],
        "HttpServerEnabled": False,
        "HttpPort": free_port(),
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "DicomServerEnabled": True,
        "DicomAet": ORTHANC_AE,
        "DicomPort": dicom_port,
        "DicomCheckCalledAet": False,
        "DicomCheckModalityHost": False,
        "DicomAlwaysAllowEcho": True,
        "DicomAlwaysAllowStore": True,
        "DicomAlwaysAllowFind": True,
        "DicomAlwaysAllowGet": True,
        "DicomAlwaysAllowMove": True,
        "DicomModalities": {"medfed-site": [site_ae, "127.0.0.1", site_port]},
        "StableAge": 1,
        "SaveJobs": False,
        "ConcurrentJobs": 1,
    }
    if tls is not None:
        config.update({
            "DicomTlsEnabled": True,
            "DicomTlsCertificate": str(tls.server_cert),
            "DicomTlsPrivateKey": str(tls.server_key),
            "DicomTlsTrustedCertificates": str(tls.ca),
            "DicomTlsRemoteCertificateRequired": True,
        })
    config_file = folder / "orthanc.json"
    config_file.write_text(json.dumps(config, indent=2))
    log = (folder / "orthanc.log").open("wb")
    process = subprocess.Popen([binary, str(config_file)], stdout=log, stderr=subprocess.STDOUT,
                               cwd=folder)
    server = OrthancServer(process, dicom_port, folder, tls)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"Orthanc exited at start: {(folder / 'orthanc.log').read_text()[-2000:]}")
        try:
            echo(server.node(), "MEDFED-TEST")
            return server
        except Exception:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)
