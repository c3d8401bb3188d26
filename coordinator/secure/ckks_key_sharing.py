"""The federation's CKKS secret key, made by one site and sealed to each other site.

No one but the sites may hold the key that decrypts CKKS updates, so it is not made at
provisioning: one site (the *key holder*, the first active site of the plan) makes the
context (:func:`coordinator.secure.ckks.create_context`) and seals the secret context to
each site that asked for it, through the coordinator, which relays what it cannot read.

A sealed key is ECIES over the recipient's own certificate key (ECDH on P-256 with a
fresh ephemeral key, HKDF-SHA256, AES-256-GCM), so only the holder of that site's private
key opens it, and it is signed with the key holder's certificate key
(:mod:`coordinator.secure.site_signatures`), so a recipient knows that an enrolled site
made it, not the coordinator or the operator. The signed header binds the box to the
federation, the key generation, the sealer, the recipient and the certificate sealed
to, and the fingerprint of the context inside; the same header is the AEAD's associated
data and the key derivation's info, so no part of a box can be moved to another.

The certificate key serves both signing and this key agreement (domain-separated by the
HKDF info); it saves each site a second long-lived key and a second trust path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from coordinator.secure.ckks import context_fingerprint, context_has_secret_key
from coordinator.secure.errors import InvalidContextError, SiteSignatureError
from coordinator.secure.site_signatures import (
    SigningKey,
    b64decode,
    b64encode,
    certificate_site_id,
    sign_fields,
    signed_bytes,
    verify_site_signature,
)

_DOMAIN = "medfed-ckks-sealed-key-v1"
_NONCE_BYTES = 12


class SealedKeyError(SiteSignatureError):
    """A sealed CKKS key is not for this site, not signed by an enrolled site, tampered
    with, or does not hold the context it names; the site refuses it."""


def certificate_sha256(certificate_pem: bytes | str) -> str:
    """SHA-256 (hex) of a certificate's DER form: which certificate a key was sealed to."""
    pem = certificate_pem.encode() if isinstance(certificate_pem, str) else certificate_pem
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class SealedKey:
    """One site's copy of the federation's secret context, sealed and signed."""

    federation: str
    generation: int
    sealer: str
    recipient: str
    recipient_certificate: str  # SHA-256 of the certificate whose key can open it
    context: str  # fingerprint of the context inside
    ephemeral: str  # base64 of the sealer's one-time P-256 public point
    nonce: str
    ciphertext: str
    certificate: str  # the sealer's certificate (PEM)
    signature: str

    def header(self) -> dict[str, Any]:
        """The signed fields (everything but the ciphertext, certificate and signature)."""
        return {
            "federation": self.federation, "generation": self.generation, "sealer": self.sealer,
            "recipient": self.recipient, "recipient_certificate": self.recipient_certificate,
            "context": self.context, "ephemeral": self.ephemeral, "nonce": self.nonce,
        }

    def signed_fields(self) -> dict[str, Any]:
        digest = hashlib.sha256(b64decode(self.ciphertext, "ciphertext")).hexdigest()
        return {**self.header(), "ciphertext_sha256": digest}

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, raw: Any) -> SealedKey:
        names = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(raw, dict) or set(raw) != set(names):
            raise SealedKeyError(f"A sealed key must have exactly the fields {', '.join(names)}.")
        generation = raw["generation"]
        if isinstance(generation, bool) or not isinstance(generation, int) or generation < 1:
            raise SealedKeyError("A sealed key's generation is not a positive integer.")
        if not all(isinstance(raw[n], str) for n in names if n != "generation"):
            raise SealedKeyError("A sealed key's fields must be strings.")
        return cls(**raw)


def _box_key(shared: bytes, header: dict[str, Any]) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=signed_bytes(_DOMAIN, header)
    ).derive(shared)


def _recipient_key(certificate_pem: str) -> ec.EllipticCurvePublicKey:
    key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SealedKeyError(
            "The site's certificate key is not a P-256 key, so the CKKS key cannot be sealed "
            "to it; the site must request enrolment again with 'medfed-site request-enrolment'."
        )
    return key


def seal_secret_context(
    secret_context: bytes,
    *,
    federation: str,
    generation: int,
    recipient_certificate_pem: str,
    ca_certificate: x509.Certificate,
    sealer: str,
    signing_key: SigningKey,
    sealer_certificate_pem: str,
) -> SealedKey:
    """Seal ``secret_context`` to the site of ``recipient_certificate_pem`` (which must be
    issued by the federation's CA) and sign the box as ``sealer``."""
    if not context_has_secret_key(secret_context):
        raise InvalidContextError("Only a secret context is sealed to a site.")
    recipient_certificate = x509.load_pem_x509_certificate(recipient_certificate_pem.encode())
    try:
        recipient_certificate.verify_directly_issued_by(ca_certificate)
    except (InvalidSignature, ValueError, TypeError) as error:
        raise SealedKeyError(
            "The certificate a site asked the key for was not issued by this federation's CA; "
            "no key was sealed to it."
        ) from error
    recipient_public = _recipient_key(recipient_certificate_pem)
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    point = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    unsigned = SealedKey(
        federation=federation, generation=generation, sealer=sealer,
        recipient=certificate_site_id(recipient_certificate),
        recipient_certificate=certificate_sha256(recipient_certificate_pem),
        context=context_fingerprint(secret_context), ephemeral=b64encode(point),
        nonce=b64encode(os.urandom(_NONCE_BYTES)), ciphertext="",
        certificate=sealer_certificate_pem, signature="",
    )
    header = unsigned.header()
    box_key = _box_key(ephemeral.exchange(ec.ECDH(), recipient_public), header)
    ciphertext = AESGCM(box_key).encrypt(
        b64decode(unsigned.nonce, "nonce"), secret_context, signed_bytes(_DOMAIN, header)
    )
    sealed = dataclasses.replace(unsigned, ciphertext=b64encode(ciphertext))
    return dataclasses.replace(sealed, signature=sign_fields(_DOMAIN, sealed.signed_fields(), signing_key))


def open_sealed_key(
    sealed: SealedKey,
    *,
    federation: str,
    generation: int,
    sites: list[str],
    site: str,
    certificate_pem: bytes | str,
    private_key: ec.EllipticCurvePrivateKey,
    ca_certificate: x509.Certificate,
) -> bytes:
    """Check and open a box sealed to ``site``: returns the secret context.

    Refuses (:class:`SealedKeyError`) a box for another federation, generation, site or
    certificate, one not signed by an enrolled site of ``sites`` (the coordinator and the
    operator are not sites), a tampered one, and one whose content is not the secret
    context it names.
    """
    wanted = (federation, generation, site, certificate_sha256(certificate_pem))
    found = (sealed.federation, sealed.generation, sealed.recipient, sealed.recipient_certificate)
    if found != wanted:
        raise SealedKeyError(
            f"The sealed CKKS key is for federation {found[0]!r}, key generation {found[1]}, "
            f"site {found[2]!r}, not this site's {wanted[0]!r}, generation {wanted[1]}, "
            f"{wanted[2]!r} and its current certificate."
        )
    if sealed.sealer not in sites:
        raise SealedKeyError(
            f"The CKKS key was sealed by {sealed.sealer!r}, which is not a site of the plan; "
            "only a site may make the federation's key."
        )
    try:
        verify_site_signature(
            _DOMAIN, sealed.signed_fields(), sealed.signature, sealed.certificate,
            ca_certificate, sealed.sealer,
        )
        point = b64decode(sealed.ephemeral, "ephemeral")
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        box_key = _box_key(private_key.exchange(ec.ECDH(), ephemeral), sealed.header())
        secret = AESGCM(box_key).decrypt(
            b64decode(sealed.nonce, "nonce"), b64decode(sealed.ciphertext, "ciphertext"),
            signed_bytes(_DOMAIN, sealed.header()),
        )
    except SiteSignatureError as error:
        raise SealedKeyError(f"The sealed CKKS key is refused: {error}") from error
    except (InvalidTag, ValueError) as error:
        raise SealedKeyError(
            "The sealed CKKS key does not open with this site's key: it was sealed to another "
            "key or tampered with."
        ) from error
    try:
        matches = context_has_secret_key(secret) and context_fingerprint(secret) == sealed.context
    except InvalidContextError as error:
        raise SealedKeyError(f"The sealed CKKS key holds no valid context ({error}).") from error
    if not matches:
        raise SealedKeyError("The sealed CKKS key does not hold the secret context it names.")
    return secret
