"""The round service in-process: crash recovery, idempotent publishing, optimiser state."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from coordinator_loopback import blob, model
from safetensors.numpy import load_file

from coordinator.aggregation import FedAdam
from coordinator.protocol import FederationPlan
from coordinator.server.blobs import BlobStore
from coordinator.server.rounds import RoundService
from coordinator.server.store import CoordinatorStore

SITES = ["a", "b", "c"]


def _service(root: Path, plan: FederationPlan, store_url: str) -> RoundService:
    return RoundService(plan, CoordinatorStore(store_url), BlobStore(root / "blobs"))


def _send(service: RoundService, site: str, round_number: int, data: bytes, n: int | None = None) -> None:
    pending = service.blobs.receive(f"uploads/round-{round_number}", 1 << 20, "update")
    pending.write(data)
    if n is None:
        service.accept_initial_model(site, pending)
    else:
        service.accept_update(site, round_number, pending, n)


def _global(service: RoundService, r: int) -> dict[str, np.ndarray]:
    return load_file(str(service.result(r)[0]))


def test_restart_in_aggregating_publishes_once_with_the_same_result(tmp_path: Path, store_url: str) -> None:
    plan = FederationPlan.model_validate({"federation": "f", "sites": SITES, "rounds": 2, "min_sites": 2})
    service = _service(tmp_path, plan, store_url)
    _send(service, "a", 1, blob(model(0)))
    for i, s in enumerate(SITES):
        _send(service, s, 1, blob(model(10 + i, 0.1)), i + 1)
    # Simulate a crash after the round closed, before the publish transaction.
    assert service._maybe_close()
    assert service.state().phase == "aggregating"
    (tmp_path / "blobs" / "uploads" / ".incoming-crashed").write_bytes(b"half")
    service.store.close()

    restarted = _service(tmp_path, plan, store_url)
    assert not (tmp_path / "blobs" / "uploads" / ".incoming-crashed").exists()
    assert restarted.advance()
    first = restarted.result(1)
    assert not restarted.advance()  # nothing left to do: no second aggregation
    assert restarted.result(1) == first
    rounds = restarted.store.all_rounds()
    assert [(r.number, r.phase) for r in rounds] == [(1, "published"), (2, "open")]
    expected = {k: model(0)[k] + sum((i + 1) * model(10 + i, 0.1)[k] for i in range(3)) / 6 for k in model(0)}
    for k, v in _global(restarted, 1).items():
        np.testing.assert_allclose(v, expected[k], rtol=1e-5, atol=1e-6)


def test_fedadam_state_survives_restart_between_rounds(tmp_path: Path, store_url: str) -> None:
    plan = FederationPlan.model_validate(
        {"federation": "f", "sites": ["a", "b"], "rounds": 2, "min_sites": 2, "strategy": "fedadam"}
    )
    service = _service(tmp_path, plan, store_url)
    initial = model(0)
    _send(service, "a", 1, blob(initial))
    deltas = {r: {s: model(20 * r + i, 0.1) for i, s in enumerate(["a", "b"])} for r in (1, 2)}
    for s in ("a", "b"):
        _send(service, s, 1, blob(deltas[1][s]), 1)
    service.advance()
    service.store.close()
    service = _service(tmp_path, plan, store_url)
    for s in ("a", "b"):
        _send(service, s, 2, blob(deltas[2][s]), 1)
    service.advance()

    names = sorted(initial)
    opt = FedAdam()
    w = [initial[k].astype(np.float64) for k in names]
    for r in (1, 2):
        mean = [(deltas[r]["a"][k] + deltas[r]["b"][k]) / 2 for k in names]
        w = opt.step(w, mean)
    final = _global(service, 2)
    for k, expected in zip(names, w, strict=True):
        np.testing.assert_allclose(final[k], expected, rtol=1e-5, atol=1e-6)
    assert service.state().finished


def test_krum_without_enough_updates_fails_the_round_with_a_reason(tmp_path: Path, store_url: str) -> None:
    plan = FederationPlan.model_validate({
        "federation": "f", "sites": ["a", "b", "c", "d", "e"], "rounds": 1, "min_sites": 2,
        "strategy": "krum", "strategy_params": {"num_malicious": 1}, "round_deadline_s": 0.01,
    })
    service = _service(tmp_path, plan, store_url)
    _send(service, "a", 1, blob(model(0)))
    _send(service, "a", 1, blob(model(1, 0.1)), 1)
    _send(service, "b", 1, blob(model(2, 0.1)), 1)
    service.clock = lambda: 1e12
    service.advance()
    row = service.store.round(1)
    assert row is not None and row.phase == "failed"
    assert "krum needs at least 5 results" in (row.failure or "")
    # The failed round does not end the federation: round 2 is open, round 1 is closed.
    state = service.state()
    assert (state.number, state.phase, state.finished) == (2, "open", False)
    with pytest.raises(Exception, match="round 1 is closed"):
        _send(service, "c", 1, blob(model(3, 0.1)), 1)
