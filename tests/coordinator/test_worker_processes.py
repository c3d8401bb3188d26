"""Several coordinator processes on one PostgreSQL state: uploads land on different
workers at once, each round is aggregated and published exactly once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from coordinator_loopback import REPO, blob, model, wait_published
from safetensors.numpy import load_file

from coordinator.client import CoordinatorClient
from coordinator.server.rounds import DRIVER_LOCK, STATE_LOCK
from coordinator.server.store import CoordinatorStore

WORKERS = 4
SITES = [f"s{i}" for i in range(8)]


@pytest.fixture
def coordinator_database(postgres_server) -> str:
    return str(postgres_server.new_database())


def _upload_all(clients: dict[str, CoordinatorClient], round_number: int) -> None:
    def send(item: tuple[int, str]) -> None:
        i, site = item
        clients[site].upload_update(round_number, blob(model(100 * round_number + i, 0.1)), i + 1)

    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(send, enumerate(clients)))


def test_four_workers_share_one_state_and_publish_each_round_once(make_federation, tmp_path: Path) -> None:
    fed = make_federation(start=False, sites=SITES, min_sites=len(SITES), rounds=2)
    fed.workers = WORKERS
    fed.start()
    # One connection per site and call, so that uvicorn spreads them over its workers.
    clients = {s: fed.client(s) for s in SITES}
    initial = model(0)
    clients["s0"].upload_initial_model(blob(initial))
    for round_number in (1, 2):
        _upload_all(clients, round_number)
        state = wait_published(clients["s1"], round_number)
        assert state.last_published == round_number
    status = clients["s2"].status()
    assert [(r.number, r.phase) for r in status.rounds] == [(1, "published"), (2, "published")]
    assert all(sorted(r.submitted) == SITES for r in status.rounds)
    assert status.rounds[0].total_examples == sum(range(1, len(SITES) + 1))
    results = sorted(p.name for p in (fed.state_dir / "blobs" / "results").iterdir())
    assert results == ["round-1.safetensors", "round-2.safetensors"]

    clients["s3"].download_result(1, tmp_path / "r1.st")
    got = load_file(str(tmp_path / "r1.st"))
    total = sum(range(1, len(SITES) + 1))
    for k, v in initial.items():
        expected = v + sum((i + 1) * model(100 + i, 0.1)[k] for i in range(len(SITES))) / total
        np.testing.assert_allclose(got[k], expected, rtol=1e-5, atol=1e-6)


def test_several_workers_on_sqlite_are_refused_with_a_reason(make_federation) -> None:
    fed = make_federation(start=False)
    done = subprocess.run(
        [sys.executable, "-m", "coordinator.cli", "serve", "--kit", str(fed.kit_dir),
         "--state", str(fed.state_dir), "--port", str(fed.port), "--workers", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode != 0
    assert "SQLite file serves one process" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_round_locks_hold_across_processes(coordinator_database: str) -> None:
    """Two stores on one database stand for two worker processes: while one holds a lock,
    the other cannot take it, and waits for it when asked to."""
    first, second = CoordinatorStore(coordinator_database), CoordinatorStore(coordinator_database)
    released = threading.Event()
    order: list[str] = []

    def hold() -> None:
        with first.exclusive(STATE_LOCK):
            order.append("first holds")
            released.wait(10)
            order.append("first releases")

    holder = threading.Thread(target=hold)
    holder.start()
    while not order:
        time.sleep(0.01)
    with second.exclusive(DRIVER_LOCK, wait=False) as other_lock:
        assert other_lock, "a different lock is free"
    with second.exclusive(STATE_LOCK, wait=False) as held:
        assert not held, "the second process took a lock the first one holds"
    threading.Timer(0.3, released.set).start()
    with second.exclusive(STATE_LOCK):
        order.append("second holds")
    holder.join()
    assert order == ["first holds", "first releases", "second holds"]
    first.close()
    second.close()
