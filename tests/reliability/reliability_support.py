"""Helpers shared by the reliability tests (imported by name: pytest's ``conftest`` modules
of different folders would shadow each other)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

HERE = Path(__file__).resolve().parent

LAUNCHER = (str(HERE / "fault_launcher.py"),)


def integrity(state_dir: Path) -> str:
    """``PRAGMA integrity_check`` of the coordinator's database ("ok" when sound)."""
    conn = sqlite3.connect(state_dir / "coordinator.sqlite")
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
