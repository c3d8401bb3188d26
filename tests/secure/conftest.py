"""A real federation PKI for the pairwise-masking tests: a CA and per-site certificates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID


@dataclass
class SiteIdentity:
    site_id: str
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    certificate_pem: bytes


@dataclass
class Pki:
    ca_key: ec.EllipticCurvePrivateKey
    ca_pem: bytes
    issue: Callable[..., SiteIdentity]


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_pki(ca_name: str = "MedFed test CA") -> Pki:
    """A self-signed ECDSA CA that issues Ed25519 (or ECDSA) site certificates."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(ca_name))
        .issuer_name(_name(ca_name))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    def issue(site_id: str, *, ecdsa: bool = False) -> SiteIdentity:
        key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey = (
            ec.generate_private_key(ec.SECP256R1())
            if ecdsa
            else ed25519.Ed25519PrivateKey.generate()
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(site_id))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(ca_key, hashes.SHA256())
        )
        return SiteIdentity(site_id, key, cert.public_bytes(serialization.Encoding.PEM))

    return Pki(ca_key, ca_cert.public_bytes(serialization.Encoding.PEM), issue)


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(scope="session")
def foreign_pki() -> Pki:
    """Another federation's CA, whose certificates must not be accepted."""
    return make_pki("Some other CA")
