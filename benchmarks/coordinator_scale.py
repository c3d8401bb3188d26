"""Coordinator scale: one FedAvg round with 5, 20 and 50 sites at 1M and 8M parameters,
on SQLite (one process) and on PostgreSQL with 1 and 4 worker processes, in one run.

Default (``--transport https``): for each model size, store and site count, provision a
federation, start the real coordinator (``medfed-coordinator serve --workers N``, on its
SQLite file or on a fresh database of a throwaway PostgreSQL server on a private socket)
on 127.0.0.1 with mutual TLS, let ``--concurrency`` simulated sites upload at once through
``CoordinatorClient`` (each closes its connection afterwards, as a real site does between
polls) and wait for the round to publish. Per row: ``uploads_per_s`` (sites / time until
the last upload was acknowledged), ``round_s`` (first upload to published),
``aggregate_s`` (last acknowledgement to published) and ``peak_rss_mb``, the sum of the
coordinator processes' high-water marks (VmHWM; the PostgreSQL server's own memory is not
counted). ``--transport inprocess`` drives the round service directly (SQLite, no HTTP)
in a fresh process per size. Prints a table, or JSON with ``--json``; ``rss_growth_pct``
is the peak's growth from the fewest to the most sites of the first configuration
(target < 20 %). ``--output FILE`` also writes the JSON.

    .venv/bin/python benchmarks/coordinator_scale.py --json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
    from coordinator.round_state import RoundPhase
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
        assert row is not None and row.phase is RoundPhase.PUBLISHED, "the round did not publish"
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


def _tree_peak_mb(pid: int) -> float:
    """Sum of the high-water marks of the coordinator and its worker processes (an upper
    bound of their peak together: they need not peak at the same moment)."""
    import psutil

    pids = [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
    return sum(_vm_hwm_mb(p) for p in pids)


def _blobs(params: int) -> tuple[bytes, bytes]:
    """An initial model and one update of ``params`` parameters (every site sends the same
    bytes: the coordinator checks each upload on its own, so this costs it the same)."""
    rng = np.random.default_rng(0)
    layout = _layout(params)
    initial = save({k: rng.normal(size=s).astype(np.float32) for k, s in layout.items()})
    update = save({k: (rng.normal(size=s) * 0.01).astype(np.float32) for k, s in layout.items()})
    return initial, update


def run_https(
    sites: int, params: int, blobs: tuple[bytes, bytes], database_url: str | None = None,
    workers: int = 1, concurrency: int = 1,
) -> dict[str, float | int | str]:
    """One round against a real coordinator (``workers`` processes) with ``concurrency``
    sites uploading at once; the coordinator processes' peak RSS."""
    import os
    import signal
    from concurrent.futures import ThreadPoolExecutor

    from coordinator.client import CoordinatorClient
    from coordinator.kits import load_site_kit
    from coordinator.loopback import free_port, serve_args, wait_for_port
    from coordinator.protocol import FederationPlan
    from coordinator.provisioning import provision, sign_site_request
    from coordinator.settings import ClientDefaults
    from siteapp.federation.round_polling import wait_for_round
    from siteapp.federation.site_keys import make_request

    names = [f"site{i:03d}" for i in range(sites)]
    plan = FederationPlan.model_validate(
        {"federation": "bench", "sites": names, "rounds": 1, "min_sites": 1}
    )
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="medfed-bench-") as tmp:
        root = Path(tmp)
        kits = provision(plan, root / "prov", f"https://127.0.0.1:{port}")
        site_kits = {}
        for n in names:  # each site makes its key and request; the operator signs it
            key, request = make_request(n)
            site_kits[n] = load_site_kit(sign_site_request(root / "prov", request).path, key_pem=key)
        server = subprocess.Popen(
            [sys.executable, *serve_args(kits.coordinator_dir, root / "state", port,
                                         workers=workers, database_url=database_url)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        clients = []
        try:
            wait_for_port(server, port, 60.0)
            defaults = ClientDefaults(max_retries=4, backoff_base_s=0.1, read_timeout_s=600)
            clients = [
                CoordinatorClient(site_kits[n], tls_dir=root / "tls" / n, defaults=defaults)
                for n in names
            ]
            initial, update = blobs
            clients[0].upload_initial_model(initial)

            def upload(item: tuple[int, CoordinatorClient]) -> None:
                i, client = item
                client.upload_update(1, update, 10 + i)
                client.close()

            start = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(upload, enumerate(clients)))
            uploaded = time.perf_counter()
            observer = CoordinatorClient(
                site_kits[names[0]], tls_dir=root / "tls-observer", defaults=defaults
            )
            clients.append(observer)
            state = wait_for_round(observer.round_state, lambda st: st.finished, timeout_s=900, poll_s=0.02)
            done = time.perf_counter()
            assert state.last_published == 1, f"the round did not publish: {observer.status().rounds}"
            status = observer.status()
            assert status.rounds[0].total_examples == sum(10 + i for i in range(sites))
            peak = _tree_peak_mb(server.pid)
        finally:
            for client in clients:
                client.close()
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
    return {
        "store": "postgresql" if database_url else "sqlite",
        "workers": workers,
        "params": params,
        "sites": sites,
        "uploads_per_s": round(sites / (uploaded - start), 2),
        "round_s": round(done - start, 3),
        "aggregate_s": round(done - uploaded, 3),
        "peak_rss_mb": round(peak, 1),
    }


def _postgres() -> Any:
    """The tests' throwaway PostgreSQL server (Debian's postgresql, private socket)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from postgres_cluster import ThrowawayPostgres

    return ThrowawayPostgres().start()


def _configs(text: str) -> list[tuple[str, int]]:
    out = []
    for item in text.split(","):
        store, _, workers = item.partition(":")
        if store not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown store '{store}' in --stores (sqlite or postgresql)")
        out.append((store, int(workers or 1)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="5,20,50")
    parser.add_argument("--params", default="1000000,8000000", help="model sizes, comma-separated")
    parser.add_argument("--stores", default="sqlite:1,postgresql:1,postgresql:4",
                        help="STORE:WORKERS, comma-separated (https transport)")
    parser.add_argument("--concurrency", type=int, default=8, help="sites uploading at once")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    parser.add_argument("--transport", choices=["https", "inprocess"], default="https")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(p) for p in args.params.split(",")]
    site_counts = [int(s) for s in args.sites.split(",")]
    if args.child is not None:
        print(json.dumps(run_one(args.child, sizes[0])))
        return 0
    rows: list[dict[str, Any]] = []
    if args.transport == "inprocess":
        for params in sizes:
            for n in site_counts:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(n), "--params", str(params)],
                    check=True, capture_output=True, text=True,
                ).stdout
                rows.append({"store": "sqlite", "workers": 1, **json.loads(out.strip().splitlines()[-1])})
    else:
        configs = _configs(args.stores)
        postgres = _postgres() if any(store == "postgresql" for store, _ in configs) else None
        try:
            for params in sizes:
                blobs = _blobs(params)
                for store, workers in configs:
                    for n in site_counts:
                        url = postgres.new_database("bench") if store == "postgresql" else None
                        rows.append(run_https(n, params, blobs, url, workers, args.concurrency))
                        print(f"  {store} x{workers} {params} params {n} sites: {rows[-1]}",
                              file=sys.stderr, flush=True)
                del blobs
        finally:
            if postgres is not None:
                postgres.stop()
    first = [r for r in rows if (r["store"], r["workers"], r["params"]) == (rows[0]["store"], rows[0]["workers"], rows[0]["params"])]
    growth = 100.0 * (first[-1]["peak_rss_mb"] / first[0]["peak_rss_mb"] - 1.0)
    report = {
        "transport": args.transport,
        "concurrency": args.concurrency if args.transport == "https" else 1,
        "rows": rows,
        "rss_growth_pct": round(growth, 1),
        "target_pct": 20.0,
    }
    if args.output is not None:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{'store':>10} {'workers':>7} {'params':>9} {'sites':>5} {'uploads/s':>9} "
              f"{'round_s':>8} {'aggregate_s':>11} {'peak_rss_mb':>11}")
        for r in rows:
            print(f"{r['store']:>10} {r['workers']:>7} {r['params']:>9} {r['sites']:>5} "
                  f"{r.get('uploads_per_s', float('nan')):>9.2f} {r['round_s']:>8.2f} "
                  f"{r['aggregate_s']:>11.2f} {r['peak_rss_mb']:>11.1f}")
        print(f"peak RSS growth {first[0]['sites']} -> {first[-1]['sites']} sites "
              f"({first[0]['store']}, {first[0]['params']} params): {growth:.1f}% (target < 20%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
