"""Renewing a site certificate as OPERATOR.md describes: the site makes a new key and
request, the operator signs it, the site imports the new kit.

Runs from the source tree (fast, not behind the ``long`` marker): the CA signs the new
request only when told to revoke the current certificate first; the new kit must carry
the same CA (and no CKKS key: the sites share that among themselves), be accepted by a
running coordinator without a restart, and replace the site's enrolment in place; the
site's old key stays in use until then.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from coordinator_process import serving

from coordinator.cli import main as coordinator_main
from coordinator.client import CoordinatorClient
from coordinator.errors import PlanError
from coordinator.kits import load_site_kit
from coordinator.loopback import free_port
from coordinator.protocol import FederationPlan, SecureMode
from coordinator.provisioning import provision, sign_site_request
from siteapp.federation.enrolment import enroll, load_enrolled_kit
from siteapp.federation.site_keys import make_request, request_enrolment

SOURCE_COORDINATOR = (sys.executable, "-m", "coordinator.cli")


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    port = free_port()
    out = tmp_path_factory.mktemp("rotation") / "federation"
    plan = FederationPlan(federation="rotation", sites=["north", "south", "west"],
                          mode=SecureMode.CKKS, min_sites=3, update_length=130)
    provision(plan, out, f"https://127.0.0.1:{port}")
    return out, port


def test_a_renewed_kit_keeps_the_ca_for_the_new_key_and_revokes_the_old(
    federation: tuple[Path, int],
) -> None:
    out, _ = federation
    old_key, old_request = make_request("north")
    first = sign_site_request(out, old_request)
    old = load_site_kit(first.path, key_pem=old_key)
    new_key, new_request = make_request("north")
    result = sign_site_request(out, new_request, revoke_previous=True)
    new = load_site_kit(result.path, key_pem=new_key)
    assert result.path == first.path
    assert result.replaced is not None and load_site_kit(result.replaced, key_pem=old_key).cert_pem == old.cert_pem
    assert new.cert_pem != old.cert_pem
    assert new.ca_fingerprint == old.ca_fingerprint
    assert "revoked" in result.replaced.name
    assert new.plan == old.plan and new.coordinator_url == old.coordinator_url


def test_running_coordinator_accepts_the_new_kit_and_site_reenrols(
    federation: tuple[Path, int], tmp_path: Path
) -> None:
    out, port = federation
    data_dir = tmp_path / "south-data"
    enroll(data_dir, sign_site_request(out, request_enrolment(data_dir, "south")).path)
    with serving(SOURCE_COORDINATOR, out / "coordinator", port, tmp_path / "serve.log"):
        renewed = sign_site_request(out, request_enrolment(data_dir, "south"), revoke_previous=True)
        _, before = load_enrolled_kit(data_dir)  # the old key works until the new kit is in
        record = enroll(data_dir, renewed.path)
        _, kit = load_enrolled_kit(data_dir)
        with CoordinatorClient(kit) as client:
            status = client.status()
    assert status.federation == "rotation"
    assert record.site == "south" and kit.cert_pem == load_site_kit(renewed.path).cert_pem
    assert kit.key_pem != before.key_pem


def test_signing_refuses_an_unknown_site_and_a_missing_ca_key(
    federation: tuple[Path, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = federation
    with pytest.raises(PlanError, match="not a site of federation 'rotation'"):
        sign_site_request(out, make_request("east")[1])
    (tmp_path / "north.csr").write_bytes(make_request("north")[1])
    code = coordinator_main(["sign-request", "--out", str(tmp_path / "empty"), str(tmp_path / "north.csr")])
    assert code != 0
    assert "ca.key is missing" in capsys.readouterr().err
