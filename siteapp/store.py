"""The site's single SQLite store and its migrations.

Every subsystem (DICOM index, labels, privacy ledger, audit log, federation state) keeps
its tables in one file, ``<data_dir>/site.sqlite``, so one backup copies a site's whole
state. Each subsystem owns a list of migrations (SQL scripts applied in order) and calls
:func:`apply_migrations` when it opens the store; ``schema_migrations`` records how far
each component got, so upgrades only run what is new.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

DB_FILENAME = "site.sqlite"
# How long opening the store waits for another connection that holds its lock.
LOCK_TIMEOUT_S = 30.0


class DataDirError(Exception):
    """The data folder cannot be created, written or opened as a MedFed store."""


def ensure_data_dir(data_dir: Path) -> Path:
    """Create ``data_dir`` if needed and check that it is writable."""
    data_dir = Path(data_dir).expanduser()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"cannot create data folder {data_dir}: {exc.strerror}") from exc
    if not data_dir.is_dir():
        raise DataDirError(f"data folder {data_dir} is not a folder")
    # One probe name per process and thread: the GUI, its workers and a training child
    # check the same folder at the same time, and a shared name races (one unlinks the
    # other's probe).
    probe = data_dir / f".medfed-write-test-{os.getpid()}-{threading.get_ident()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(f"data folder {data_dir} is not writable: {exc.strerror}") from exc
    return data_dir


def open_site_db(data_dir: Path) -> sqlite3.Connection:
    """Open (creating if needed) the site store in ``data_dir``.

    The connection uses WAL journaling so the GUI can read while a worker writes, and
    enforces foreign keys. Callers own the connection and close it.
    """
    data_dir = ensure_data_dir(data_dir)
    path = data_dir / DB_FILENAME
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while True:
        try:
            conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S, check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            raise DataDirError(f"{path} is not a usable MedFed store: {exc}") from exc
        try:
            _prepare(conn)
            break
        except sqlite3.OperationalError as exc:
            # Switching a new file to WAL needs an exclusive lock, and SQLite answers "locked"
            # at once (no busy wait) while another connection, e.g. a GUI worker, creates
            # the same store: wait for it rather than fail.
            conn.close()
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise DataDirError(f"{path} is not a usable MedFed store: {exc}") from exc
            time.sleep(0.05)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise DataDirError(f"{path} is not a usable MedFed store: {exc}") from exc
    conn.row_factory = sqlite3.Row
    return conn


def _prepare(conn: sqlite3.Connection) -> None:
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )
    conn.commit()


def apply_migrations(conn: sqlite3.Connection, component: str, migrations: Sequence[str]) -> None:
    """Apply the migrations of ``component`` that this store has not seen yet.

    Each migration runs in its own write transaction together with the version bump, so a
    crash leaves the store at a whole version, never half-way through one. The version is
    read inside that transaction (``BEGIN IMMEDIATE``): two connections opening a fresh
    store at once (a page's worker and the GUI thread) apply each migration once, where
    reading it before the transaction let both try ("table ... already exists"). A store
    already up to date takes no write lock.
    """
    if _version(conn, component) >= len(migrations):
        return  # the usual case: no write lock taken
    while True:
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            current = _version(conn, component)
            if current >= len(migrations):
                return
            for statement in _split_statements(migrations[current]):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations(component, version) VALUES (?, ?)"
                " ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                (component, current + 1),
            )


def _version(conn: sqlite3.Connection, component: str) -> int:
    row = conn.execute(
        "SELECT version FROM schema_migrations WHERE component = ?", (component,)
    ).fetchone()
    return int(row[0]) if row else 0


def _split_statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
