"""Signed key advertisements for pairwise masking.

Each site advertises two X25519 public keys per round (one to encrypt Shamir shares to
its peers, one for mask agreement), signed with the private key of its federation
certificate. Peers check that the certificate was issued by the federation's CA, names
the advertising site (subject common name), is in its validity period, and that the
signature covers exactly these keys for this round: a coordinator relaying the
advertisements cannot swap keys (which would let it man-in-the-middle the shares).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from coordinator.secure.errors import KeyAdvertisementError, SiteSignatureError
from coordinator.secure.site_signatures import (
    SigningKey,
    b64decode,
    b64encode,
    certificate_site_id,
    sign_fields,
    verify_site_signature,
)

__all__ = [
    "ADVERTISEMENT_TYPE",
    "SigningKey",
    "b64decode",
    "b64encode",
    "certificate_site_id",
    "sign_advertisement",
    "verify_advertisement",
]

ADVERTISEMENT_TYPE = "masking.advertise"
_SIGNED_FIELDS = ("type", "round_id", "site_id", "cipher_public_key", "mask_public_key")
_DOMAIN = "medfed-masking-advertisement-v1"


def _fields(advertisement: dict[str, Any]) -> dict[str, Any]:
    return {field: advertisement[field] for field in _SIGNED_FIELDS}


def sign_advertisement(advertisement: dict[str, Any], signing_key: SigningKey) -> str:
    """Signature (base64) over the advertisement's round, site and keys."""
    return sign_fields(_DOMAIN, _fields(advertisement), signing_key)


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
        verify_site_signature(
            _DOMAIN, _fields(advertisement), advertisement["signature"],
            advertisement["certificate"], ca_certificate, site, now,
        )
        cipher_key = X25519PublicKey.from_public_bytes(
            b64decode(advertisement["cipher_public_key"], "cipher_public_key")
        )
        mask_key = X25519PublicKey.from_public_bytes(
            b64decode(advertisement["mask_public_key"], "mask_public_key")
        )
    except KeyAdvertisementError:
        raise
    except SiteSignatureError as error:
        raise KeyAdvertisementError(
            f"The key advertisement of {site} is refused: {error} The round must continue "
            "without it."
        ) from error
    except (KeyError, ValueError, TypeError) as error:
        raise KeyAdvertisementError(
            f"The key advertisement of {site} is malformed ({error}); the round must "
            "continue without it."
        ) from error
    return cipher_key, mask_key
