"""Load: 50 simulated sites against one coordinator on loopback, several rounds.

Each site is a thread with its own mutual-TLS client: it uploads its update, then polls
until the round is published, then joins the next. The run is bounded (every wait has a
timeout) and prints the round times and the coordinator's peak resident memory. It runs
in ``make test-long``.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import psutil
import pytest
from coordinator_loopback import FAST_RETRIES, Federation, enrol_sites, free_port, wait_published
from safetensors.numpy import save

from coordinator.client import CoordinatorClient
from coordinator.protocol import FederationPlan
from coordinator.provisioning import provision

SITES = [f"site{i:02d}" for i in range(50)]
ROUNDS = 5
LAYOUT = {"conv.weight": (64, 32, 3, 3), "fc.weight": (10, 4096), "fc.bias": (10,)}  # 59 k params
ROUND_TIMEOUT_S = 120.0
PEAK_RSS_LIMIT_BYTES = 1024**3


def _arrays(seed: int, scale: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: (rng.normal(size=s) * scale).astype(np.float32) for k, s in LAYOUT.items()}


class PeakMemory:
    """Samples a process's resident memory until stopped; keeps the maximum."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.long
def test_fifty_sites_complete_every_round(tmp_path: Path) -> None:
    port = free_port()
    plan = FederationPlan.model_validate({
        "federation": "load", "sites": SITES, "min_sites": len(SITES), "rounds": ROUNDS,
        "round_deadline_s": ROUND_TIMEOUT_S,
    })
    prov = provision(plan, tmp_path / "prov", f"https://127.0.0.1:{port}")
    kits, keys = enrol_sites(tmp_path / "prov", plan.sites)
    fed = Federation(tmp_path, plan, port, prov.coordinator_dir, kits, tmp_path / "state", keys)
    fed.start()
    clients = {
        s: CoordinatorClient(fed.kit(s), tls_dir=tmp_path / "tls" / s, defaults=FAST_RETRIES)
        for s in SITES
    }
    try:
        assert fed.process is not None
        with PeakMemory(fed.process.pid) as memory:
            clients[SITES[0]].upload_initial_model(save(_arrays(0, 1.0)))
            round_times = []
            for number in range(1, ROUNDS + 1):
                began = time.monotonic()

                def take_part(site: str, number: int = number) -> int:
                    client = clients[site]
                    client.upload_update(number, save(_arrays(1000 * number + SITES.index(site), 0.01)), 10)
                    return wait_published(client, number, ROUND_TIMEOUT_S).last_published

                with ThreadPoolExecutor(len(SITES)) as pool:
                    published = list(pool.map(take_part, SITES))
                round_times.append(time.monotonic() - began)
                assert published == [number] * len(SITES) or min(published) >= number
        status = clients[SITES[0]].status()
        assert [r.phase for r in status.rounds] == ["published"] * ROUNDS
        assert all(len(r.submitted) == len(SITES) for r in status.rounds)
        assert status.current.finished
        print(f"\n{len(SITES)} sites, {ROUNDS} rounds, {sum(int(np.prod(s)) for s in LAYOUT.values())} parameters")
        for number, seconds in enumerate(round_times, start=1):
            print(f"  round {number}: {seconds:.2f} s (uploads + aggregation + all sites see it published)")
        print(f"  coordinator peak RSS: {memory.peak / 2**20:.0f} MiB")
        assert memory.peak < PEAK_RSS_LIMIT_BYTES
    finally:
        for client in clients.values():
            client.close()
        fed.stop()
