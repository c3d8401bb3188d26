"""The CKKS key, made by a site and sealed to the others through a real coordinator:
rounds wait until every site holds it, only the key holder may give it out, and a
revocation makes a new key for the sites left, under which old-key uploads are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from coordinator_loopback import UPDATE_LENGTH, Federation, wait_published
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from operator_scenario import get_status_page, operator_files

from coordinator import cli
from coordinator.client import RequestRefusedError
from coordinator.secure.ckks import create_context, decrypt_aggregate, public_context_of
from coordinator.secure.ckks_contributions import open_aggregate, sign_upload, split_aggregate
from coordinator.secure.errors import InvalidUpdateError
from siteapp.federation.round_polling import wait_for_round

COUNTS = {"a": 3, "b": 5, "c": 7, "d": 9}


def _upload(fed: Federation, site: str, number: int, vector: np.ndarray, secret: bytes | None = None) -> bytes:
    kit = fed.kit(site)
    return sign_upload(
        secret or fed.ckks_secret(site), vector, COUNTS[site], federation=kit.federation,
        round_number=number, site=site,
        signing_key=load_pem_private_key(kit.key_pem, password=None),  # type: ignore[arg-type]
        certificate_pem=kit.cert_pem,
    )


def _round(fed: Federation, number: int, sites: list[str], tmp: Path) -> bytes:
    """The sites upload; one checks and decrypts the published sum; returns the result."""
    rng = np.random.default_rng(number)
    vectors = {s: rng.normal(scale=0.01, size=UPDATE_LENGTH) for s in sites}
    for s in sites:
        fed.client(s).upload_update(number, _upload(fed, s, number, vectors[s]), None)
    assert wait_published(fed.client(sites[0]), number).last_published == number
    path = tmp / f"round-{number}.ckks"
    fed.client(sites[0]).download_result(number, path)
    total, count, contributors = open_aggregate(
        fed.ckks_secret(sites[0]), x509.load_pem_x509_certificate(fed.kit(sites[0]).ca_pem),
        path.read_bytes(), federation=fed.plan.federation, round_number=number,
        sites=fed.plan.sites, min_sites=fed.plan.min_sites,
    )
    assert contributors == sorted(sites)
    np.testing.assert_allclose(total, sum(COUNTS[s] * vectors[s] for s in sites), atol=1e-5)
    assert count == pytest.approx(sum(COUNTS[s] for s in sites), abs=1e-4)
    return path.read_bytes()


def test_rounds_wait_until_every_site_holds_the_key_and_only_its_holder_gives_it_out(
    make_federation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fed: Federation = make_federation(mode="ckks", rounds=1, round_deadline_s=1.0, share_ckks_key=False)
    a, b = fed.client("a"), fed.client("b")
    key = a.ckks_key_state()
    assert (key.generation, key.holder, key.fingerprint, key.ready) == (1, "a", None, False)
    assert key.waiting_for == ["b", "c"] and "waiting for site a" in str(key.describe())
    round_state = a.round_state()
    assert round_state.deadline_at is None and round_state.ckks_key == key

    # Nobody but the holder gives out a key; no one gives the coordinator a secret key.
    secret, public = create_context()
    with pytest.raises(RequestRefusedError) as refused:
        b.post_ckks_public_context(1, public)
    assert refused.value.status == 403
    with pytest.raises(RequestRefusedError) as refused:
        a.post_ckks_public_context(1, secret)
    assert refused.value.status == 422 and "secret key" in refused.value.detail
    with pytest.raises(RequestRefusedError) as refused:
        b.request_ckks_key(fed.kit("c").cert_pem.decode())  # asks with another site's certificate
    assert refused.value.status == 403
    with pytest.raises(RequestRefusedError) as refused:
        b.ckks_sealed_key(1, "c")
    assert refused.value.status == 403

    # a and b hold the key; c has not asked yet: still no round, whatever the deadline.
    keys = {s: fed.ckks_keys(s) for s in ("a", "b")}
    for _ in range(3):
        state = a.ckks_key_state()
        for k in keys.values():
            k.step(state)
    state = a.ckks_key_state()
    assert state.fingerprint is not None and not state.ready and state.waiting_for == ["c"]
    with pytest.raises(RequestRefusedError) as refused:
        b.upload_update(1, _upload(fed, "b", 1, np.zeros(UPDATE_LENGTH)), None)
    assert refused.value.status == 409 and "not with every site yet" in refused.value.detail
    with pytest.raises(RequestRefusedError) as refused:  # the holder's copy for b is b's only
        keys["a"].client.post_ckks_sealed_key(1, "c", {"federation": "test"})
    assert refused.value.status == 422
    assert cli.main(["status", "--kit", str(fed.kit_dir), *fed.store_args()]) == 0
    assert "to hand the encryption key to c" in capsys.readouterr().out
    cert, key_file, ca = operator_files(fed)
    assert "to hand the encryption key to c" in get_status_page(fed, (cert, key_file), ca).text
    assert a.round_state().deadline_at is None and a.round_state().phase == "open"

    fingerprint = fed.share_ckks_key()
    assert fingerprint == state.fingerprint
    assert a.round_state().ckks_key.ready  # type: ignore[union-attr]
    assert a.round_state().deadline_at is not None
    _round(fed, 1, ["a", "b", "c"], tmp_path)
    assert public_context_of(fed.ckks_secret("c")) == public_context_of(fed.ckks_secret("a"))


def test_a_revocation_makes_a_new_key_for_the_sites_left_and_refuses_the_old_one(
    make_federation, tmp_path: Path
) -> None:
    fed: Federation = make_federation(mode="ckks", rounds=3, sites=["a", "b", "c", "d"], min_sites=3)
    old = fed.ckks_secret("b")
    first = _round(fed, 1, ["a", "b", "c", "d"], tmp_path)
    # Round 2 holds an upload under the key a, the holder, shares with everyone.
    fed.client("b").upload_update(2, _upload(fed, "b", 2, np.zeros(UPDATE_LENGTH)), None)

    assert cli.main(["revoke", "--kit", str(fed.kit_dir), *fed.store_args(), "a"]) == 0
    b = fed.client("b")
    state = wait_for_round(b.round_state, lambda s: s.number == 3, timeout_s=20, poll_s=0.05)
    key = state.ckks_key
    assert key is not None and (key.generation, key.holder, key.ready) == (2, "b", False)
    status = b.status()
    assert [r.phase for r in status.rounds][:2] == ["published", "failed"]
    assert "encryption key is replaced" in (status.rounds[1].failure or "")

    new_fingerprint = fed.share_ckks_key(["b", "c", "d"])
    new = fed.ckks_secret("b")
    assert new != old and fed.ckks_secret("c") == fed.ckks_secret("d") == new
    with pytest.raises(RequestRefusedError) as refused:
        fed.client("a").ckks_key_state()  # the revoked holder is refused everything
    assert refused.value.status == 403
    number = b.round_state().number
    with pytest.raises(RequestRefusedError) as refused:  # an upload under the old key
        b.upload_update(number, _upload(fed, "b", number, np.zeros(UPDATE_LENGTH), secret=old), None)
    assert refused.value.status == 422 and "context" in refused.value.detail
    published = _round(fed, number, ["b", "c", "d"], tmp_path)
    assert split_aggregate(published)[0][0].context == new_fingerprint
    # a still holds the old key: it reads round 1's aggregate, not the new one.
    decrypt_aggregate(old, split_aggregate(first)[1])
    with pytest.raises(InvalidUpdateError, match="different CKKS context"):
        decrypt_aggregate(old, split_aggregate(published)[1])
