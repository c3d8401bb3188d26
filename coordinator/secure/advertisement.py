"""Signed key advertisements for pairwise masking.

Each site advertises two X25519 public keys per round (one to encrypt Shamir shares to
its peers, one for mask agreement), signed with the private key of its federation
certificate. Peers check that the certificate was issued by the federation's CA, names
the advertising site (subject common name), is in its validity period, and that the
signature covers exactly these keys for this round: a coordinator relaying the
advertisements cannot swap keys (which would let it man-in-the-middle the shares).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.x509.oid import NameOID

from coordinator.secure.errors import KeyAdvertisementError

ADVERTISEMENT_TYPE = "masking.advertise"
_SIGNED_FIELDS = ("type", "round_id", "site_id", "cipher_public_key", "mask_public_key")
_DOMAIN = b"medfed-masking-advertisement-v1\n"

SigningKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: Any, what: str) -> bytes:
    """Decode base64 from a relayed message, naming the field when it is malformed."""
    try:
        return base64.b64decode(str(text).encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as error:
        raise KeyAdvertisementError(f"The field {what} is not valid base64.") from error


def _signed_bytes(advertisement: dict[str, Any]) -> bytes:
    body = {field: advertisement[field] for field in _SIGNED_FIELDS}
    return _DOMAIN + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign_advertisement(advertisement: dict[str, Any], signing_key: SigningKey) -> str:
    """Signature (base64) over the advertisement's round, site and keys."""
    data = _signed_bytes(advertisement)
    if isinstance(signing_key, ed25519.Ed25519PrivateKey):
        signature = signing_key.sign(data)
    elif isinstance(signing_key, ec.EllipticCurvePrivateKey):
        signature = signing_key.sign(data, ec.ECDSA(hashes.SHA256()))
    elif isinstance(signing_key, rsa.RSAPrivateKey):
        signature = signing_key.sign(data, _rsa_padding(), hashes.SHA256())
    else:
        raise TypeError(f"unsupported certificate key type {type(signing_key).__name__}")
    return b64encode(signature)


def _rsa_padding() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)


def _verify_signature(certificate: x509.Certificate, signature: bytes, data: bytes) -> None:
    public_key = certificate.public_key()
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        public_key.verify(signature, data)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    elif isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, _rsa_padding(), hashes.SHA256())
    else:
        raise InvalidSignature(f"unsupported certificate key type {type(public_key).__name__}")


def certificate_site_id(certificate: x509.Certificate) -> str:
    """The site a certificate names: its subject common name."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def verify_advertisement(
    advertisement: dict[str, Any],
    ca_certificate: x509.Certificate,
    round_id: str,
    now: dt.datetime | None = None,
) -> tuple[X25519PublicKey, X25519PublicKey]:
    """Check one relayed advertisement; return its (cipher, mask) public keys.

    Raises :class:`KeyAdvertisementError` with the reason when anything does not hold.
    """
    site = str(advertisement.get("site_id", "?"))
    try:
        if advertisement.get("type") != ADVERTISEMENT_TYPE:
            raise KeyAdvertisementError(f"The key advertisement of {site} has the wrong type.")
        if advertisement.get("round_id") != round_id:
            raise KeyAdvertisementError(
                f"The key advertisement of {site} is for round "
                f"{advertisement.get('round_id')!r}, not {round_id!r} (a replay?)."
            )
        certificate = x509.load_pem_x509_certificate(str(advertisement["certificate"]).encode())
        certificate.verify_directly_issued_by(ca_certificate)
        when = now or dt.datetime.now(dt.UTC)
        if not certificate.not_valid_before_utc <= when <= certificate.not_valid_after_utc:
            raise KeyAdvertisementError(
                f"The certificate of {site} is expired or not yet valid; the site must be "
                "re-enrolled."
            )
        if certificate_site_id(certificate) != site:
            raise KeyAdvertisementError(
                f"The key advertisement claims site {site!r} but its certificate names "
                f"{certificate_site_id(certificate)!r}."
            )
        signature = b64decode(advertisement["signature"], "signature")
        _verify_signature(certificate, signature, _signed_bytes(advertisement))
        cipher_key = X25519PublicKey.from_public_bytes(
            b64decode(advertisement["cipher_public_key"], "cipher_public_key")
        )
        mask_key = X25519PublicKey.from_public_bytes(
            b64decode(advertisement["mask_public_key"], "mask_public_key")
        )
    except KeyAdvertisementError:
        raise
    except InvalidSignature as error:
        raise KeyAdvertisementError(
            f"The key advertisement of {site} is not signed by its certificate's key, or "
            "its certificate was not issued by this federation's CA: it was tampered with "
            "or forged. The round must continue without it."
        ) from error
    except (KeyError, ValueError, TypeError) as error:
        raise KeyAdvertisementError(
            f"The key advertisement of {site} is malformed ({error}); the round must "
            "continue without it."
        ) from error
    return cipher_key, mask_key
