"""The store's numbered migrations upgrade an existing database in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coordinator.server.store import MIGRATIONS, CoordinatorStore


def test_a_version_1_database_gains_the_masking_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at FLOAT NOT NULL);
            INSERT INTO schema_migrations VALUES (1, 0);
            CREATE TABLE rounds (number INTEGER PRIMARY KEY, phase VARCHAR(16) NOT NULL,
                opened_at FLOAT NOT NULL, deadline_at FLOAT, extensions INTEGER NOT NULL,
                total_examples INTEGER, result_path TEXT, result_sha256 VARCHAR(64),
                state_path TEXT, published_at FLOAT, failure TEXT);
            INSERT INTO rounds (number, phase, opened_at, extensions) VALUES (1, 'open', 5.0, 0);
            """
        )
    store = CoordinatorStore(f"sqlite:///{path}")
    row = store.round(1)
    assert row is not None and row.opened_at == 5.0 and row.masking_step is None
    assert store.add_messages(1, "advertise", "a", {"*": "{}"})
    assert not store.add_messages(1, "advertise", "a", {"*": "{}"})
    store.close()
    with sqlite3.connect(path) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    # Opening again applies nothing twice.
    CoordinatorStore(f"sqlite:///{path}").close()
