"""One poisoned site among five: what each aggregation rule and the site's clipping bound.

Four honest sites send updates close to a common direction; the fifth sends its update
scaled x100, sign-flipped, or claims 1000x the examples. The bound stated and checked:

- FedMedian and trimmed mean (beta=0.2, one value cut at each end) stay, coordinate by
  coordinate, inside the range of the honest updates: ``|agg - honest_mean|_inf <=
  max_i |h_i - honest_mean|_inf`` (the honest spread).
- Krum (f=1) selects an honest update: ``||agg - honest_mean||_2 <= max_i ||h_i -
  honest_mean||_2``.
- FedAvg breaks the bound (by >100x for the scaled update).
- Client-level clipping at norm C bounds one site's pull on FedAvg to
  ``w * (C + ||honest_mean||)`` with ``w`` its share of the examples: that holds only
  if the site runs the clip; a malicious site skips it (see docs/reliability.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save

from coordinator.aggregation import fedavg, fedmedian, krum, trimmed_mean
from coordinator.errors import UpdateRejectedError
from coordinator.protocol import FederationPlan
from coordinator.server.blobs import BlobStore
from coordinator.server.rounds import RoundService
from coordinator.server.store import CoordinatorStore
from siteapp.federation.update_encoding import clip_update

DIM = 256
HONEST = 4
SPREAD = 0.01
POISONS = {
    "scaled x100": lambda h: 100.0 * h,
    "sign-flipped": lambda h: -h,
    "sign-flipped x10": lambda h: -10.0 * h,
}


def _honest(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    direction = rng.normal(scale=0.1, size=DIM)
    return [direction + rng.normal(scale=SPREAD, size=DIM) for _ in range(HONEST + 1)]


def _rules(results: list[tuple[list[np.ndarray], int]]) -> dict[str, np.ndarray]:
    return {
        "fedavg": fedavg(results)[0],
        "fedmedian": fedmedian(results)[0],
        "trimmed_mean": trimmed_mean(results, 0.2)[0],
        "krum": krum(results, 1)[0],
    }


@pytest.mark.parametrize("poison", sorted(POISONS))
@pytest.mark.parametrize("claimed_examples", [10, 10_000])
def test_robust_rules_stay_within_the_honest_spread_while_fedavg_does_not(
    poison: str, claimed_examples: int
) -> None:
    updates = _honest(seed=len(poison) + claimed_examples)
    honest = updates[:HONEST]
    mean = np.mean(honest, axis=0)
    spread_inf = max(np.abs(h - mean).max() for h in honest)
    spread_l2 = max(np.linalg.norm(h - mean) for h in honest)
    results = [([h], 10) for h in honest] + [([POISONS[poison](updates[HONEST])], claimed_examples)]

    agg = _rules(results)
    assert np.abs(agg["fedmedian"] - mean).max() <= spread_inf
    assert np.abs(agg["trimmed_mean"] - mean).max() <= spread_inf
    assert np.linalg.norm(agg["krum"] - mean) <= spread_l2
    assert any(np.array_equal(agg["krum"], h) for h in honest)
    assert np.abs(agg["fedavg"] - mean).max() > 3 * spread_inf
    if poison == "scaled x100":
        assert np.abs(agg["fedavg"] - mean).max() > 100 * spread_inf


def test_client_clipping_bounds_one_sites_pull_on_fedavg() -> None:
    updates = _honest(seed=5)
    clip = 1.5 * max(float(np.linalg.norm(h)) for h in updates)
    honest = [clip_update(h, clip)[0] for h in updates[:HONEST]]
    assert all(np.array_equal(c, h) for c, h in zip(honest, updates[:HONEST], strict=True))
    mean = np.mean(honest, axis=0)
    for make in POISONS.values():
        poisoned, norm_before = clip_update(make(updates[HONEST]), clip)
        assert np.linalg.norm(poisoned) <= clip * (1 + 1e-9)
        unclipped = fedavg([([h], 10) for h in honest] + [([make(updates[HONEST])], 10)])[0]
        clipped = fedavg([([h], 10) for h in honest] + [([poisoned], 10)])[0]
        weight = 10 / 50
        bound = weight * (clip + np.linalg.norm(mean))
        assert np.linalg.norm(clipped - mean) <= bound + 1e-12
        if norm_before > 10 * clip:
            assert np.linalg.norm(unclipped - mean) > 5 * bound


def _service(root: Path, strategy: str) -> RoundService:
    plan = FederationPlan.model_validate({
        "federation": "poison", "sites": [f"s{i}" for i in range(HONEST + 1)], "rounds": 1,
        "min_sites": HONEST + 1, "strategy": strategy,
        "strategy_params": {"beta": 0.2, "num_malicious": 1},
        "local": {"update_clip_norm": None},  # off, to see what each rule does on its own
    })
    return RoundService(plan, CoordinatorStore(f"sqlite:///{root / 'db.sqlite'}"), BlobStore(root / "blobs"))


def _put(service: RoundService, site: str, data: bytes, examples: int | None) -> None:
    pending = service.blobs.receive("uploads/round-1", 1 << 20, "update")
    pending.write(data)
    if examples is None:
        service.accept_initial_model(site, pending)
    else:
        service.accept_update(site, 1, pending, examples)


@pytest.mark.parametrize("strategy", ["fedmedian", "trimmed_mean", "krum", "fedavg"])
def test_the_coordinator_round_with_one_poisoned_site(tmp_path: Path, strategy: str) -> None:
    """The same property through the real round service: blobs on disk, SQLite, publish."""
    service = _service(tmp_path, strategy)
    start = np.zeros(DIM, np.float32)
    _put(service, "s0", save({"w": start}), None)
    updates = [u.astype(np.float32) for u in _honest(seed=11)]
    updates[HONEST] = 100 * updates[HONEST]
    for i, u in enumerate(updates):
        _put(service, f"s{i}", save({"w": u}), 10)
    service.advance()
    published = load_file(str(service.result(1)[0]))["w"]
    honest = updates[:HONEST]
    mean = np.mean(honest, axis=0)
    spread = max(np.abs(h - mean).max() for h in honest)
    deviation = np.abs(published - mean).max()
    if strategy == "fedavg":
        assert deviation > 100 * spread
    else:
        assert deviation <= spread * (1 + 1e-5)


def test_the_plaintext_coordinator_refuses_an_update_above_the_client_clip(tmp_path: Path) -> None:
    """A poisoned site that skips its clipping is caught at upload in plaintext mode."""
    clip = 1.0
    plan = FederationPlan.model_validate({
        "federation": "clip", "sites": ["a", "b"], "rounds": 1, "min_sites": 2,
        "local": {"update_clip_norm": clip},
    })
    service = RoundService(plan, CoordinatorStore(f"sqlite:///{tmp_path / 'db.sqlite'}"), BlobStore(tmp_path / "blobs"))
    _put(service, "a", save({"w": np.zeros(DIM, np.float32)}), None)
    honest = _honest(seed=3)[0]
    clipped, _ = clip_update(honest * (10 * clip / np.linalg.norm(honest)), clip)
    _put(service, "a", save({"w": clipped.astype(np.float32)}), 10)
    with pytest.raises(UpdateRejectedError, match="above the plan's client clip norm 1"):
        _put(service, "b", save({"w": (100 * honest).astype(np.float32)}), 10)
    assert [u.site for u in service.store.uploads(1)] == ["a"]
    assert not list((tmp_path / "blobs").rglob(".incoming-*"))
