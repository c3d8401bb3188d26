"""Fixtures of the coordinator tests (helpers live in ``coordinator_loopback``).

Every test here that runs a coordinator runs it twice: on its SQLite file and on a real
PostgreSQL server (``coordinator_database``)."""

from pathlib import Path

import pytest
from coordinator_loopback import make_federation
from postgres_cluster import STORES, both_stores

__all__ = ["coordinator_database", "make_federation", "store_url"]


@pytest.fixture(params=STORES)
def coordinator_database(request: pytest.FixtureRequest) -> str | None:
    return both_stores(request)


@pytest.fixture
def store_url(coordinator_database: str | None, tmp_path: Path) -> str:
    """The store of an in-process round service: the PostgreSQL database, or a SQLite file."""
    return coordinator_database or f"sqlite:///{tmp_path / 'db.sqlite'}"
