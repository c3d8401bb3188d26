"""The one-file ``medfed-coordinator`` binary: lean, and runs a federation on its own.

Builds it with ``make coordinator-binary``, provisions a CKKS federation with it (using
the sample plan that ships beside the systemd unit), serves it over mutual TLS, and asks
for the status the way a site does: through ``CoordinatorClient`` and the site's kit.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from coordinator_process import provision, serving
from installer_builds import DIST, REPO, Artefact

from coordinator.client import CoordinatorClient
from coordinator.kits import load_site_kit
from coordinator.loopback import free_port
from coordinator.protocol import SecureMode
from coordinator.round_state import RoundPhase
from siteapp.federation.site_keys import make_request

pytestmark = [pytest.mark.long, pytest.mark.timeout(2400)]

BINARY = DIST / "medfed-coordinator"
SAMPLE_PLAN = REPO / "installers" / "coordinator" / "plan.sample.json"
# What a coordinator must never carry (it needs no torch, Qt, plotting or site code).
FORBIDDEN_PREFIXES = ("torch", "PySide6", "shiboken6", "matplotlib", "siteapp", "opacus")
MAX_BINARY_BYTES = 80 * 1024 * 1024


def test_binary_leaves_out_the_site_stack(coordinator_binary: Artefact) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    archive = CArchiveReader(str(BINARY))
    names = list(archive.toc) + list(archive.open_embedded_archive("PYZ.pyz").toc)
    carried = sorted({n for n in names if n.replace("/", ".").startswith(FORBIDDEN_PREFIXES)})
    assert carried == []
    assert "coordinator.secure.ckks" in names  # CKKS mode works from the binary
    assert coordinator_binary.size_bytes < MAX_BINARY_BYTES


def test_binary_provisions_serves_and_answers_a_site(
    coordinator_binary: Artefact, tmp_path: Path
) -> None:
    port = free_port()
    out = tmp_path / "federation"
    provisioned = provision(
        BINARY, out, port, "--federation", "packaged", "--sites", "alpha,beta,gamma",
        "--mode", "ckks", "--plan", str(SAMPLE_PLAN),
    )
    assert provisioned.returncode == 0, provisioned.stderr
    assert "CA fingerprint" in provisioned.stdout
    key, request = make_request("alpha")
    (tmp_path / "alpha.csr").write_bytes(request)
    signed = subprocess.run([str(BINARY), "sign-request", "--out", str(out), str(tmp_path / "alpha.csr")],
                            capture_output=True, text=True, timeout=60)
    assert signed.returncode == 0, signed.stderr
    kit = load_site_kit(out / "sites" / "alpha.medfed-kit", key_pem=key)
    assert kit.plan.mode is SecureMode.CKKS
    assert not any(b"MFCKCTX1" in p.read_bytes() for p in out.rglob("*") if p.is_file())  # no CKKS key

    with serving([str(BINARY)], out / "coordinator", port, tmp_path / "serve.log"):
        with CoordinatorClient(kit) as client:
            status = client.status()
        watched = subprocess.run(
            [str(BINARY), "status", "--kit", str(out / "coordinator")],
            capture_output=True, text=True, timeout=60,
        )
    assert status.federation == "packaged"
    assert status.mode is SecureMode.CKKS
    assert status.sites == ["alpha", "beta", "gamma"]
    assert status.rounds_planned == 10  # from the sample plan
    assert status.current.number == 1
    assert status.current.phase in (RoundPhase.OPEN, RoundPhase.COLLECTING)
    assert watched.returncode == 0, watched.stderr
    assert "federation packaged: mode ckks" in watched.stdout
