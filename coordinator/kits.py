"""The enrolment-kit format every party shares: what a kit holds and how it is checked.

A site kit is a zip whose ``manifest.json`` lists the SHA-256 of every member and is
signed with the federation CA's key (``manifest.sig``), so a damaged or edited kit is
refused by :func:`load_site_kit`. The coordinator's kit is a folder
(:func:`load_coordinator_kit`). The CA fingerprint printed at provisioning lets a site
officer check, out of band, that the kit comes from their operator. Writing kits is the
operator's job (:mod:`coordinator.provisioning`); sites, server and client only read them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from coordinator.durable_files import write_durably
from coordinator.errors import KitError
from coordinator.protocol import FederationPlan

KIT_FORMAT = 2  # 2: the site made its key; the kit holds no private key
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CA_FILE = "ca.pem"
SITE_CERT = "site.pem"
SITE_KEY = "site.key"
PLAN_FILE = "plan.json"
# Kits before the sites made the CKKS key themselves carried it under this name; a kit
# that still does is refused (whoever wrote it held the key).
CKKS_SECRET = "ckks_secret_context.bin"
SERVER_CERT = "server.pem"
SERVER_KEY = "server.key"
COORDINATOR_FILE = "coordinator.json"
SERVER_CN = "medfed-coordinator"
# The operator's client certificate carries this organisational unit; site certificates
# carry none, so the coordinator tells the two apart by the CA-signed subject alone.
OPERATOR_UNIT = "MedFed operator"
OPERATOR_DIR = "operator"
OPERATOR_CERT = "operator.pem"
OPERATOR_KEY = "operator.key"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ca_fingerprint(ca_pem: bytes) -> str:
    """SHA-256 of the CA certificate (DER), as colon-separated hex for reading aloud."""
    der = x509.load_pem_x509_certificate(ca_pem).public_bytes(serialization.Encoding.DER)
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def request_fingerprint(request_pem: bytes) -> str:
    """SHA-256 of a certificate request's public key (first 16 bytes), for the site's
    officer to read out and the operator to compare before signing."""
    der = x509.load_pem_x509_csr(request_pem).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) whole or not at all: a site's TLS files are
    rewritten by every new connection while another thread may be reading them for a
    handshake, and a reader must never see a half-written file."""
    write_durably(path, data, mode=0o600)


@dataclass(frozen=True)
class SiteKit:
    """A validated enrolment kit: everything a site needs to join its federation."""

    site: str
    federation: str
    coordinator_url: str
    plan: FederationPlan
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes  # the site's own key, from its data folder (never from the kit)
    expires_at: dt.datetime
    ca_fingerprint: str

    def write_tls_files(self, folder: Path) -> tuple[Path, Path, Path]:
        """Write CA, certificate and key (mode 0600) for the TLS stack; returns their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = (folder / CA_FILE, folder / SITE_CERT, folder / SITE_KEY)
        for path, data in zip(paths, (self.ca_pem, self.cert_pem, self.key_pem), strict=True):
            write_private(path, data)
        return paths


def _key_matches(key_pem: bytes, certificate: x509.Certificate) -> bool:
    key = serialization.load_pem_private_key(key_pem, password=None)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return bool(
        key.public_key().public_bytes(serialization.Encoding.DER, spki)
        == certificate.public_key().public_bytes(serialization.Encoding.DER, spki)
    )


def load_site_kit(
    path: Path,
    expected_ca_fingerprint: str | None = None,
    now: dt.datetime | None = None,
    *,
    key_pem: bytes | None = None,
) -> SiteKit:
    """Open and verify a site kit: CA signature, member hashes, certificate chain, expiry.

    ``key_pem`` is the site's own private key (the kit never holds one); it must be the
    key the certificate was issued for. Without it the kit is checked but
    ``SiteKit.key_pem`` is empty (the operator's tools read kits that way). Raises
    :class:`KitError` with what is wrong and what to ask the operator for.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            members = {info.filename: zf.read(info) for info in zf.infolist()}
    except FileNotFoundError as exc:
        raise KitError(f"enrolment kit {path} does not exist; check the path") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise KitError(
            f"{path} is not a MedFed enrolment kit (unreadable zip: {exc}); "
            "ask the federation operator for a new kit"
        ) from exc
    missing = [n for n in (MANIFEST, SIGNATURE, CA_FILE, SITE_CERT, PLAN_FILE) if n not in members]
    if missing:
        raise KitError(f"enrolment kit {path} lacks {', '.join(missing)}; ask the operator for a new kit")
    try:
        ca_cert = x509.load_pem_x509_certificate(members[CA_FILE])
        public = ca_cert.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(members[SIGNATURE], members[MANIFEST], ec.ECDSA(hashes.SHA256()))
        manifest = json.loads(members[MANIFEST])
    except (InvalidSignature, ValueError, AssertionError) as exc:
        raise KitError(
            f"enrolment kit {path} has been altered (its signature does not verify); "
            "do not use it, ask the operator for a new kit"
        ) from exc
    listed = manifest.get("files", {})
    if set(listed) != set(members) - {MANIFEST, SIGNATURE}:
        raise KitError(f"enrolment kit {path} has unexpected or missing files; ask for a new kit")
    for name, digest in listed.items():
        if sha256_hex(members[name]) != digest:
            raise KitError(f"enrolment kit {path}: {name} was modified; ask the operator for a new kit")
    fingerprint = ca_fingerprint(members[CA_FILE])
    if expected_ca_fingerprint and expected_ca_fingerprint.upper() != fingerprint:
        raise KitError(
            "the kit's CA fingerprint does not match the one your operator gave you; "
            "the kit may not come from your federation, do not use it"
        )
    site_cert = x509.load_pem_x509_certificate(members[SITE_CERT])
    try:
        site_cert.verify_directly_issued_by(ca_cert)
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise KitError(f"the site certificate in {path} is not issued by the kit's CA") from exc
    cn = site_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    if cn != manifest.get("site"):
        raise KitError(f"the kit's certificate names '{cn!s}', not site '{manifest.get('site')}'")
    if SITE_KEY in members:
        raise KitError(
            f"enrolment kit {path} carries a private key: it was made by someone else than "
            "this site, so others may hold the key too. Do not use it; make a certificate "
            "request ('medfed-site request-enrolment') and import the kit signed for it"
        )
    if CKKS_SECRET in members:
        raise KitError(
            f"enrolment kit {path} carries a CKKS secret key: whoever made it can read every "
            "encrypted update. Do not use it; in this version the sites make the key among "
            "themselves, ask the operator for a kit signed by 'medfed-coordinator sign-request'"
        )
    if key_pem is not None and not _key_matches(key_pem, site_cert):
        raise KitError(f"the kit {path} was issued for another key than this site's")
    moment = now or utc_now()
    if moment > site_cert.not_valid_after_utc or moment > ca_cert.not_valid_after_utc:
        raise KitError(
            f"enrolment kit {path} expired on {site_cert.not_valid_after_utc:%Y-%m-%d}; "
            "ask the operator to provision a new one"
        )
    try:
        plan = FederationPlan.model_validate_json(members[PLAN_FILE])
    except ValidationError as exc:
        raise KitError(f"the plan in {path} is invalid: {exc.errors()[0]['msg']}") from exc
    if cn not in plan.sites or plan.federation != manifest.get("federation"):
        raise KitError(f"the kit's plan does not enrol site '{cn!s}'; ask for a new kit")
    return SiteKit(
        site=str(cn),
        federation=plan.federation,
        coordinator_url=str(manifest["coordinator_url"]),
        plan=plan,
        ca_pem=members[CA_FILE],
        cert_pem=members[SITE_CERT],
        key_pem=key_pem or b"",
        expires_at=site_cert.not_valid_after_utc,
        ca_fingerprint=fingerprint,
    )


@dataclass(frozen=True)
class CoordinatorKit:
    """The coordinator's own kit folder (no CKKS key of any kind, no CA key)."""

    folder: Path
    plan: FederationPlan
    url: str
    ca_path: Path
    cert_path: Path
    key_path: Path


def load_coordinator_kit(folder: Path) -> CoordinatorKit:
    """Read the coordinator's kit; raises :class:`KitError` naming what is missing."""
    for name in (CA_FILE, SERVER_CERT, SERVER_KEY, PLAN_FILE, COORDINATOR_FILE):
        if not (folder / name).is_file():
            raise KitError(
                f"{folder} is not a coordinator kit ({name} missing); point --kit at the "
                "'coordinator' folder that 'medfed-coordinator provision' wrote"
            )
    try:
        plan = FederationPlan.model_validate_json((folder / PLAN_FILE).read_bytes())
    except ValidationError as exc:
        raise KitError(f"{folder / PLAN_FILE} is invalid: {exc.errors()[0]['msg']}") from exc
    url = json.loads((folder / COORDINATOR_FILE).read_text(encoding="utf-8"))["url"]
    return CoordinatorKit(
        folder=folder,
        plan=plan,
        url=url,
        ca_path=folder / CA_FILE,
        cert_path=folder / SERVER_CERT,
        key_path=folder / SERVER_KEY,
    )


def temporary_tls_dir() -> Path:
    """A private temporary folder for a kit's TLS files (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix="medfed-tls-"))
