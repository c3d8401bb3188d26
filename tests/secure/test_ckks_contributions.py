"""A coordinator that lies about a CKKS aggregate is caught by the sites before they
decrypt: each test plays one lie with the coordinator's own means (the public context,
every upload it ever received, every statement) and checks the site's refusal."""

from __future__ import annotations

import numpy as np
import pytest
from cryptography import x509

from coordinator.secure import ckks
from coordinator.secure.ckks_contributions import (
    UploadStatement,
    aggregate_uploads,
    open_aggregate,
    open_upload,
    pack_aggregate,
    sign_upload,
    split_upload,
)
from coordinator.secure.errors import AggregateRefusedError, InvalidUpdateError

FEDERATION = "fed"
SITES = ["a", "b", "c"]
LENGTH = 30


@pytest.fixture(scope="module")
def contexts() -> tuple[bytes, bytes]:
    return ckks.create_context()


@pytest.fixture(scope="module")
def identities(pki):  # type: ignore[no-untyped-def]
    return {site: pki.issue(site, ecdsa=True) for site in SITES}


@pytest.fixture(scope="module")
def uploads(contexts, identities):  # type: ignore[no-untyped-def]
    """Signed uploads of every site for rounds 1 and 2: what a coordinator has seen."""
    secret, _ = contexts
    rng = np.random.default_rng(0)
    out = {}
    for number in (1, 2):
        for site in SITES:
            out[(number, site)] = sign_upload(
                secret, rng.normal(0, 0.01, LENGTH), 5, federation=FEDERATION,
                round_number=number, site=site, signing_key=identities[site].key,
                certificate_pem=identities[site].certificate_pem,
            )
    return out


def _open(secret: bytes, ca_pem: bytes, data: bytes, round_number: int = 2):  # type: ignore[no-untyped-def]
    return open_aggregate(
        secret, x509.load_pem_x509_certificate(ca_pem), data, federation=FEDERATION,
        round_number=round_number, sites=SITES, min_sites=2,
    )


def _forge(public: bytes, parts: list[bytes], statements: list[UploadStatement]) -> bytes:
    """The coordinator's sum of ``parts`` (signed uploads) published with ``statements``."""
    total = ckks.CkksSum(public)
    for part in parts:
        total.add(split_upload(part)[1])
    return pack_aggregate(statements, total.result())


def _statements(uploads, number: int, sites: list[str]) -> list[UploadStatement]:  # type: ignore[no-untyped-def]
    return [split_upload(uploads[(number, s)])[0] for s in sites]


def test_honest_aggregate_opens_to_the_weighted_sum(contexts, pki, uploads, tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret, public = contexts
    paths = []
    for site in SITES:
        path = tmp_path / f"{site}.bin"
        path.write_bytes(uploads[(2, site)])
        paths.append(path)
    total, count, contributors = _open(secret, pki.ca_pem, aggregate_uploads(public, paths))
    expected = sum(ckks.decrypt_aggregate(secret, split_upload(uploads[(2, s)])[1])[0] for s in SITES)
    np.testing.assert_allclose(total, expected, atol=1e-6)
    assert count == pytest.approx(15, abs=1e-6) and contributors == SITES


def test_one_upload_relabelled_as_an_aggregate_is_refused(contexts, pki, uploads) -> None:  # type: ignore[no-untyped-def]
    secret, public = contexts
    alone = _forge(public, [uploads[(2, "a")]], _statements(uploads, 2, SITES))
    with pytest.raises(AggregateRefusedError, match="exactly one upload"):
        _open(secret, pki.ca_pem, alone)
    honest_label = _forge(public, [uploads[(2, "a")]], _statements(uploads, 2, ["a"]))
    with pytest.raises(AggregateRefusedError, match="fewer than the plan's minimum"):
        _open(secret, pki.ca_pem, honest_label)
    with pytest.raises(AggregateRefusedError, match="not an aggregate"):
        _open(secret, pki.ca_pem, uploads[(2, "a")])


def test_a_replayed_upload_or_aggregate_is_refused(contexts, pki, uploads) -> None:  # type: ignore[no-untyped-def]
    secret, public = contexts
    old_a = _forge(public, [uploads[(1, "a")], uploads[(2, "b")], uploads[(2, "c")]],
                   _statements(uploads, 2, SITES))
    with pytest.raises(AggregateRefusedError, match="exactly one upload"):
        _open(secret, pki.ca_pem, old_a)
    old_round = _forge(public, [uploads[(1, s)] for s in SITES], _statements(uploads, 1, SITES))
    with pytest.raises(AggregateRefusedError, match="replay"):
        _open(secret, pki.ca_pem, old_round)
    _open(secret, pki.ca_pem, old_round, round_number=1)  # the same bytes are round 1's


def test_a_site_added_to_itself_is_refused(contexts, pki, uploads) -> None:  # type: ignore[no-untyped-def]
    secret, public = contexts
    doubled = _forge(public, [uploads[(2, "a")], uploads[(2, "a")]], _statements(uploads, 2, ["a", "b"]))
    with pytest.raises(AggregateRefusedError, match="exactly one upload"):
        _open(secret, pki.ca_pem, doubled)
    listed_twice = _forge(public, [uploads[(2, "a")], uploads[(2, "a")]], _statements(uploads, 2, ["a", "a"]))
    with pytest.raises(AggregateRefusedError, match="twice"):
        _open(secret, pki.ca_pem, listed_twice)


def test_a_statement_the_site_did_not_sign_is_refused(contexts, pki, foreign_pki, uploads) -> None:  # type: ignore[no-untyped-def]
    secret, public = contexts
    statements = _statements(uploads, 2, SITES)
    stranger = foreign_pki.issue("b", ecdsa=True)
    statements[1] = UploadStatement(**{**statements[1].to_json(), "certificate": stranger.certificate_pem.decode()})
    forged = _forge(public, [uploads[(2, s)] for s in SITES], statements)
    with pytest.raises(AggregateRefusedError, match=r"not signed|not issued"):
        _open(secret, pki.ca_pem, forged)


def test_coordinator_refuses_uploads_not_signed_for_this_round_and_site(contexts, pki, uploads) -> None:  # type: ignore[no-untyped-def]
    _, public = contexts
    ca = x509.load_pem_x509_certificate(pki.ca_pem)

    def check(data: bytes, round_number: int = 2, site: str = "a") -> int:
        return open_upload(public, ca, data, federation=FEDERATION, round_number=round_number, site=site)

    assert check(uploads[(2, "a")]) == LENGTH
    with pytest.raises(InvalidUpdateError, match="replayed or relabelled"):
        check(uploads[(1, "a")])
    with pytest.raises(InvalidUpdateError, match="replayed or relabelled"):
        check(uploads[(2, "b")])
    aggregate = _forge(public, [uploads[(2, s)] for s in SITES], _statements(uploads, 2, SITES))
    with pytest.raises(InvalidUpdateError, match="magic"):
        check(aggregate)
    statement, blob = split_upload(uploads[(2, "a")])
    with pytest.raises(InvalidUpdateError, match="not the ones the site signed"):
        check(pack_aggregate([statement], blob).replace(b"MFCKSAG1", b"MFCKSUP1", 1)[:-1] + b"\0")
