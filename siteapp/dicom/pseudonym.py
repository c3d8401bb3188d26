"""Pseudonymous patient keys: a keyed hash of the PatientID with a per-site secret.

The key is what training, splits and anything that could be logged or reported use;
without the site's secret (kept only in its store) it cannot be linked back to a
PatientID, and two sites produce unrelated keys for the same PatientID.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3

from siteapp.dicom.config import PSEUDONYM_HEX_CHARS, PSEUDONYM_SECRET_BYTES

_SECRET_NAME = "pseudonym_secret"


def site_secret(conn: sqlite3.Connection) -> bytes:
    """Return this site's secret, creating it on first use."""
    row = conn.execute("SELECT value FROM site_secrets WHERE name = ?", (_SECRET_NAME,)).fetchone()
    if row is not None:
        return bytes(row[0])
    with conn:
        conn.execute(
            "INSERT OR IGNORE INTO site_secrets(name, value) VALUES (?, ?)",
            (_SECRET_NAME, secrets.token_bytes(PSEUDONYM_SECRET_BYTES)),
        )
    row = conn.execute("SELECT value FROM site_secrets WHERE name = ?", (_SECRET_NAME,)).fetchone()
    return bytes(row[0])


def set_site_secret(conn: sqlite3.Connection, secret: bytes) -> None:
    """Make ``secret`` this site's secret, before anything was imported. Only for demos
    and benchmarks whose patient keys (hence splits) must repeat from a seed; a real
    site keeps the random secret :func:`site_secret` creates."""
    if conn.execute("SELECT 1 FROM site_secrets WHERE name = ?", (_SECRET_NAME,)).fetchone():
        raise ValueError("this site already has a pseudonym secret; it cannot be replaced")
    with conn:
        conn.execute("INSERT INTO site_secrets(name, value) VALUES (?, ?)", (_SECRET_NAME, secret))


def patient_key(secret: bytes, patient_id: str) -> str:
    """The pseudonymous key of ``patient_id`` at the site holding ``secret``."""
    digest = hmac.new(secret, patient_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return "P-" + digest[:PSEUDONYM_HEX_CHARS]
