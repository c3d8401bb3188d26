"""The site store's migrations when two connections open a new store at once (the GUI's
page and a worker thread do, on a fresh data folder)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from siteapp.store import apply_migrations, open_site_db

MIGRATIONS = (
    "CREATE TABLE first (id INTEGER PRIMARY KEY)",
    "CREATE TABLE second (id INTEGER PRIMARY KEY); ALTER TABLE first ADD COLUMN note TEXT",
)


def test_a_migration_applied_meanwhile_by_another_connection_is_not_applied_again(
    tmp_path: Path,
) -> None:
    other = open_site_db(tmp_path)
    other.execute("BEGIN IMMEDIATE")  # the other connection is migrating right now
    errors: list[BaseException] = []

    def migrate() -> None:
        conn = open_site_db(tmp_path)
        try:
            apply_migrations(conn, "race", MIGRATIONS)
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    late = threading.Thread(target=migrate)
    late.start()
    time.sleep(0.5)  # it has read version 0 and now waits for the write lock
    other.execute("CREATE TABLE first (id INTEGER PRIMARY KEY, note TEXT)")
    other.execute("CREATE TABLE second (id INTEGER PRIMARY KEY)")
    other.execute("INSERT INTO schema_migrations(component, version) VALUES ('race', 2)")
    other.commit()
    late.join()
    other.close()
    assert errors == []
    conn = open_site_db(tmp_path)
    assert conn.execute("SELECT version FROM schema_migrations WHERE component = 'race'").fetchone()[0] == 2
    conn.close()


def test_concurrent_first_opens_apply_each_migration_once(tmp_path: Path) -> None:
    """A page's worker and the GUI thread opening a fresh store together once failed with
    "table federation_enrolment already exists" (the version was read outside the write
    transaction)."""
    for attempt in range(4):
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
