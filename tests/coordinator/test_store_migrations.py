"""The store's numbered migrations upgrade an existing database in place, on both stores."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from coordinator.server.store import MIGRATIONS, CoordinatorStore

VERSION_1 = [
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at FLOAT NOT NULL)",
    "INSERT INTO schema_migrations VALUES (1, 0)",
    """CREATE TABLE rounds (number INTEGER PRIMARY KEY, phase VARCHAR(16) NOT NULL,
        opened_at FLOAT NOT NULL, deadline_at FLOAT, extensions INTEGER NOT NULL,
        total_examples INTEGER, result_path TEXT, result_sha256 VARCHAR(64),
        state_path TEXT, published_at FLOAT, failure TEXT)""",
    "INSERT INTO rounds (number, phase, opened_at, extensions) VALUES (1, 'open', 5.0, 0)",
]


def test_a_version_1_database_gains_the_masking_tables(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as conn:
        for statement in VERSION_1:
            conn.execute(text(statement))
    store = CoordinatorStore(store_url)
    row = store.round(1)
    assert row is not None and row.opened_at == 5.0 and row.masking_step is None
    assert store.add_messages(1, "advertise", "a", {"*": "{}"})
    assert not store.add_messages(1, "advertise", "a", {"*": "{}"})
    store.close()
    with engine.connect() as conn:
        versions = [v for (v,) in conn.execute(text("SELECT version FROM schema_migrations ORDER BY version"))]
    engine.dispose()
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    # Opening again applies nothing twice.
    CoordinatorStore(store_url).close()
