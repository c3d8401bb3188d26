"""Bad uploads and bad callers get a clear refusal and leave the round intact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import requests
from coordinator_loopback import Federation, blob, model, wait_published
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from safetensors.numpy import load_file

from coordinator.client import (
    ConnectionParams,
    CoordinatorError,
    RequestRefusedError,
    UpdateAlreadyHeldError,
)
from coordinator.protocol import ErrorCode, MetricsReport
from coordinator.provisioning import issue_certificate


def _issue_rogue(fed: Federation, name: str, folder: Path, ca_dir: Path) -> ConnectionParams:
    """A client certificate for ``name`` signed by the CA in ``ca_dir``."""
    ca_key = serialization.load_pem_private_key((ca_dir / "ca.key").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((ca_dir / "ca.pem").read_bytes())
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_certificate(name, key, ca_cert, ca_key, 1, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    folder.mkdir(parents=True)
    (folder / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "c.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
    )
    return ConnectionParams(f"https://127.0.0.1:{fed.port}", fed.kit_dir / "ca.pem",
                            folder / "c.pem", folder / "c.key")


def test_bad_uploads_are_refused_and_the_round_stays_intact(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1, limits={"max_update_bytes": 4096, "max_message_bytes": 2048})
    a, b, c = (fed.client(s) for s in "abc")
    with pytest.raises(RequestRefusedError, match="initial model has not been uploaded") as early:
        a.upload_update(1, blob(model(1)), 1)
    assert early.value.status == 409
    initial = model(0)
    a.upload_initial_model(blob(initial))
    with pytest.raises(RequestRefusedError, match="already uploaded") as second:
        b.upload_initial_model(blob(model(5)))
    # Programs act on the code on the wire, never on the wording.
    assert second.value.code is ErrorCode.INITIAL_MODEL_EXISTS and early.value.code is ErrorCode.REFUSED

    first = model(1, 0.1)
    a.upload_update(1, blob(first), 4)
    with pytest.raises(UpdateAlreadyHeldError) as dup:
        a.upload_update(1, blob(first), 4)
    assert dup.value.status == 409 and dup.value.code is ErrorCode.DUPLICATE_UPLOAD
    replacement = model(2, 0.1)
    assert a.upload_update(1, blob(replacement), 4).replaced

    wrong_shape = {"conv.weight": np.zeros((3, 3), np.float32), "fc.bias": np.zeros(3, np.float32)}
    bad_value = model(3)
    bad_value["fc.bias"][1] = np.nan
    cases = [
        (lambda: b.upload_update(2, blob(model(3)), 1), 409, "not opened yet"),
        (lambda: b.upload_update(1, blob(wrong_shape), 1), 422, "conv.weight"),
        (lambda: b.upload_update(1, blob(bad_value), 1), 422, "NaN"),
        (lambda: b.upload_update(1, b"not a safetensors file", 1), 422, "not a readable"),
        (lambda: b.upload_update(1, blob(model(3)), None), 422, "number of examples"),
        (lambda: b.upload_update(1, b"x" * 5000, 1), 413, "limit of 4096"),
    ]
    for call, status, words in cases:
        with pytest.raises(RequestRefusedError, match=words) as refused:
            call()
        assert refused.value.status == status

    # A site cannot act as another: the certificate decides, a claim in the request cannot.
    a_kit = fed.root / "tls" / "a"
    impostor = fed.client_with(ConnectionParams(
        f"https://127.0.0.1:{fed.port}", a_kit / "ca.pem", a_kit / "site.pem", a_kit / "site.key", site="b"
    ))
    with pytest.raises(RequestRefusedError, match="certificate belongs to 'a'") as forged:
        impostor.upload_update(1, blob(model(9, 0.1)), 1)
    assert forged.value.status == 403

    # Signed by the federation's CA but not enrolled in the plan.
    mallory = fed.client_with(_issue_rogue(fed, "mallory", tmp_path / "mallory", fed.root / "prov" / "ca"))
    with pytest.raises(RequestRefusedError, match="not enrolled") as stranger:
        mallory.upload_update(1, blob(model(9, 0.1)), 1)
    assert stranger.value.status == 403

    with pytest.raises(RequestRefusedError, match="over the limit") as long_metrics:
        c.report_metrics(1, MetricsReport.model_construct(noisy_counts=[[0.5] * 500] * 2))
    assert long_metrics.value.status == 413

    state = c.round_state()
    assert state.submitted == ["a"] and state.phase == "collecting"
    assert list((fed.state_dir / "blobs" / "uploads" / "round-1").iterdir()) != []
    assert not list((fed.state_dir / "blobs").rglob(".incoming-*"))

    b.upload_update(1, blob(model(7, 0.1)), 2)
    c.upload_update(1, blob(model(8, 0.1)), 2)
    wait_published(c, 1)
    c.download_result(1, tmp_path / "g1.st")
    got = load_file(str(tmp_path / "g1.st"))
    for k in initial:
        expected = initial[k] + (4 * replacement[k] + 2 * model(7, 0.1)[k] + 2 * model(8, 0.1)[k]) / 8
        np.testing.assert_allclose(got[k], expected, rtol=1e-5, atol=1e-6)


def test_calls_without_a_federation_certificate_are_refused(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1)
    url = f"https://127.0.0.1:{fed.port}/v1/round"
    ca = str(fed.kit_dir / "ca.pem")
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(url, verify=ca, timeout=5)
    other = make_federation(start=False, federation="other")
    outsider = fed.client_with(_issue_rogue(fed, "a", tmp_path / "outsider", other.root / "prov" / "ca"))
    with pytest.raises(CoordinatorError):
        outsider.round_state()
    assert fed.client("a").round_state().submitted == []


def test_an_expired_kit_is_refused_before_any_call(make_federation) -> None:
    from coordinator.errors import KitError
    from coordinator.kits import load_site_kit

    fed: Federation = make_federation(start=False)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    with pytest.raises(KitError, match="expired"):
        load_site_kit(fed.site_kits["a"], now=later, key_pem=fed.site_keys["a"])
