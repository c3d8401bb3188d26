"""The operator's provisioning: a federation CA, the server certificate, one kit per site.

Layout written by :func:`provision` under ``out``::

    ca/ca.pem, ca/ca.key          the federation CA; keep the key offline
    coordinator/                  the coordinator's kit: server cert/key, CA, plan (no
                                  CKKS key: the sites make it among themselves)
    operator/                     the operator's client certificate and key (and the CA)
                                  for the coordinator's status page
    sites/<site>.medfed-kit       one zip per site, signed from the site's certificate
                                  request (:func:`sign_site_request`): it holds the site's
                                  certificate, never its private key, which the site made

The kit format itself (members, manifest, signature, checks) is :mod:`coordinator.kits`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from coordinator.errors import CoordinatorError, KitError, PlanError
from coordinator.kits import (
    CA_FILE,
    COORDINATOR_FILE,
    KIT_FORMAT,
    MANIFEST,
    OPERATOR_CERT,
    OPERATOR_DIR,
    OPERATOR_KEY,
    OPERATOR_UNIT,
    PLAN_FILE,
    SERVER_CERT,
    SERVER_CN,
    SERVER_KEY,
    SIGNATURE,
    SITE_CERT,
    ca_fingerprint,
    load_coordinator_kit,
    sha256_hex,
    utc_now,
    write_private,
)
from coordinator.protocol import FederationPlan
from coordinator.settings import ProvisioningDefaults


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def issue_certificate(
    subject_cn: str,
    key: ec.EllipticCurvePrivateKey | CertificatePublicKeyTypes,
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
    start = utc_now() - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_cert.subject if ca_cert else name)
        .public_key(key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key)
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


@dataclass(frozen=True)
class ProvisionResult:
    ca_fingerprint: str
    coordinator_dir: Path


def _write_site_kit(
    path: Path,
    plan: FederationPlan,
    site_cert: x509.Certificate,
    coordinator_url: str,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
) -> Path:
    """Write the CA-signed kit of ``site_cert``'s site to ``path`` (no private key in it)."""
    site = str(site_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    members = {
        CA_FILE: _cert_pem(ca_cert),
        SITE_CERT: _cert_pem(site_cert),
        PLAN_FILE: plan.model_dump_json(indent=2).encode(),
    }
    manifest = json.dumps(
        {
            "format": KIT_FORMAT,
            "federation": plan.federation,
            "site": site,
            "coordinator_url": coordinator_url,
            "created_at": utc_now().isoformat(),
            "expires_at": site_cert.not_valid_after_utc.isoformat(),
            "files": {name: sha256_hex(data) for name, data in members.items()},
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
    cert = issue_certificate(
        f"operator of {plan.federation}", key, ca_cert, ca_key, validity_days,
        usage=ExtendedKeyUsageOID.CLIENT_AUTH, unit=OPERATOR_UNIT,
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CA_FILE).write_bytes(_cert_pem(ca_cert))
    (folder / OPERATOR_CERT).write_bytes(_cert_pem(cert))
    write_private(folder / OPERATOR_KEY, _key_pem(key))


def provision(
    plan: FederationPlan,
    out: Path,
    coordinator_url: str = ProvisioningDefaults.coordinator_address,
    validity_days: int = ProvisioningDefaults.validity_days,
    pretrained_weights: Path | None = None,
) -> ProvisionResult:
    """Write the CA, the coordinator's kit and the operator's credentials under ``out``.

    Site kits come later, one per certificate request a site sends
    (:func:`sign_site_request`): sites make their own private keys. No CKKS key is made
    here: in CKKS mode the first site makes it and seals it to the others
    (:mod:`coordinator.secure.ckks_key_sharing`), so the operator never holds it.
    ``pretrained_weights`` is the file ``plan.pretrained`` describes, kept in the
    coordinator's kit to serve to the sites.
    """
    if (plan.pretrained is None) != (pretrained_weights is None):
        raise PlanError("give the pretrained weights file exactly when the plan describes one")
    if (out / "ca" / "ca.key").exists():
        raise CoordinatorError(
            f"{out} already holds a provisioned federation; choose an empty --out folder"
        )
    if not coordinator_url.startswith("https://"):
        raise PlanError("the coordinator address must start with https:// (mutual TLS is mandatory)")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = issue_certificate(f"MedFed CA {plan.federation}", ca_key, None, ca_key, validity_days, is_ca=True)
    ca_pem = _cert_pem(ca_cert)
    write_private(out / "ca" / "ca.key", _key_pem(ca_key))
    (out / "ca" / "ca.pem").write_bytes(ca_pem)

    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = issue_certificate(
        SERVER_CN, server_key, ca_cert, ca_key, validity_days,
        usage=ExtendedKeyUsageOID.SERVER_AUTH, san=_server_names(coordinator_url),
    )
    coord = out / "coordinator"
    coord.mkdir(parents=True, exist_ok=True)
    (coord / CA_FILE).write_bytes(ca_pem)
    (coord / SERVER_CERT).write_bytes(_cert_pem(server_cert))
    write_private(coord / SERVER_KEY, _key_pem(server_key))
    (coord / PLAN_FILE).write_text(plan.model_dump_json(indent=2), encoding="utf-8")
    if pretrained_weights is not None:
        from coordinator.pretrained import store_in_kit

        store_in_kit(pretrained_weights, coord, plan)
    (coord / COORDINATOR_FILE).write_text(json.dumps({"url": coordinator_url}), encoding="utf-8")
    _write_operator_credentials(out / OPERATOR_DIR, plan, ca_cert, ca_key, validity_days)
    (out / "sites").mkdir(parents=True, exist_ok=True)
    return ProvisionResult(ca_fingerprint(ca_pem), coord)


REVOKED_REGISTER = "revoked-certificates.json"


@dataclass(frozen=True)
class ReissuedKit:
    path: Path
    replaced: Path | None
    expires_at: dt.datetime


def _requested_site(request_pem: bytes, plan: FederationPlan) -> x509.CertificateSigningRequest:
    """The request, checked: well-formed, signed by its own key, naming a site of the plan."""
    try:
        request = x509.load_pem_x509_csr(request_pem)
        valid = request.is_signature_valid
        names = request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    except (ValueError, TypeError) as exc:
        raise KitError(f"this is not a certificate request ({exc}); ask the site for the .csr file "
                       "'medfed-site request-enrolment' wrote") from exc
    if not valid:
        raise KitError("the certificate request's signature does not verify: it was altered; ask "
                       "the site for a new one")
    if not isinstance(request.public_key(), ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise KitError("the certificate request's key is not an EC or Ed25519 key")
    site = str(names[0].value) if names else ""
    if site not in plan.sites:
        raise PlanError(
            f"the certificate request names '{site}', which is not a site of federation "
            f"'{plan.federation}' (sites: {', '.join(plan.sites)})"
        )
    return request


def sign_site_request(
    out: Path, request_pem: bytes, validity_days: int = ProvisioningDefaults.validity_days,
    *, revoke_previous: bool = False,
) -> ReissuedKit:
    """Sign a site's certificate request into its kit, ``out/sites/<site>.medfed-kit``.

    The kit holds the certificate, the CA, the plan and the coordinator's address, never
    a private key: the site made its key and keeps it. The CA issues one certificate per
    site name: a second one would let whoever holds it act as that site (and be sealed
    the CKKS key), so a request for a site that already has a kit is refused unless
    ``revoke_previous`` says to revoke the current certificate first. That revocation
    is recorded in ``ca/revoked-certificates.json``, the old kit is kept as
    ``.revoked-<time>``, and the coordinator must be told as well
    (``medfed-coordinator revoke --certificate OLD_KIT``; the CLI prints it).
    Before signing, read the request's fingerprint back to the site's officer.
    """
    ca_key_path = out / "ca" / "ca.key"
    if not ca_key_path.is_file():
        raise KitError(
            f"{ca_key_path} is missing; sign requests on the folder 'provision' wrote, "
            "with the CA key brought back from offline storage"
        )
    coordinator = load_coordinator_kit(out / "coordinator")
    request = _requested_site(request_pem, coordinator.plan)
    site = str(request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    ca_pem = (out / "ca" / "ca.pem").read_bytes()
    ca_cert = x509.load_pem_x509_certificate(ca_pem)
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    path = out / "sites" / f"{site}{ProvisioningDefaults.kit_suffix}"
    replaced = None
    if path.exists():
        _, serial = revoked_certificate(path, ca_pem)
        if not revoke_previous:
            raise KitError(
                f"site '{site}' already holds certificate {serial} ({path}); the CA issues one "
                "certificate per site, since a second would let its holder act as that site. "
                "To renew it, revoke the current one explicitly: sign again with "
                "--revoke-previous, then run 'medfed-coordinator revoke --certificate' on the "
                "old kit so that the coordinator refuses it too"
            )
        replaced = path.with_name(f"{path.name}.revoked-{utc_now():%Y%m%dT%H%M%S}")
        _record_revocation(out, site, serial)
        path.rename(replaced)
    # A certificate cannot usefully outlive its CA (sites refuse a kit whose CA expired).
    days_left = (ca_cert.not_valid_after_utc - utc_now()).days
    site_cert = issue_certificate(
        site, request.public_key(), ca_cert, ca_key, max(1, min(validity_days, days_left)),
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    _write_site_kit(path, coordinator.plan, site_cert, coordinator.url, ca_cert, ca_key)
    return ReissuedKit(path, replaced, site_cert.not_valid_after_utc)


def _record_revocation(out: Path, site: str, serial: str) -> None:
    """Add ``serial`` of ``site`` to the CA's own list of certificates it revoked."""
    register = out / "ca" / REVOKED_REGISTER
    entries = json.loads(register.read_text(encoding="utf-8")) if register.is_file() else []
    entries.append({"site": site, "serial": serial, "revoked_at": utc_now().isoformat()})
    write_private(register, json.dumps(entries, indent=2).encode())


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
