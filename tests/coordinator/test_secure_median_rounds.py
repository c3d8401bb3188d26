"""Secure FedMedian against a real coordinator (HTTPS, mutual TLS, its SQLite store): five
sites follow every probe with the site app's own BisectionRound, one of them poisoned and
one dropping out between probes; small vectors stand in for trained updates."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from coordinator_loopback import Federation, enrol_sites, free_port, sum_waiter
from safetensors.numpy import load_file

from coordinator.aggregation import fedmedian, winsorised_mean
from coordinator.client import CoordinatorClient, UpdateAlreadyHeldError
from coordinator.protocol import FederationPlan
from coordinator.provisioning import provision
from coordinator.round_state import RoundPhase
from coordinator.secure.bisection import BisectionPlan
from coordinator.secure.masked_blob import unpack_masked
from coordinator.secure.quantisation import masking_bounds
from coordinator.settings import ClientDefaults
from coordinator.words import Words
from siteapp.federation.bisection_round import BisectionRound
from siteapp.federation.round_polling import wait_for_round

SITES = ["a", "b", "c", "d", "e"]
POISONED = "a"
DROPPED = "e"
DROP_AT = 6  # e shares its keys for probe 7 of 16, then leaves without uploading
PROBES = 16
CLIP = 1.0
LENGTH = 200
TOLERANCE = 2 * CLIP / 2**PROBES  # range / 2^k


class SiteLeftError(RuntimeError):
    """Raised inside the dropping site's upload: it goes away as a crashed site would."""


@dataclass
class MedianRun:
    fed: Federation
    vectors: dict[str, np.ndarray]
    result: dict[str, np.ndarray]
    uploads: dict[tuple[str, int], bytes] = field(default_factory=dict)
    examples: dict[str, int] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)

    @property
    def survivors(self) -> list[str]:
        return [s for s in SITES if s != DROPPED]


def _take_part(run: MedianRun, site: str, client: CoordinatorClient | None = None) -> None:
    fed = run.fed
    client = client or fed.client(site)

    def send(body: bytes, carried: Words, secure_sum: int) -> int:
        if site == DROPPED and secure_sum == DROP_AT:
            raise SiteLeftError(site)
        run.uploads[(site, secure_sum)] = body
        try:
            return client.upload_update(1, body, None, carried, secure_sum).size_bytes
        except UpdateAlreadyHeldError:  # a retry after a lost reply
            return len(body)

    try:
        median = BisectionRound(client, fed.kit(site), fed.plan, 1, sum_waiter(client))
        median.share_keys()
        median.contribute(run.vectors[site], run.examples.get(site, 1), send)
    except SiteLeftError:
        pass
    except BaseException as exc:  # reported by the test
        run.errors[site] = exc


def _median_federation(root: Path, sites: list[str], probes: int, length: int, deadline_s: float,
                       **plan_fields: Any) -> Federation:
    port = free_port()
    plan = FederationPlan.model_validate({
        "federation": "median", "sites": sites, "rounds": 1, "strategy": "fedmedian",
        "mode": "masking", "update_length": length, "round_deadline_s": deadline_s,
        "masking": {"clip_range": CLIP, "probes": probes}, **plan_fields,
    })
    result = provision(plan, root / "prov", f"https://127.0.0.1:{port}")
    kits, keys = enrol_sites(root / "prov", sites)
    return Federation(root, plan, port, result.coordinator_dir, kits, root / "state", keys)


def _published(fed: Federation, site: str) -> None:
    state = wait_for_round(fed.client(site).round_state,
                           lambda s: s.last_published == 1 or s.phase == RoundPhase.FAILED,
                           timeout_s=30, poll_s=0.05)
    assert state.last_published == 1, fed.client(site).status().rounds


@pytest.fixture(scope="module")
def median_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MedianRun]:
    root = tmp_path_factory.mktemp("secure-median")
    fed = _median_federation(root, SITES, PROBES, LENGTH, deadline_s=8.0)
    rng = np.random.default_rng(20)
    vectors = {s: rng.normal(0.0, 0.4, LENGTH) for s in SITES}
    vectors[POISONED] = np.full(LENGTH, 1e6)  # a poisoned site's huge update
    fed.start()
    try:
        run = MedianRun(fed, vectors, {})
        threads = [threading.Thread(target=_take_part, args=(run, s), daemon=True) for s in SITES]
        for t in threads:
            t.start()
        for t in threads:
            t.join(240)
        assert not any(t.is_alive() for t in threads), "a site did not finish the probes"
        assert not run.errors, run.errors
        _published(fed, "b")
        fed.client("b").download_result(1, root / "result.safetensors")
        run.result = load_file(str(root / "result.safetensors"))
        yield run
    finally:
        fed.stop()


def _survivor_values(run: MedianRun) -> np.ndarray:
    """The survivors' values as the bisection sees them (clipped to the range), sorted."""
    return np.sort(np.clip(np.stack([run.vectors[s] for s in run.survivors]), -CLIP, CLIP), axis=0)


def test_secure_median_matches_plaintext_fedmedian_of_the_survivors(median_run: MedianRun) -> None:
    estimate = median_run.result["update"]
    assert estimate.shape == (LENGTH,)
    values = _survivor_values(median_run)  # 4 survivors: an even count
    lower, upper = values[1], values[2]
    # Which median: the probes before the dropout sought rank 3 of 5, the later ones the
    # survivors' lower median (rank 2 of 4); the result is a median of the survivors (a
    # point between their two middle values) to range / 2^k.
    assert np.all(estimate >= lower - TOLERANCE) and np.all(estimate <= upper + TOLERANCE)
    plaintext = fedmedian([([v], 1) for v in values])[0]  # midpoint of the two middle values
    assert np.all(np.abs(estimate - plaintext) <= (upper - lower) / 2 + TOLERANCE)
    # Where the dropout did not move the search the estimate is the lower median itself.
    exact = np.abs(estimate - lower) <= TOLERANCE
    assert exact.mean() > 0.5, exact.mean()


def test_a_poisoned_site_leaves_the_secure_median_bounded(median_run: MedianRun) -> None:
    honest = np.stack([median_run.vectors[s] for s in median_run.survivors if s != POISONED])
    estimate = median_run.result["update"]
    assert np.all(estimate <= honest.max(axis=0) + TOLERANCE)
    assert np.all(estimate >= honest.min(axis=0) - TOLERANCE)
    assert np.abs(estimate).max() < CLIP  # the poisoned 1e6 moved no coordinate to the range's end


def test_the_coordinator_stores_no_single_sites_values(median_run: MedianRun) -> None:
    fed = median_run.fed
    stored = b"".join(p.read_bytes() for p in sorted(fed.state_dir.rglob("*")) if p.is_file())
    spec = BisectionPlan.of(fed.plan)
    answers = [fed.client("c").probe_answer(1, p) for p in range(PROBES - 1)]
    with pytest.raises(Exception, match="no answer to probe"):
        fed.client("c").probe_answer(1, PROBES)
    for site, vector in median_run.vectors.items():
        for encoded in (vector.astype(np.float64), vector.astype(np.float32),
                        np.clip(vector, -CLIP, CLIP).astype(np.float32)):
            assert encoded.tobytes()[:64] not in stored, site
        # Replay the site's probes: its plain indicator words never reach the coordinator.
        probing = spec.site(vector)
        for probe in range(PROBES):
            plain = probing.probe_words()
            upload = median_run.uploads.get((site, probe))
            if upload is not None:
                masked = unpack_masked(upload)
                assert masked.size == plain.size and np.mean(masked == plain) < 0.05, (site, probe)
                if len(np.unique(plain[:-1])) > 2:  # an all-zero run is in any file
                    assert plain[:-1].tobytes() not in stored, (site, probe)
            if probe < PROBES - 1:
                probing.follow(answers[probe])
    status = fed.client("b").status()
    assert [r.phase for r in status.rounds] == [RoundPhase.PUBLISHED]
    assert sorted(status.rounds[0].submitted) == SITES  # all five took part in probe 1


def test_a_coordinator_killed_between_probes_resumes_the_secure_median(tmp_path: Path) -> None:
    """kill -9 while the sites are at probe 4 of 8: the restarted coordinator goes on from
    its store (the answers so far, the open step's messages) and the sites, waiting out
    the outage, finish the same round; four sites, so the lower median is exact."""
    sites, probes, length = ["a", "b", "c", "d"], 8, 60
    fed = _median_federation(tmp_path, sites, probes, length, deadline_s=60.0)
    rng = np.random.default_rng(3)
    run = MedianRun(fed, {s: rng.normal(0.0, 0.4, length) for s in sites}, {})
    patient = ClientDefaults(max_retries=2, backoff_base_s=0.05, backoff_max_s=0.5,
                             read_timeout_s=30.0, patience_s=60.0)
    fed.start()
    try:
        clients = {s: CoordinatorClient(fed.kit(s), tls_dir=tmp_path / "tls" / s, defaults=patient)
                   for s in sites}
        fed.clients.extend(clients.values())
        threads = [threading.Thread(target=_take_part, args=(run, s, clients[s]), daemon=True)
                   for s in sites]
        for t in threads:
            t.start()
        wait_for_round(fed.client("a").round_state, lambda s: s.secure_sum >= 3, timeout_s=120, poll_s=0.05)
        fed.kill9()
        fed.start()
        for t in threads:
            t.join(180)
        assert not any(t.is_alive() for t in threads) and not run.errors, run.errors
        _published(fed, "a")
        fed.client("a").download_result(1, tmp_path / "result.safetensors")
    finally:
        fed.stop()
    estimate = load_file(str(tmp_path / "result.safetensors"))["update"]
    values = np.sort(np.clip(np.stack(list(run.vectors.values())), -CLIP, CLIP), axis=0)
    assert np.abs(estimate - values[1]).max() <= 2 * CLIP / 2**probes  # rank 2 of 4


def test_secure_winsorised_mean_equals_the_plaintext_rule(tmp_path: Path) -> None:
    """Four sites, q = 0.25: the probes find each coordinate's 2nd and 3rd smallest values
    (two ranks at once), every site clips its update to them and the round ends with a
    masked weighted sum; d's poisoned update weighs most and moves nothing beyond them."""
    sites, probes, length = ["a", "b", "c", "d"], 12, 40
    fed = _median_federation(tmp_path, sites, probes, length, deadline_s=60.0,
                             strategy="winsorised_mean", strategy_params={"winsor_quantile": 0.25})
    rng = np.random.default_rng(8)
    run = MedianRun(fed, {s: rng.normal(0.0, 0.3, length) for s in sites}, {},
                    examples={"a": 3, "b": 1, "c": 2, "d": 5})
    run.vectors["d"] = np.full(length, 50.0)
    fed.start()
    try:
        threads = [threading.Thread(target=_take_part, args=(run, s), daemon=True) for s in sites]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        assert not any(t.is_alive() for t in threads) and not run.errors, run.errors
        _published(fed, "a")
        fed.client("a").download_result(1, tmp_path / "result.safetensors")
        probe_uploads = {secure_sum for (_, secure_sum) in run.uploads}
    finally:
        fed.stop()
    assert probe_uploads == set(range(probes + 1))  # 12 probes, then the weighted sum
    result = load_file(str(tmp_path / "result.safetensors"))
    assert result["count"][0] == 11
    mean = result["sum"] / result["count"][0]
    clipped = [([np.clip(run.vectors[s], -CLIP, CLIP)], run.examples[s]) for s in sites]
    plaintext = winsorised_mean(clipped, 0.25)[0]
    bound = 2 * CLIP / 2**probes + masking_bounds(fed.plan).mean_error_bound
    assert np.abs(mean - plaintext).max() <= bound
    honest = np.stack([run.vectors[s] for s in ("a", "b", "c")])
    assert np.all(mean <= honest.max(axis=0) + bound)
