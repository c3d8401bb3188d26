"""The site store's migrations under concurrent first opens."""

from __future__ import annotations

import threading
from pathlib import Path

from siteapp.store import apply_migrations, open_site_db

MIGRATIONS = (
    "CREATE TABLE race_a (x INTEGER)",
    "CREATE TABLE race_b (y INTEGER); CREATE INDEX race_b_y ON race_b(y)",
)


def test_concurrent_first_opens_apply_each_migration_once(tmp_path: Path) -> None:
    """A page's worker and the GUI thread opening a fresh store together once failed with
    "table federation_enrolment already exists" (the version was read outside the write
    transaction)."""
    for attempt in range(10):
        folder = tmp_path / f"site-{attempt}"
        folder.mkdir()
        open_site_db(folder).close()  # the store exists; the component is new
        start = threading.Barrier(6)
        errors: list[BaseException] = []

        def migrate(folder: Path = folder, start: threading.Barrier = start,
                    errors: list[BaseException] = errors) -> None:
            conn = open_site_db(folder)
            try:
                start.wait()
                apply_migrations(conn, "race", MIGRATIONS)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                conn.close()

        threads = [threading.Thread(target=migrate) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        conn = open_site_db(folder)
        version = conn.execute(
            "SELECT version FROM schema_migrations WHERE component = 'race'").fetchone()[0]
        conn.close()
        assert version == len(MIGRATIONS)
