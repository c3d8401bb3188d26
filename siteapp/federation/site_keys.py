"""The site's own private key: made at the site, never sent anywhere.

A site asks to join with a certificate request (:func:`request_enrolment`): it makes an
ECDSA P-256 key in its data folder and a request naming the site, which the privacy
officer hands to the federation's operator. The operator signs it into an enrolment kit
that holds the certificate but no key; :func:`key_for_certificate` finds the key the
kit was issued for when the kit is imported. The key lives in ``<data_dir>/kit/``
(folder 0700, file 0600, written durably); a new request keeps the current key until a
kit for the new one is imported, so renewing a certificate never breaks the enrolment.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from coordinator.durable_files import replace_durably, write_durably
from coordinator.kits import request_fingerprint
from siteapp.federation.errors import KitRefusedError, NotEnrolledError
from siteapp.federation.settings import KIT_DIRNAME

__all__ = ["key_for_certificate", "make_request", "request_enrolment", "request_fingerprint", "site_key"]

SITE_KEY_FILE = "site.key"
PENDING_KEY_FILE = "site-request.key"


def _kit_dir(data_dir: Path) -> Path:
    folder = Path(data_dir) / KIT_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def _write_key(path: Path, data: bytes) -> None:
    write_durably(path, data, mode=0o600)


def make_request(site: str) -> tuple[bytes, bytes]:
    """A fresh ECDSA P-256 key and a certificate request naming ``site``, as PEM
    ``(key, request)``; nothing is written. :func:`request_enrolment` keeps the key."""
    if not site or not all(c.isalnum() or c in "-_." for c in site):
        raise KitRefusedError(f"site name '{site}' may only use letters, digits, '-', '_', '.'")
    key = ec.generate_private_key(ec.SECP256R1())
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, site)]))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, request.public_bytes(serialization.Encoding.PEM)


def request_enrolment(data_dir: Path, site: str) -> bytes:
    """Make a new key for ``site`` in ``data_dir`` and return its certificate request (PEM).

    The key stays pending until the kit the operator signs for this request is imported.
    """
    key_pem, request_pem = make_request(site)
    _write_key(_kit_dir(data_dir) / PENDING_KEY_FILE, key_pem)
    return request_pem


def _public_der(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _matches(key_pem: bytes, cert_pem: bytes) -> bool:
    key = serialization.load_pem_private_key(key_pem, password=None)
    return _public_der(key.public_key()) == _public_der(x509.load_pem_x509_certificate(cert_pem).public_key())


def key_for_certificate(data_dir: Path, cert_pem: bytes) -> bytes:
    """The private key (PEM) a kit's certificate was issued for: the pending request's
    key (which then becomes the site's key) or the current one. Refuses a kit made for
    a request this data folder did not make."""
    folder = Path(data_dir) / KIT_DIRNAME
    pending, current = folder / PENDING_KEY_FILE, folder / SITE_KEY_FILE
    if pending.is_file() and _matches(pending.read_bytes(), cert_pem):
        replace_durably(pending, current)
        return current.read_bytes()
    if current.is_file() and _matches(current.read_bytes(), cert_pem):
        return current.read_bytes()
    raise KitRefusedError(
        "this kit was not issued for a certificate request made in this data folder, so "
        "the site has no key for it; run 'medfed-site request-enrolment', send the request "
        "to the operator and import the kit they sign for it"
    )


def site_key(data_dir: Path) -> bytes:
    """The enrolled site's private key (PEM)."""
    path = Path(data_dir) / KIT_DIRNAME / SITE_KEY_FILE
    if not path.is_file():
        raise NotEnrolledError(
            f"{data_dir} holds no site key; request enrolment with 'medfed-site "
            "request-enrolment' and import the kit the operator signs for it"
        )
    return path.read_bytes()
