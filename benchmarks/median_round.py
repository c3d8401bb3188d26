"""One secure-median round through a real coordinator, against a plaintext FedMedian round.

Provisions a federation in a temporary folder, serves its coordinator on loopback (HTTPS,
mutual TLS, SQLite store, as ``medfed-coordinator serve``) and runs ``sites`` site threads
with random ``params``-value updates (no training): in masking mode each follows every
probe with the site app's :class:`~siteapp.federation.bisection_round.BisectionRound`;
in plaintext mode each uploads its float32 update once and the coordinator takes the
median. Times run from the first request to the published result; bytes are what each
site's client sent (bodies of every request, key messages included) and the answers it
read back.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file

from coordinator.client import CoordinatorClient, RequestRecord
from coordinator.kits import SiteKit, load_site_kit
from coordinator.loopback import free_port, serve_args, wait_for_port
from coordinator.protocol import FederationPlan, MaskingStep, RoundPhase
from coordinator.provisioning import provision, sign_site_request
from coordinator.settings import ClientDefaults
from coordinator.words import Words

POLL_S = 0.05
START_TIMEOUT_S = 60.0
ROUND_TIMEOUT_S = 1800.0


def _federation(
    root: Path, plan_fields: dict[str, Any], sites: list[str]
) -> tuple[Any, FederationPlan, dict[str, SiteKit], dict[str, CoordinatorClient], dict[str, int]]:
    """Start a coordinator for ``plan_fields``; returns it, the plan, each site's kit and
    client, and a running count of the bytes each site sent."""
    import subprocess
    import sys

    from siteapp.federation.site_keys import make_request

    port = free_port()
    plan = FederationPlan.model_validate({"federation": "bench", "sites": sites, "rounds": 1,
                                          "round_deadline_s": 600.0, **plan_fields})
    made = provision(plan, root / "prov", f"https://127.0.0.1:{port}")
    process = subprocess.Popen([sys.executable, *serve_args(made.coordinator_dir, root / "state", port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(process, port, START_TIMEOUT_S)
    sent = dict.fromkeys(sites, 0)
    clients, kits = {}, {}
    for site in sites:
        key, request = make_request(site)
        kits[site] = load_site_kit(sign_site_request(root / "prov", request).path, key_pem=key)

        def count(record: RequestRecord, site: str = site) -> None:
            sent[site] += record.bytes_sent

        clients[site] = CoordinatorClient(kits[site], tls_dir=root / "tls" / site, on_request=count,
                                          defaults=ClientDefaults(read_timeout_s=300.0))
    return process, plan, kits, clients, sent


def _wait_published(client: CoordinatorClient) -> None:
    from siteapp.federation.round_polling import wait_for_round

    state = wait_for_round(client.round_state, lambda s: s.last_published >= 1 or s.phase == RoundPhase.FAILED,
                           timeout_s=ROUND_TIMEOUT_S, poll_s=POLL_S)
    if state.last_published < 1:
        raise RuntimeError(f"the benchmark round failed: {client.status().rounds[0].failure}")


def _secure_round(root: Path, updates: dict[str, np.ndarray], probes: int) -> dict[str, Any]:
    from siteapp.federation.bisection_round import BisectionRound
    from siteapp.federation.round_polling import (
        at_masking_step,
        masking_step_reached,
        wait_for_round,
    )

    sites = sorted(updates)
    params = next(iter(updates.values())).size
    process, plan, kits, clients, sent = _federation(
        root, {"strategy": "fedmedian", "mode": "masking", "update_length": params,
               "masking": {"probes": probes}}, sites)
    answers = dict.fromkeys(sites, 0)
    errors: list[BaseException] = []

    def take_part(site: str) -> None:
        client = clients[site]

        def reach(secure_sum: int, step: MaskingStep) -> bool:
            state = wait_for_round(client.round_state, lambda s: masking_step_reached(s, 1, secure_sum, step),
                                   timeout_s=ROUND_TIMEOUT_S, poll_s=POLL_S)
            return at_masking_step(state, 1, secure_sum, step)

        def send(body: bytes, carried: Words, secure_sum: int) -> int:
            return client.upload_update(1, body, None, carried, secure_sum).size_bytes

        try:
            median = BisectionRound(client, kits[site], plan, 1, reach)
            median.share_keys()
            median.contribute(updates[site], 1, send)
            answers[site] = (probes - 1) * -(-params // 8)
        except BaseException as exc:
            errors.append(exc)

    try:
        start = time.perf_counter()
        threads = [threading.Thread(target=take_part, args=(s,)) for s in sites]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        _wait_published(clients[sites[0]])
        round_s = time.perf_counter() - start
        clients[sites[0]].download_result(1, root / "median.safetensors")
        estimate = load_file(str(root / "median.safetensors"))["update"]
    finally:
        for client in clients.values():
            client.close()
        process.terminate()
        process.wait(30)
    return {
        "round_s": round_s,
        "upload_bytes_per_param_per_site": max(sent.values()) / params,
        "answer_bytes_per_param_per_site": max(answers.values()) / params,
        "estimate": estimate,
    }


def _plaintext_round(root: Path, updates: dict[str, np.ndarray]) -> dict[str, Any]:
    from siteapp.federation.update_encoding import plaintext_body

    sites = sorted(updates)
    params = next(iter(updates.values())).size
    process, _plan, _kits, clients, sent = _federation(
        root, {"strategy": "fedmedian", "mode": "none", "local": {"update_clip_norm": None}}, sites)
    try:
        clients[sites[0]].upload_initial_model(plaintext_body({"w": np.zeros(params, dtype=np.float32)}))
        sent.update(dict.fromkeys(sites, 0))  # the round's uploads only
        start = time.perf_counter()
        threads = [threading.Thread(target=clients[s].upload_update,
                                    args=(1, plaintext_body({"w": updates[s].astype(np.float32)}), 1))
                   for s in sites]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        _wait_published(clients[sites[0]])
        round_s = time.perf_counter() - start
    finally:
        for client in clients.values():
            client.close()
        process.terminate()
        process.wait(30)
    return {"round_s": round_s, "upload_bytes_per_param_per_site": (max(sent.values())) / params}


def compare_rounds(params: int, sites: int, probes: int, seed: int = 0) -> dict[str, Any]:
    """A secure-median round and a plaintext FedMedian round over the same updates."""
    from coordinator.aggregation.rules import fedmedian

    rng = np.random.default_rng(seed)
    names = [f"site-{i + 1}" for i in range(sites)]
    updates = {name: rng.normal(0.0, 0.3, params) for name in names}
    with tempfile.TemporaryDirectory(prefix="medfed-median-bench-") as tmp:
        secure = _secure_round(Path(tmp) / "masking", updates, probes)
        plain = _plaintext_round(Path(tmp) / "plaintext", updates)
    clipped = [np.clip(updates[n], -1.0, 1.0) for n in names]
    truth = fedmedian([([v], 1) for v in clipped])[0]
    estimate = secure.pop("estimate")
    return {
        "params": params,
        "sites": sites,
        "probes": probes,
        "secure_round_s": secure["round_s"],
        "plaintext_round_s": plain["round_s"],
        "secure_upload_bytes_per_param_per_site": secure["upload_bytes_per_param_per_site"],
        "secure_answer_bytes_per_param_per_site": secure["answer_bytes_per_param_per_site"],
        "plaintext_upload_bytes_per_param_per_site": plain["upload_bytes_per_param_per_site"],
        "max_abs_error": float(np.abs(estimate - truth).max()),
        "error_bound": 2.0 / 2**probes,
    }
