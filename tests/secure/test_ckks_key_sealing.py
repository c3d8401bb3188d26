"""Sealing the CKKS key to a site: only that site opens it, only an enrolled site can
have sealed it, and no part of a sealed copy can be moved, swapped or edited."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from coordinator.secure import ckks
from coordinator.secure.ckks_key_sharing import (
    SealedKey,
    SealedKeyError,
    open_sealed_key,
    seal_secret_context,
)
from coordinator.secure.site_signatures import b64decode, b64encode

FEDERATION = "fed"
SITES = ["a", "b", "c"]


@pytest.fixture(scope="module")
def secret() -> bytes:
    return ckks.create_context()[0]


@pytest.fixture(scope="module")
def identities(pki):  # type: ignore[no-untyped-def]
    return {site: pki.issue(site, ecdsa=True) for site in (*SITES, "operator of fed")}


def _seal(secret: bytes, pki, identities, *, sealer: str = "a", recipient: str = "b",  # type: ignore[no-untyped-def]
          generation: int = 1) -> SealedKey:
    return seal_secret_context(
        secret, federation=FEDERATION, generation=generation,
        recipient_certificate_pem=identities[recipient].certificate_pem.decode(),
        ca_certificate=x509.load_pem_x509_certificate(pki.ca_pem), sealer=sealer,
        signing_key=identities[sealer].key, sealer_certificate_pem=identities[sealer].certificate_pem.decode(),
    )


def _open(sealed: SealedKey, pki, identities, *, site: str = "b", generation: int = 1,  # type: ignore[no-untyped-def]
          key: ec.EllipticCurvePrivateKey | None = None) -> bytes:
    own = identities[site]
    return open_sealed_key(
        sealed, federation=FEDERATION, generation=generation, sites=SITES, site=site,
        certificate_pem=own.certificate_pem, private_key=key or own.key,
        ca_certificate=x509.load_pem_x509_certificate(pki.ca_pem),
    )


def test_the_recipient_opens_its_copy_and_nobody_else_does(secret, pki, identities) -> None:  # type: ignore[no-untyped-def]
    sealed = SealedKey.from_json(_seal(secret, pki, identities).to_json())
    assert _open(sealed, pki, identities) == secret
    assert secret not in str(sealed.to_json()).encode() and b64encode(secret) not in str(sealed.to_json())
    # c, or anyone holding another key (the coordinator's, the operator's), cannot open it.
    with pytest.raises(SealedKeyError, match="not this site's"):
        _open(sealed, pki, identities, site="c")
    for other in ("c", "operator of fed"):
        with pytest.raises(SealedKeyError, match="does not open"):
            _open(sealed, pki, identities, key=identities[other].key)  # type: ignore[arg-type]


def test_a_copy_not_sealed_by_an_enrolled_site_is_refused(secret, pki, foreign_pki, identities) -> None:  # type: ignore[no-untyped-def]
    # The operator's certificate is the federation CA's, but the operator is not a site.
    by_operator = _seal(secret, pki, identities, sealer="operator of fed")
    with pytest.raises(SealedKeyError, match="not a site of the plan"):
        _open(by_operator, pki, identities)
    # A certificate of another CA naming site a (a coordinator's forgery).
    impostor = foreign_pki.issue("a", ecdsa=True)
    forged = _seal(secret, pki, {**identities, "a": impostor})
    with pytest.raises(SealedKeyError, match="not issued by this federation's CA"):
        _open(forged, pki, identities)


def test_no_part_of_a_sealed_copy_can_be_changed(secret, pki, identities) -> None:  # type: ignore[no-untyped-def]
    sealed = _seal(secret, pki, identities)
    flipped = bytearray(b64decode(sealed.ciphertext, "ciphertext"))
    flipped[len(flipped) // 2] ^= 1
    other_secret = ckks.create_context()[0]
    changes = {
        "ciphertext": dataclasses.replace(sealed, ciphertext=b64encode(bytes(flipped))),
        "generation": dataclasses.replace(sealed, generation=2),
        "context": dataclasses.replace(sealed, context=ckks.context_fingerprint(other_secret)),
        "nonce": dataclasses.replace(sealed, nonce=b64encode(bytes(12))),
        "sealer": dataclasses.replace(sealed, sealer="c"),
    }
    for what, changed in changes.items():
        with pytest.raises(SealedKeyError):
            _open(changed, pki, identities, generation=changed.generation)
            pytest.fail(f"a copy with a changed {what} was opened")
    # An honest-looking copy of an old generation is not accepted as the current one.
    with pytest.raises(SealedKeyError, match="generation 1"):
        _open(sealed, pki, identities, generation=2)
    with pytest.raises(SealedKeyError, match="exactly the fields"):
        SealedKey.from_json({**sealed.to_json(), "extra": 1})
