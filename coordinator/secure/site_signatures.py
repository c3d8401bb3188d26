"""Statements a site signs with its certificate key, and their checks by anyone holding
the federation's CA certificate.

Three messages ride on these signatures: masking key advertisements, the statement that
binds a CKKS upload to its federation, round and site, and the survivor set a site saw
in a masking round's consistency step. Each kind has its own domain string, so a
signature made for one can never be replayed as another. The signed bytes are the
canonical JSON of the statement's fields (sorted keys, no spaces), so signer and
verifier need not share an object model.
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
from cryptography.x509.oid import NameOID

from coordinator.secure.errors import SiteSignatureError

SigningKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: Any, what: str) -> bytes:
    """Decode base64 from a relayed message, naming the field when it is malformed."""
    try:
        return base64.b64decode(str(text).encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as error:
        raise SiteSignatureError(f"The field {what} is not valid base64.") from error


def signed_bytes(domain: str, fields: dict[str, Any]) -> bytes:
    """What is signed: a domain line, then the canonical JSON of ``fields``."""
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return f"{domain}\n".encode() + body.encode()


def _rsa_padding() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)


def sign_fields(domain: str, fields: dict[str, Any], signing_key: SigningKey) -> str:
    """Signature (base64) over ``fields`` under ``domain``, by the site's certificate key."""
    data = signed_bytes(domain, fields)
    if isinstance(signing_key, ed25519.Ed25519PrivateKey):
        signature = signing_key.sign(data)
    elif isinstance(signing_key, ec.EllipticCurvePrivateKey):
        signature = signing_key.sign(data, ec.ECDSA(hashes.SHA256()))
    elif isinstance(signing_key, rsa.RSAPrivateKey):
        signature = signing_key.sign(data, _rsa_padding(), hashes.SHA256())
    else:
        raise TypeError(f"unsupported certificate key type {type(signing_key).__name__}")
    return b64encode(signature)


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


def verify_site_signature(
    domain: str,
    fields: dict[str, Any],
    signature: Any,
    certificate_pem: Any,
    ca_certificate: x509.Certificate,
    site: str,
    now: dt.datetime | None = None,
) -> None:
    """Check that ``site`` signed ``fields``: its certificate is issued by the federation's
    CA, names ``site`` and is valid now, and the signature verifies.

    Raises :class:`SiteSignatureError` saying which of these fails.
    """
    try:
        certificate = x509.load_pem_x509_certificate(str(certificate_pem).encode())
        try:
            certificate.verify_directly_issued_by(ca_certificate)
        except (InvalidSignature, ValueError, TypeError) as error:
            raise SiteSignatureError(
                f"The certificate presented for {site} was not issued by this federation's "
                "CA: the statement is forged."
            ) from error
        when = now or dt.datetime.now(dt.UTC)
        if not certificate.not_valid_before_utc <= when <= certificate.not_valid_after_utc:
            raise SiteSignatureError(
                f"The certificate of {site} is expired or not yet valid; the site must be "
                "re-enrolled."
            )
        if certificate_site_id(certificate) != site:
            raise SiteSignatureError(
                f"A statement claims site {site!r} but its certificate names "
                f"{certificate_site_id(certificate)!r}."
            )
        _verify_signature(certificate, b64decode(signature, "signature"), signed_bytes(domain, fields))
    except SiteSignatureError:
        raise
    except InvalidSignature as error:
        raise SiteSignatureError(
            f"The statement of {site} is not signed by its certificate's key, or its "
            "certificate was not issued by this federation's CA: it was tampered with or "
            "forged."
        ) from error
    except (ValueError, TypeError) as error:
        raise SiteSignatureError(f"The statement of {site} is malformed ({error}).") from error
