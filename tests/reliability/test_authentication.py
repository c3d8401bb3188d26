"""Who may call the coordinator: only enrolled, unrevoked sites, each only as itself.

No certificate, another CA's certificate, an expired or revoked site certificate, a site
claiming to be another, a site trying to read another's upload: all refused. In CKKS mode
the coordinator's kit carries no secret key, and broken ciphertexts are refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import requests
from coordinator_loopback import UPDATE_LENGTH, Federation, blob, model
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from coordinator import cli
from coordinator.client import (
    ConnectionParams,
    CoordinatorClient,
    CoordinatorError,
    RequestRefusedError,
)
from coordinator.kits import load_site_kit
from coordinator.provisioning import issue_certificate, sign_site_request
from siteapp.federation.site_keys import make_request


def _client_cert(fed: Federation, name: str, ca_dir: Path, folder: Path, days: int) -> ConnectionParams:
    """Connection parameters with a certificate for ``name`` from the CA in ``ca_dir``;
    ``days=0`` gives one that expired five minutes ago."""
    ca_key = serialization.load_pem_private_key((ca_dir / "ca.key").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((ca_dir / "ca.pem").read_bytes())
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_certificate(name, key, ca_cert, ca_key, days, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    folder.mkdir(parents=True)
    (folder / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "c.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ConnectionParams(fed.client("c").params.base_url, fed.kit_dir / "ca.pem",
                            folder / "c.pem", folder / "c.key")


def test_callers_without_a_valid_federation_certificate_never_reach_the_api(
    make_federation, tmp_path: Path
) -> None:
    fed: Federation = make_federation(rounds=1)
    ca = fed.root / "prov" / "ca"
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(f"https://127.0.0.1:{fed.port}/v1/plan", verify=str(fed.kit_dir / "ca.pem"), timeout=5)
    other = make_federation(start=False, federation="other")
    strangers = {
        "another CA": _client_cert(fed, "a", other.root / "prov" / "ca", tmp_path / "other", 30),
        "expired": _client_cert(fed, "a", ca, tmp_path / "expired", 0),
    }
    for why, params in strangers.items():
        with pytest.raises(CoordinatorError):
            fed.client_with(params).plan()
            pytest.fail(f"a certificate from {why} was accepted")
    # Signed by the federation's CA but not enrolled: refused on every endpoint, reads too.
    mallory = fed.client_with(_client_cert(fed, "mallory", ca, tmp_path / "mallory", 30))
    for call in (mallory.plan, mallory.round_state, mallory.status):
        with pytest.raises(RequestRefusedError, match="not enrolled") as refused:
            call()
        assert refused.value.status == 403
    assert fed.client("a").round_state().submitted == []


def test_a_revoked_site_is_refused_from_the_next_call(make_federation, capsys) -> None:
    fed: Federation = make_federation(rounds=1)
    a, b = fed.client("a"), fed.client("b")
    a.upload_initial_model(blob(model(0)))
    assert b.round_state().number == 1
    revoke = ["revoke", "--kit", str(fed.kit_dir), "--state", str(fed.state_dir)]
    assert cli.main([*revoke, "b"]) == 0
    assert "is revoked" in capsys.readouterr().out
    for call in (b.plan, b.round_state, lambda: b.upload_update(1, blob(model(1, 0.1)), 2)):
        with pytest.raises(RequestRefusedError, match="operator revoked site 'b'") as refused:
            call()
        assert refused.value.status == 403
    assert cli.main([*revoke, "b"]) == 0
    assert "already revoked" in capsys.readouterr().out
    assert cli.main([*revoke, "zed"]) == 1
    assert "not a site of federation" in capsys.readouterr().err
    a.upload_update(1, blob(model(2, 0.1)), 3)
    assert a.round_state().submitted == ["a"]


def test_a_replaced_kit_can_be_retired_while_the_new_one_works(make_federation, tmp_path: Path, capsys) -> None:
    fed: Federation = make_federation(rounds=1)
    old = fed.client("b")
    assert old.round_state().number == 1
    new_key, request = make_request("b")  # the site renews with a new key of its own
    reissued = sign_site_request(fed.root / "prov", request, revoke_previous=True)
    assert reissued.replaced is not None
    new = CoordinatorClient(load_site_kit(reissued.path, key_pem=new_key), tls_dir=tmp_path / "new-tls")
    fed.clients.append(new)
    revoke = ["revoke", "--kit", str(fed.kit_dir), "--state", str(fed.state_dir)]
    assert cli.main([*revoke, "--certificate", str(reissued.replaced)]) == 0
    assert "of site 'b' is revoked" in capsys.readouterr().out
    with pytest.raises(RequestRefusedError, match="this certificate of site 'b' was revoked") as refused:
        old.round_state()
    assert refused.value.status == 403
    assert new.round_state().number == 1
    stranger = make_federation(start=False, federation="other")
    assert cli.main([*revoke, "--certificate", str(stranger.site_kits["b"])]) == 1
    assert "not issued by this federation's CA" in capsys.readouterr().err
    assert cli.main([*revoke, "b", "--certificate", str(reissued.replaced)]) == 1


def test_a_site_can_neither_act_as_nor_read_another(make_federation) -> None:
    fed: Federation = make_federation(rounds=1)
    a, b = fed.client("a"), fed.client("b")
    a.upload_initial_model(blob(model(0)))
    a.upload_update(1, blob(model(1, 0.1)), 3)
    tls = fed.root / "tls" / "b"
    impostor = fed.client_with(ConnectionParams(
        a.params.base_url, tls / "ca.pem", tls / "site.pem", tls / "site.key", site="a"))
    with pytest.raises(RequestRefusedError, match="certificate belongs to 'b'") as forged:
        impostor.upload_update(1, blob(model(9, 0.1)), 1)
    assert forged.value.status == 403
    # No endpoint serves an individual upload; only published aggregates can be read.
    base = a.params.base_url
    stored = next((fed.state_dir / "blobs" / "uploads" / "round-1").iterdir()).name
    with requests.Session() as session:
        session.cert = (str(tls / "site.pem"), str(tls / "site.key"))
        for path in ("/v1/rounds/1/update", f"/v1/rounds/1/uploads/{stored}",
                     f"/v1/blobs/uploads/round-1/{stored}", "/v1/rounds/1/result",
                     "/v1/rounds/1/../../blobs/uploads"):
            answer = session.get(base + path, verify=str(tls / "ca.pem"), timeout=10)
            assert answer.status_code in (404, 405), (path, answer.status_code)
    assert b.round_state().submitted == ["a"]


def test_ckks_coordinator_kit_has_no_secret_and_refuses_broken_ciphertexts(make_federation) -> None:
    from coordinator.secure.ckks import context_has_secret_key

    fed: Federation = make_federation(mode="ckks", rounds=1)
    secret = fed.ckks_secret("a")
    assert context_has_secret_key(secret)
    for path in fed.kit_dir.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path
            assert "secret" not in path.name, path

    a = fed.client("a")
    valid = fed.ckks_upload("a", 1, np.linspace(-0.1, 0.1, UPDATE_LENGTH), 4)
    broken = {"truncated": valid[: len(valid) // 2], "header only": valid[:16],
              "oversized": valid + valid[-4096:], "bit-flipped": valid[:40] + bytes([valid[40] ^ 0xFF]) + valid[41:]}
    for why, body in broken.items():
        with pytest.raises(RequestRefusedError) as refused:
            a.upload_update(1, body, None)
            pytest.fail(f"a {why} ciphertext was accepted")
        assert refused.value.status == 422, (why, refused.value.detail)
    assert a.upload_update(1, valid, None).site == "a"
    assert a.round_state().submitted == ["a"]
