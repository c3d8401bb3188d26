"""Helpers shared by the reliability tests (imported by name: pytest's ``conftest`` modules
of different folders would shadow each other)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

LAUNCHER = (str(HERE / "fault_launcher.py"),)


def integrity(state_dir: Path, database_url: str | None = None) -> str:
    """"ok" when the coordinator's database is sound: SQLite's ``PRAGMA integrity_check``,
    or on PostgreSQL amcheck's verification of every index of the coordinator's tables
    (heap included), which raises on corruption."""
    if database_url is None:
        conn = sqlite3.connect(state_dir / "coordinator.sqlite")
        try:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            conn.close()
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.begin() as pg:
            pg.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = pg.execute(text(
                "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
            )).scalars().all()
            for oid in indexes:
                pg.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
        return "ok" if indexes else "no indexes found"
    finally:
        engine.dispose()


TABLES = ("rounds", "uploads", "metrics", "federation_facts", "masking_messages", "schema_migrations")


def snapshot(state_dir: Path) -> tuple[Any, ...]:
    """Every row of the coordinator's database and every blob file (name, size): equal
    before and after a refused request when the refusal changed nothing."""
    conn = sqlite3.connect(state_dir / "coordinator.sqlite")
    try:
        tables = tuple(tuple(conn.execute(f"SELECT * FROM {t} ORDER BY 1")) for t in TABLES)
    finally:
        conn.close()
    files = tuple(sorted((str(p.relative_to(state_dir)), p.stat().st_size)
                         for p in (state_dir / "blobs").rglob("*") if p.is_file()))
    return tables, files
