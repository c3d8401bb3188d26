"""Rotating a site certificate as OPERATOR.md describes: ``reissue-kit``, then re-enrol.

Runs from the source tree (fast, not behind the ``long`` marker): the reissued kit must
carry the same CA and CKKS secret, be accepted by a running coordinator without a
restart, and replace the site's enrolment in place.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from coordinator_process import free_port, serving

from coordinator.cli import main as coordinator_main
from coordinator.client import CoordinatorClient
from coordinator.errors import PlanError
from coordinator.kits import load_site_kit
from coordinator.protocol import FederationPlan, SecureMode
from coordinator.provisioning import provision, reissue_site_kit
from siteapp.federation.enrolment import enroll, load_enrolled_kit

SOURCE_COORDINATOR = (sys.executable, "-m", "coordinator.cli")


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    port = free_port()
    out = tmp_path_factory.mktemp("rotation") / "federation"
    plan = FederationPlan(federation="rotation", sites=["north", "south"], mode=SecureMode.CKKS)
    provision(plan, out, f"https://127.0.0.1:{port}")
    return out, port


def test_reissued_kit_keeps_ca_and_ckks_secret_with_a_new_key(
    federation: tuple[Path, int],
) -> None:
    out, _ = federation
    kit_file = out / "sites" / "north.medfed-kit"
    old = load_site_kit(kit_file)
    result = reissue_site_kit(out, "north")
    new = load_site_kit(result.path)
    assert result.path == kit_file
    assert result.replaced is not None and load_site_kit(result.replaced).key_pem == old.key_pem
    assert new.key_pem != old.key_pem and new.cert_pem != old.cert_pem
    assert new.ca_fingerprint == old.ca_fingerprint
    assert new.ckks_secret_context == old.ckks_secret_context is not None
    assert new.plan == old.plan and new.coordinator_url == old.coordinator_url


def test_running_coordinator_accepts_the_new_kit_and_site_reenrols(
    federation: tuple[Path, int], tmp_path: Path
) -> None:
    out, port = federation
    data_dir = tmp_path / "south-data"
    enroll(data_dir, out / "sites" / "south.medfed-kit")
    with serving(SOURCE_COORDINATOR, out / "coordinator", port, tmp_path / "serve.log"):
        rotated = reissue_site_kit(out, "south")
        record = enroll(data_dir, rotated.path)
        _, kit = load_enrolled_kit(data_dir)
        with CoordinatorClient(kit) as client:
            status = client.status()
    assert status.federation == "rotation"
    assert record.site == "south" and kit.cert_pem == load_site_kit(rotated.path).cert_pem


def test_reissue_refuses_an_unknown_site_and_a_missing_ca_key(
    federation: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = federation
    with pytest.raises(PlanError, match="not a site of federation 'rotation'"):
        reissue_site_kit(out, "east")
    code = coordinator_main(["reissue-kit", "--out", str(tmp_path / "empty"), "--site", "north"])
    assert code != 0
    assert "ca.key is missing" in capsys.readouterr().err
