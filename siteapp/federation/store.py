"""The federation's tables in the site store (component ``federation``).

``federation_enrolment`` holds the imported kit's identity; ``federation_rounds`` the
site's progress through each round, written before each step that depends on it so a
restarted site knows where it stopped; ``federation_audit`` every request that left the
machine; ``federation_policy`` the privacy officer's limits on what a plan may ask.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from siteapp.store import apply_migrations, open_site_db

COMPONENT = "federation"
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE federation_enrolment (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        federation TEXT NOT NULL,
        site TEXT NOT NULL,
        coordinator_url TEXT NOT NULL,
        mode TEXT NOT NULL,
        task TEXT NOT NULL,
        model TEXT NOT NULL,
        ca_fingerprint TEXT NOT NULL,
        kit_sha256 TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        enrolled_at TEXT NOT NULL
    );
    CREATE TABLE federation_rounds (
        federation TEXT NOT NULL,
        round INTEGER NOT NULL,
        phase TEXT NOT NULL,
        ledger_entry_id INTEGER,
        num_examples INTEGER,
        update_path TEXT,
        upload_sha256 TEXT,
        upload_bytes INTEGER,
        epsilon_after REAL,
        metrics_json TEXT,
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (federation, round)
    );
    CREATE TABLE federation_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        method TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        kind TEXT NOT NULL,
        status INTEGER,
        bytes_sent INTEGER NOT NULL,
        body_sha256 TEXT,
        carried TEXT NOT NULL,
        attempts INTEGER NOT NULL
    );
    CREATE INDEX federation_audit_at ON federation_audit(at);
    CREATE TABLE federation_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        policy_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # What a request carried as Words (JSON: template and values), for the GUI's language;
    # NULL in the rows recorded before.
    "ALTER TABLE federation_audit ADD COLUMN carried_words TEXT;",
)


@contextmanager
def connect(data_dir: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection with the federation tables migrated."""
    conn = open_site_db(Path(data_dir))
    try:
        apply_migrations(conn, COMPONENT, MIGRATIONS)
        yield conn
    finally:
        conn.close()
