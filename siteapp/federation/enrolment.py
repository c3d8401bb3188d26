"""Importing the enrolment kit: validate it, keep a private copy, record the enrolment.

The kit (one signed zip that ``medfed-coordinator sign-request`` made from this site's
certificate request) is checked by :func:`coordinator.kits.load_site_kit` (CA signature
over the manifest, member hashes, certificate chain and expiry) and must be issued for
the key this data folder made (:mod:`siteapp.federation.site_keys`). It is copied to
``<data_dir>/kit/`` (folder 0700, files 0600, beside the site's own private key and, in
CKKS mode, the federation's keys the sites shared, :mod:`siteapp.federation.ckks_keys`)
and checked again each time it is loaded, so a kit edited at rest is refused too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from coordinator.durable_files import write_durably
from coordinator.errors import KitError
from coordinator.kits import SiteKit, load_site_kit
from siteapp.federation.ckks_keys import key_folder
from siteapp.federation.errors import KitRefusedError, NotEnrolledError
from siteapp.federation.settings import KIT_DIRNAME, KIT_FILENAME, TLS_DIRNAME
from siteapp.federation.site_keys import SITE_KEY_FILE, key_for_certificate, site_key
from siteapp.federation.store import connect
from siteapp.store import ensure_data_dir
from siteapp.tasks import keep_federation_task


@dataclass(frozen=True)
class Enrolment:
    """This site's place in a federation, as recorded when the kit was imported."""

    federation: str
    site: str
    coordinator_url: str
    mode: str
    task: str
    model: str
    ca_fingerprint: str
    kit_sha256: str
    expires_at: str
    enrolled_at: str

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def kit_path(data_dir: Path) -> Path:
    return Path(data_dir) / KIT_DIRNAME / KIT_FILENAME


def _verify(path: Path, expected_ca_fingerprint: str | None, key_pem: bytes | None) -> SiteKit:
    try:
        return load_site_kit(path, expected_ca_fingerprint, key_pem=key_pem)
    except KitError as exc:
        raise KitRefusedError(f"the enrolment kit was refused: {exc}") from exc


def enroll(data_dir: Path, kit_file: Path, expected_ca_fingerprint: str | None = None) -> Enrolment:
    """Validate ``kit_file`` and make it this data folder's kit; refuses a kit of another
    federation or site when one is already enrolled (use a new data folder for that),
    and a kit not issued for a certificate request made in this data folder."""
    kit = _verify(Path(kit_file), expected_ca_fingerprint, None)
    existing = current_enrolment(data_dir)
    if existing is not None and (existing.federation, existing.site) != (kit.federation, kit.site):
        raise KitRefusedError(
            f"this data folder already takes part in federation '{existing.federation}' as "
            f"site '{existing.site}'; the kit is for '{kit.federation}' / '{kit.site}'. Use "
            "another data folder for a second federation"
        )
    key_for_certificate(Path(data_dir), kit.cert_pem)
    data = Path(kit_file).read_bytes()
    target = kit_path(ensure_data_dir(Path(data_dir)))
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(target.parent, 0o700)
    write_durably(target, data, mode=0o600)
    shutil.rmtree(target.parent / "tls", ignore_errors=True)
    record = Enrolment(
        federation=kit.federation,
        site=kit.site,
        coordinator_url=kit.coordinator_url,
        mode=kit.plan.mode.value,
        task=kit.plan.task.name,
        model=kit.plan.model,
        ca_fingerprint=kit.ca_fingerprint,
        kit_sha256=hashlib.sha256(data).hexdigest(),
        expires_at=kit.expires_at.isoformat(),
        enrolled_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    keep_federation_task(Path(data_dir), kit.plan.task)
    with connect(Path(data_dir)) as conn, conn:
        conn.execute(
            "INSERT INTO federation_enrolment(id, federation, site, coordinator_url, mode, task,"
            " model, ca_fingerprint, kit_sha256, expires_at, enrolled_at)"
            " VALUES (1, :federation, :site, :coordinator_url, :mode, :task, :model,"
            " :ca_fingerprint, :kit_sha256, :expires_at, :enrolled_at)"
            " ON CONFLICT(id) DO UPDATE SET coordinator_url = excluded.coordinator_url,"
            " mode = excluded.mode, task = excluded.task, model = excluded.model,"
            " ca_fingerprint = excluded.ca_fingerprint, kit_sha256 = excluded.kit_sha256,"
            " expires_at = excluded.expires_at, enrolled_at = excluded.enrolled_at",
            record.to_dict(),
        )
    return record


def current_enrolment(data_dir: Path) -> Enrolment | None:
    """The recorded enrolment, or None before a kit was imported."""
    with connect(Path(data_dir)) as conn:
        row = conn.execute("SELECT * FROM federation_enrolment WHERE id = 1").fetchone()
    if row is None:
        return None
    values = dict(row)
    values.pop("id")
    return Enrolment(**values)


def load_enrolled_kit(data_dir: Path) -> tuple[Enrolment, SiteKit]:
    """The enrolment and its kit, verified again; refuses a kit changed since import."""
    record = current_enrolment(data_dir)
    path = kit_path(data_dir)
    if record is None or not path.is_file():
        raise NotEnrolledError(
            f"{data_dir} is not enrolled in a federation yet; import the kit your federation "
            "operator sent with 'medfed-site enroll KIT'"
        )
    if hashlib.sha256(path.read_bytes()).hexdigest() != record.kit_sha256:
        raise KitRefusedError(
            f"the stored kit {path} changed since it was imported; import the operator's kit "
            "again with 'medfed-site enroll KIT'"
        )
    return record, _verify(path, record.ca_fingerprint, site_key(data_dir))


def leave_federation(data_dir: Path) -> Enrolment:
    """Forget this data folder's enrolment: its kit (with the federation's keys) and record.

    What the site owns stays: studies, labels, models, round records and the privacy
    ledger, whose epsilon keeps counting (a patient's privacy does not reset with a new
    federation). A kit of any federation can be imported afterwards. Raises
    :class:`NotEnrolledError` when there is nothing to leave.
    """
    record = current_enrolment(data_dir)
    if record is None:
        raise NotEnrolledError(f"{data_dir} is not enrolled in a federation; there is nothing to leave")
    with connect(Path(data_dir)) as conn, conn:
        conn.execute("DELETE FROM federation_enrolment WHERE id = 1")
    # After the record: a crash in between leaves a kit without an enrolment, which
    # load_enrolled_kit already treats as "not enrolled" and the next enrol replaces.
    # The kit, its TLS files, the federation's CKKS keys and the key its certificate was
    # issued for go; a pending certificate request's key stays, since it is for the next kit.
    folder = kit_path(data_dir).parent
    kit_path(data_dir).unlink(missing_ok=True)
    shutil.rmtree(folder / TLS_DIRNAME, ignore_errors=True)
    shutil.rmtree(key_folder(data_dir), ignore_errors=True)
    (folder / SITE_KEY_FILE).unlink(missing_ok=True)
    return record
