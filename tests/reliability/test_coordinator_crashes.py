"""The coordinator killed with SIGKILL at each stage of a round, then restarted.

The round must complete, every acknowledged upload must be kept, nothing may be
aggregated twice, and the database must pass its integrity check. Each test runs on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from coordinator_loopback import SITES, Federation, blob, model, wait_published
from fault_launcher import FLAG, PAUSE_AT
from postgres_cluster import STORES, both_stores
from reliability_support import integrity
from safetensors.numpy import load_file

COUNTS = {"a": 3, "b": 5, "c": 2}


@pytest.fixture(params=STORES)
def coordinator_database(request: pytest.FixtureRequest) -> str | None:
    return both_stores(request)


def _expected(initial: dict[str, np.ndarray], updates: dict[str, dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    total = sum(COUNTS[s] for s in updates)
    return {k: initial[k] + sum(COUNTS[s] * u[k] for s, u in updates.items()) / total for k in initial}


def _wait_for_flag(fed: Federation, flag: Path, timeout_s: float = 30) -> None:
    end = time.monotonic() + timeout_s
    while not flag.exists():
        assert fed.process is not None and fed.process.poll() is None, "the coordinator died"
        assert time.monotonic() < end, "the coordinator never reached the fault point"
        time.sleep(0.02)


def _check_round_one(fed: Federation, initial: dict[str, np.ndarray],
                     updates: dict[str, dict[str, np.ndarray]], tmp_path: Path) -> None:
    reader = fed.client("a")
    wait_published(reader, 1)
    state = reader.round_state()
    assert (state.number, state.phase, state.last_published) == (2, "open", 1)
    status = reader.status()
    assert [(r.number, r.phase) for r in status.rounds] == [(1, "published"), (2, "open")]
    assert sorted(status.rounds[0].submitted) == sorted(updates)
    assert status.rounds[0].total_examples == sum(COUNTS[s] for s in updates)
    reader.download_result(1, tmp_path / "round-1.safetensors")
    got = load_file(str(tmp_path / "round-1.safetensors"))
    for k, v in _expected(initial, updates).items():
        np.testing.assert_allclose(got[k], v, rtol=1e-5, atol=1e-6)
    results = sorted(p.name for p in (fed.state_dir / "blobs" / "results").iterdir())
    assert results == ["round-1.safetensors"]
    assert not list((fed.state_dir / "blobs").rglob(".incoming-*"))


def _finish_round_two(fed: Federation) -> None:
    clients = {s: fed.client(s) for s in SITES}
    for i, s in enumerate(SITES):
        clients[s].upload_update(2, blob(model(40 + i, 0.1)), COUNTS[s])
    final = wait_published(clients["a"], 2)
    assert final.finished and final.last_published == 2


def test_kill_while_collecting_keeps_acknowledged_uploads(faulty_federation, tmp_path: Path) -> None:
    fed: Federation = faulty_federation()
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    updates = {s: model(10 + i, 0.1) for i, s in enumerate(SITES)}
    for s in ("a", "b"):
        fed.client(s).upload_update(1, blob(updates[s]), COUNTS[s])
    fed.kill9()
    assert integrity(fed.state_dir, fed.database_url) == "ok"

    fed.start()
    c = fed.client("c")
    assert sorted(c.round_state().submitted) == ["a", "b"]
    c.upload_update(1, blob(updates["c"]), COUNTS["c"])
    _check_round_one(fed, initial, updates, tmp_path)
    _finish_round_two(fed)
    assert integrity(fed.state_dir, fed.database_url) == "ok"


@pytest.mark.parametrize("stage", ["aggregate", "publish"])
def test_kill_during_aggregation_or_publishing_publishes_once(
    faulty_federation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stage: str
) -> None:
    flag = tmp_path / "paused"
    monkeypatch.setenv(PAUSE_AT, stage)
    monkeypatch.setenv(FLAG, str(flag))
    fed: Federation = faulty_federation()
    initial = model(0)
    fed.client("a").upload_initial_model(blob(initial))
    updates = {s: model(10 + i, 0.1) for i, s in enumerate(SITES)}
    for s in SITES:
        fed.client(s).upload_update(1, blob(updates[s]), COUNTS[s])
    _wait_for_flag(fed, flag)
    assert fed.client("b").round_state().phase == "aggregating"
    fed.kill9()
    assert integrity(fed.state_dir, fed.database_url) == "ok"

    monkeypatch.delenv(PAUSE_AT)
    fed.start()
    _check_round_one(fed, initial, updates, tmp_path)
    _finish_round_two(fed)
    assert integrity(fed.state_dir, fed.database_url) == "ok"
