"""Coordinator scale: one FedAvg round with 5, 20 and 50 simulated sites, 1M parameters.

Default (``--transport https``): for each size, provision a federation, start the real
coordinator (``medfed-coordinator serve``) in a fresh process on 127.0.0.1 with mutual
TLS, upload one update per simulated site through ``CoordinatorClient`` and wait for the
round to publish; ``peak_rss_mb`` is the server process's high-water mark (VmHWM). Each
simulated site closes its connection after uploading, as a real site does between polls
(an idle TLS connection costs the server about 0.7 MB until uvicorn's keep-alive timeout
closes it; that is per open connection, not per aggregated update).
``--transport inprocess`` drives the round service directly (same store, blob and
aggregation code, no HTTP) in a fresh process per size and reports that process's peak.
Prints a table, or JSON with ``--json``: ``sites``, ``round_s``, ``aggregate_s``,
``peak_rss_mb`` per size and the RSS growth from the smallest to the largest size
(target < 20 %). ``--output FILE`` also writes the JSON.

    .venv/bin/python benchmarks/coordinator_scale.py --json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from safetensors.numpy import save

CHUNK = 1024 * 1024


def _layout(params: int) -> dict[str, tuple[int, ...]]:
    # A CNN-like split: one big matrix plus a few small tensors, ``params`` in total.
    small = {"conv1.weight": (16, 1, 3, 3), "conv1.bias": (16,), "fc.bias": (2,)}
    rest = params - sum(int(np.prod(s)) for s in small.values())
    return {"fc.weight": (rest,), **small}


def run_one(sites: int, params: int) -> dict[str, float]:
    from coordinator.protocol import FederationPlan
    from coordinator.server.blobs import BlobStore
    from coordinator.server.rounds import RoundService
    from coordinator.server.store import CoordinatorStore

    names = [f"site{i:03d}" for i in range(sites)]
    plan = FederationPlan(federation="bench", sites=names, rounds=1, min_sites=1)
    layout = _layout(params)
    with tempfile.TemporaryDirectory(prefix="medfed-bench-") as tmp:
        root = Path(tmp)
        service = RoundService(plan, CoordinatorStore(f"sqlite:///{root / 'db.sqlite'}"), BlobStore(root / "blobs"))

        def send(site: str, data: bytes, n: int | None) -> None:
            pending = service.blobs.receive("uploads/round-1", plan.limits.max_update_bytes, "update")
            for start in range(0, len(data), CHUNK):
                pending.write(data[start : start + CHUNK])
            if n is None:
                service.accept_initial_model(site, pending)
            else:
                service.accept_update(site, 1, pending, n)

        rng = np.random.default_rng(0)
        send(names[0], save({k: rng.normal(size=s).astype(np.float32) for k, s in layout.items()}), None)
        start = time.perf_counter()
        for i, site in enumerate(names):
            update = {k: (rng.normal(size=s) * 0.01).astype(np.float32) for k, s in layout.items()}
            send(site, save(update), 10 + i)
            del update
        closed = time.perf_counter()
        service.advance()
        done = time.perf_counter()
        row = service.store.round(1)
        assert row is not None and row.phase == "published", "the round did not publish"
        assert row.total_examples == sum(10 + i for i in range(sites)), "an upload was left out"
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "sites": sites,
        "params": params,
        "round_s": round(done - start, 3),
        "aggregate_s": round(done - closed, 3),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not available (Linux only)")


def run_https(sites: int, params: int) -> dict[str, float]:
    """One round against a real coordinator subprocess; the server's peak RSS."""
    import socket

    from coordinator.client import CoordinatorClient
    from coordinator.kits import load_site_kit
    from coordinator.protocol import FederationPlan
    from coordinator.provisioning import provision
    from coordinator.settings import ClientDefaults
    from siteapp.federation.round_polling import wait_for_round

    names = [f"site{i:03d}" for i in range(sites)]
    plan = FederationPlan.model_validate(
        {"federation": "bench", "sites": names, "rounds": 1, "min_sites": 1}
    )
    layout = _layout(params)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with tempfile.TemporaryDirectory(prefix="medfed-bench-") as tmp:
        root = Path(tmp)
        kits = provision(plan, root / "prov", f"https://127.0.0.1:{port}")
        server = subprocess.Popen(
            [sys.executable, "-m", "coordinator.cli", "serve", "--kit", str(kits.coordinator_dir),
             "--state", str(root / "state"), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        clients = []
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            defaults = ClientDefaults(max_retries=2, backoff_base_s=0.1)
            clients = [
                CoordinatorClient(load_site_kit(kits.site_kits[n]), tls_dir=root / "tls" / n, defaults=defaults)
                for n in names
            ]
            rng = np.random.default_rng(0)
            clients[0].upload_initial_model(save({k: rng.normal(size=s).astype(np.float32) for k, s in layout.items()}))
            start = time.perf_counter()
            for i, client in enumerate(clients):
                update = {k: (rng.normal(size=s) * 0.01).astype(np.float32) for k, s in layout.items()}
                client.upload_update(1, save(update), 10 + i)
                client.close()
                del update
            closed = time.perf_counter()
            observer = CoordinatorClient(
                load_site_kit(kits.site_kits[names[0]]), tls_dir=root / "tls-observer", defaults=defaults
            )
            clients.append(observer)
            state = wait_for_round(observer.round_state, lambda st: st.finished, timeout_s=300, poll_s=0.02)
            done = time.perf_counter()
            assert state.last_published == 1, "the round did not publish"
            status = observer.status()
            assert status.rounds[0].total_examples == sum(10 + i for i in range(sites))
            peak = _vm_hwm_mb(server.pid)
        finally:
            for client in clients:
                client.close()
            server.terminate()
            server.wait(30)
    return {
        "sites": sites,
        "params": params,
        "round_s": round(done - start, 3),
        "aggregate_s": round(done - closed, 3),
        "peak_rss_mb": round(peak, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="5,20,50")
    parser.add_argument("--params", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    parser.add_argument("--transport", choices=["https", "inprocess"], default="https")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_one(args.child, args.params)))
        return 0
    rows = []
    for n in (int(s) for s in args.sites.split(",")):
        if args.transport == "https":
            rows.append(run_https(n, args.params))
            continue
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n), "--params", str(args.params)],
            check=True, capture_output=True, text=True,
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    growth = 100.0 * (rows[-1]["peak_rss_mb"] / rows[0]["peak_rss_mb"] - 1.0)
    report = {
        "transport": args.transport,
        "rows": rows,
        "rss_growth_pct": round(growth, 1),
        "target_pct": 20.0,
    }
    if args.output is not None:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{'sites':>6} {'round_s':>9} {'aggregate_s':>12} {'peak_rss_mb':>12}")
        for r in rows:
            print(f"{r['sites']:>6} {r['round_s']:>9.2f} {r['aggregate_s']:>12.2f} {r['peak_rss_mb']:>12.1f}")
        print(f"peak RSS growth {rows[0]['sites']} -> {rows[-1]['sites']} sites: {growth:.1f}% (target < 20%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
