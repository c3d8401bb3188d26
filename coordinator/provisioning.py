"""Provisioning: a federation CA, the server certificate, and one enrolment kit per site.

Layout written by :func:`provision` under ``out``::

    ca/ca.pem, ca/ca.key          the federation CA; keep the key offline
    coordinator/                  the coordinator's kit: server cert/key, CA, plan,
                                  CKKS public context (never the secret key)
    operator/                     the operator's client certificate and key (and the CA)
                                  for the coordinator's status page
    sites/<site>.medfed-kit       one zip per site

A site kit is a zip whose ``manifest.json`` lists the SHA-256 of every member and is
signed with the CA key (``manifest.sig``), so a damaged or edited kit is refused by
:func:`load_site_kit`. The CA fingerprint printed at provisioning lets a site officer
check, out of band, that the kit comes from their operator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import ValidationError

from coordinator.errors import CoordinatorError, KitError, PlanError
from coordinator.protocol import FederationPlan, SecureMode
from coordinator.settings import ProvisioningDefaults

KIT_FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CA_FILE = "ca.pem"
SITE_CERT = "site.pem"
SITE_KEY = "site.key"
PLAN_FILE = "plan.json"
CKKS_SECRET = "ckks_secret_context.bin"
SERVER_CERT = "server.pem"
SERVER_KEY = "server.key"
CKKS_PUBLIC = "ckks_public_context.bin"
COORDINATOR_FILE = "coordinator.json"
SERVER_CN = "medfed-coordinator"
# The operator's client certificate carries this organisational unit; site certificates
# carry none, so the coordinator tells the two apart by the CA-signed subject alone.
OPERATOR_UNIT = "MedFed operator"
OPERATOR_DIR = "operator"
OPERATOR_CERT = "operator.pem"
OPERATOR_KEY = "operator.key"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def ca_fingerprint(ca_pem: bytes) -> str:
    """SHA-256 of the CA certificate (DER), as colon-separated hex for reading aloud."""
    der = x509.load_pem_x509_certificate(ca_pem).public_bytes(serialization.Encoding.DER)
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _issue(
    subject_cn: str,
    key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate | None,
    ca_key: ec.EllipticCurvePrivateKey,
    days: int,
    *,
    is_ca: bool = False,
    usage: x509.ObjectIdentifier | None = None,
    san: list[x509.GeneralName] | None = None,
    unit: str | None = None,
) -> x509.Certificate:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]
    if unit is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    name = x509.Name(attributes)
    start = _now() - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_cert.subject if ca_cert else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), critical=True)
    )
    if is_ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def _server_names(coordinator_url: str) -> list[x509.GeneralName]:
    host = urlparse(coordinator_url).hostname or "127.0.0.1"
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    try:
        ip = ipaddress.ip_address(host)
        if str(ip) != "127.0.0.1":
            names.append(x509.IPAddress(ip))
    except ValueError:
        if host != "localhost":
            names.append(x509.DNSName(host))
    return names


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


@dataclass(frozen=True)
class ProvisionResult:
    ca_fingerprint: str
    coordinator_dir: Path
    site_kits: dict[str, Path]


def _write_site_kit(
    path: Path,
    plan: FederationPlan,
    site: str,
    coordinator_url: str,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    secret_ctx: bytes | None,
    validity_days: int,
) -> Path:
    """Issue ``site`` a fresh key and certificate and write its signed kit to ``path``."""
    site_key = ec.generate_private_key(ec.SECP256R1())
    site_cert = _issue(
        site, site_key, ca_cert, ca_key, validity_days, usage=ExtendedKeyUsageOID.CLIENT_AUTH
    )
    members = {
        CA_FILE: _cert_pem(ca_cert),
        SITE_CERT: _cert_pem(site_cert),
        SITE_KEY: _key_pem(site_key),
        PLAN_FILE: plan.model_dump_json(indent=2).encode(),
    }
    if secret_ctx is not None:
        members[CKKS_SECRET] = secret_ctx
    manifest = json.dumps(
        {
            "format": KIT_FORMAT,
            "federation": plan.federation,
            "site": site,
            "coordinator_url": coordinator_url,
            "created_at": _now().isoformat(),
            "expires_at": site_cert.not_valid_after_utc.isoformat(),
            "files": {name: _sha256(data) for name, data in members.items()},
        },
        indent=2,
    ).encode()
    signature = ca_key.sign(manifest, ec.ECDSA(hashes.SHA256()))
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, manifest)
        zf.writestr(SIGNATURE, signature)
        for name, data in members.items():
            zf.writestr(name, data)
    os.chmod(path, 0o600)
    return path


def _write_operator_credentials(
    folder: Path, plan: FederationPlan, ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey, validity_days: int,
) -> None:
    """The operator's client certificate: it opens the coordinator's status page (and
    nothing a site may do); a site certificate cannot open the page."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _issue(
        f"operator of {plan.federation}", key, ca_cert, ca_key, validity_days,
        usage=ExtendedKeyUsageOID.CLIENT_AUTH, unit=OPERATOR_UNIT,
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CA_FILE).write_bytes(_cert_pem(ca_cert))
    (folder / OPERATOR_CERT).write_bytes(_cert_pem(cert))
    _write_private(folder / OPERATOR_KEY, _key_pem(key))


def provision(
    plan: FederationPlan,
    out: Path,
    coordinator_url: str = ProvisioningDefaults.coordinator_address,
    validity_days: int = ProvisioningDefaults.validity_days,
) -> ProvisionResult:
    """Write the CA, the coordinator's kit and one signed kit per site under ``out``."""
    if (out / "ca" / "ca.key").exists():
        raise CoordinatorError(
            f"{out} already holds a provisioned federation; choose an empty --out folder"
        )
    if not coordinator_url.startswith("https://"):
        raise PlanError("the coordinator address must start with https:// (mutual TLS is mandatory)")
    secret_ctx = public_ctx = None
    if plan.mode is SecureMode.CKKS:
        try:
            from coordinator.secure.ckks import create_context
        except ImportError as exc:
            raise CoordinatorError(
                "CKKS mode needs coordinator.secure.ckks, which is not installed in this build"
            ) from exc
        secret_ctx, public_ctx = create_context()

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _issue(f"MedFed CA {plan.federation}", ca_key, None, ca_key, validity_days, is_ca=True)
    ca_pem = _cert_pem(ca_cert)
    _write_private(out / "ca" / "ca.key", _key_pem(ca_key))
    (out / "ca" / "ca.pem").write_bytes(ca_pem)

    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _issue(
        SERVER_CN, server_key, ca_cert, ca_key, validity_days,
        usage=ExtendedKeyUsageOID.SERVER_AUTH, san=_server_names(coordinator_url),
    )
    coord = out / "coordinator"
    coord.mkdir(parents=True, exist_ok=True)
    (coord / CA_FILE).write_bytes(ca_pem)
    (coord / SERVER_CERT).write_bytes(_cert_pem(server_cert))
    _write_private(coord / SERVER_KEY, _key_pem(server_key))
    (coord / PLAN_FILE).write_text(plan.model_dump_json(indent=2), encoding="utf-8")
    (coord / COORDINATOR_FILE).write_text(json.dumps({"url": coordinator_url}), encoding="utf-8")
    if public_ctx is not None:
        (coord / CKKS_PUBLIC).write_bytes(public_ctx)

    _write_operator_credentials(out / OPERATOR_DIR, plan, ca_cert, ca_key, validity_days)
    kits: dict[str, Path] = {}
    for site in plan.sites:
        kits[site] = _write_site_kit(
            out / "sites" / f"{site}{ProvisioningDefaults.kit_suffix}",
            plan, site, coordinator_url, ca_cert, ca_key, secret_ctx, validity_days,
        )
    return ProvisionResult(ca_fingerprint(ca_pem), coord, kits)


@dataclass(frozen=True)
class SiteKit:
    """A validated enrolment kit: everything a site needs to join its federation."""

    site: str
    federation: str
    coordinator_url: str
    plan: FederationPlan
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes
    ckks_secret_context: bytes | None
    expires_at: dt.datetime
    ca_fingerprint: str

    def write_tls_files(self, folder: Path) -> tuple[Path, Path, Path]:
        """Write CA, certificate and key (mode 0600) for the TLS stack; returns their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = (folder / CA_FILE, folder / SITE_CERT, folder / SITE_KEY)
        for path, data in zip(paths, (self.ca_pem, self.cert_pem, self.key_pem), strict=True):
            _write_private(path, data)
        return paths


def load_site_kit(
    path: Path, expected_ca_fingerprint: str | None = None, now: dt.datetime | None = None
) -> SiteKit:
    """Open and verify a site kit: CA signature, member hashes, certificate chain, expiry.

    Raises :class:`KitError` with what is wrong and what to ask the operator for.
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
    missing = [n for n in (MANIFEST, SIGNATURE, CA_FILE, SITE_CERT, SITE_KEY, PLAN_FILE) if n not in members]
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
        if _sha256(members[name]) != digest:
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
    key = serialization.load_pem_private_key(members[SITE_KEY], password=None)
    if key.public_key().public_numbers() != site_cert.public_key().public_numbers():  # type: ignore[union-attr]
        raise KitError(f"the private key in {path} does not match its certificate")
    moment = now or _now()
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
        key_pem=members[SITE_KEY],
        ckks_secret_context=members.get(CKKS_SECRET),
        expires_at=site_cert.not_valid_after_utc,
        ca_fingerprint=fingerprint,
    )


@dataclass(frozen=True)
class CoordinatorKit:
    """The coordinator's own kit folder (no CKKS secret key, no CA key)."""

    folder: Path
    plan: FederationPlan
    url: str
    ca_path: Path
    cert_path: Path
    key_path: Path
    ckks_public_context: bytes | None


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
    public = folder / CKKS_PUBLIC
    if plan.mode is SecureMode.CKKS and not public.is_file():
        raise KitError(f"the plan is in CKKS mode but {public} is missing")
    url = json.loads((folder / COORDINATOR_FILE).read_text(encoding="utf-8"))["url"]
    return CoordinatorKit(
        folder=folder,
        plan=plan,
        url=url,
        ca_path=folder / CA_FILE,
        cert_path=folder / SERVER_CERT,
        key_path=folder / SERVER_KEY,
        ckks_public_context=public.read_bytes() if public.is_file() else None,
    )


@dataclass(frozen=True)
class ReissuedKit:
    path: Path
    replaced: Path | None
    expires_at: dt.datetime


def _verified_kit_member(kit: Path, ca_cert: x509.Certificate, name: str) -> bytes | None:
    """``name`` from a kit signed by ``ca_cert`` (expired or not), or None if absent."""
    try:
        with zipfile.ZipFile(kit) as zf:
            manifest, signature = zf.read(MANIFEST), zf.read(SIGNATURE)
            data = zf.read(name) if name in zf.namelist() else None
        public = ca_cert.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(signature, manifest, ec.ECDSA(hashes.SHA256()))
    except (zipfile.BadZipFile, OSError, KeyError, InvalidSignature, AssertionError) as exc:
        raise KitError(f"{kit} is not a kit of this federation ({exc}); remove it and retry") from exc
    if data is not None and json.loads(manifest)["files"].get(name) != _sha256(data):
        raise KitError(f"{kit}: {name} was modified; remove the kit and retry")
    return data


def reissue_site_kit(
    out: Path, site: str, validity_days: int = ProvisioningDefaults.validity_days
) -> ReissuedKit:
    """A new kit for ``site`` from the federation in ``out``: a fresh key and certificate
    signed by the same CA, the same plan, coordinator address and CKKS secret context.

    Use it when a site's certificate nears expiry or its workstation is replaced. The
    previous kit is kept beside the new one (``.replaced-<time>``). Its certificate stays
    valid until it expires unless the operator retires it with
    ``medfed-coordinator revoke --certificate OLD_KIT``.
    """
    ca_key_path = out / "ca" / "ca.key"
    if not ca_key_path.is_file():
        raise KitError(
            f"{ca_key_path} is missing; run reissue-kit on the folder 'provision' wrote, "
            "with the CA key brought back from offline storage"
        )
    coordinator = load_coordinator_kit(out / "coordinator")
    if site not in coordinator.plan.sites:
        raise PlanError(
            f"'{site}' is not a site of federation '{coordinator.plan.federation}' "
            f"(sites: {', '.join(coordinator.plan.sites)})"
        )
    ca_cert = x509.load_pem_x509_certificate((out / "ca" / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    secret_ctx = None
    if coordinator.plan.mode is SecureMode.CKKS:
        kits = sorted((out / "sites").glob(f"*{ProvisioningDefaults.kit_suffix}"))
        secret_ctx = next(
            (d for k in kits if (d := _verified_kit_member(k, ca_cert, CKKS_SECRET)) is not None),
            None,
        )
        if secret_ctx is None:
            raise KitError(
                f"no kit in {out / 'sites'} holds the federation's CKKS secret context; "
                "copy one site's current kit back there and retry"
            )
    # A certificate cannot usefully outlive its CA (sites refuse a kit whose CA expired).
    days_left = (ca_cert.not_valid_after_utc - _now()).days
    path = out / "sites" / f"{site}{ProvisioningDefaults.kit_suffix}"
    replaced = None
    if path.exists():
        replaced = path.with_name(f"{path.name}.replaced-{_now():%Y%m%dT%H%M%S}")
        path.rename(replaced)
    _write_site_kit(
        path, coordinator.plan, site, coordinator.url, ca_cert, ca_key, secret_ctx,
        max(1, min(validity_days, days_left)),
    )
    expires = load_site_kit(path).expires_at
    return ReissuedKit(path, replaced, expires)


def temporary_tls_dir() -> Path:
    """A private temporary folder for a kit's TLS files (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix="medfed-tls-"))


def revoked_certificate(path: Path, ca_pem: bytes) -> tuple[str, str]:
    """``(site, serial)`` of the certificate in ``path`` (a site kit, expired or not, or a
    PEM file), for the revocation list; refuses one this federation's CA did not issue."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                pem = zf.read(SITE_CERT)
        else:
            pem = path.read_bytes()
        cert = x509.load_pem_x509_certificate(pem)
    except (OSError, KeyError, ValueError) as exc:
        raise KitError(f"cannot read a site certificate from {path} ({exc}); give a site kit or a PEM file") from exc
    try:
        cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_pem))
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise KitError(f"the certificate in {path} was not issued by this federation's CA") from exc
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return (str(names[0].value) if names else "", format(cert.serial_number, "x"))

