"""``make bench``: run every benchmark with ``--json`` and write ``docs/benchmarks.md``.

Each benchmark runs as its own process (one at a time, so they do not compete for the
CPU), its JSON is parsed and every number in it is listed with the command that produced
it, the machine (CPU cores and model, GPU or not) and the date. A benchmark that fails is
listed with its error and the others still run. Run:

    .venv/bin/python benchmarks/run_all.py [--only round_time ...] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
TIMEOUT_S = 1800


@dataclass(frozen=True)
class Benchmark:
    name: str
    claim: str  # what the figures show, in one line
    args: tuple[str, ...] = ()  # beyond --json


BENCHMARKS = (
    Benchmark("dicom_import", "DICOM import throughput (files/s) against a plain pydicom loop"),
    Benchmark("dp_overhead", "DP-SGD step time against a non-DP step, per batch size"),
    Benchmark("secure_aggregation", "CKKS and masking: time, bytes and error against the "
              "ring-8192 TenSEAL default; the secure median (in one process, and as whole "
              "rounds through a coordinator) against plaintext FedMedian", ("--median-round",)),
    Benchmark("coordinator_scale", "coordinator round time, uploads per second and peak memory "
              "as sites grow: SQLite one process, PostgreSQL with 1 and 4 workers, 1M and 8M "
              "parameters"),
    Benchmark("round_time", "end-to-end round split by phase, first useful AUC, and the "
              "costs of DP, encryption and our CKKS parameters as ratios"),
)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        import torch

        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (CPU only)"
        torch_version = str(torch.__version__)
    except ImportError:
        gpu, torch_version = "unknown", "not installed"
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "gpu": gpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "torch": torch_version,
    }


def parse_json(stdout: str) -> Any:
    """The benchmark's JSON: the whole output, else its last line."""
    text = stdout.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(text.splitlines()[-1])


def run_one(bench: Benchmark) -> dict[str, Any]:
    command = [sys.executable, f"benchmarks/{bench.name}.py", "--json", *bench.args]
    shown = " ".join([".venv/bin/python", f"benchmarks/{bench.name}.py", "--json", *bench.args])
    print(f"running {shown} ...", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return {"command": shown, "error": f"timed out after {TIMEOUT_S} s", "seconds": TIMEOUT_S}
    seconds = round(time.perf_counter() - started, 1)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        return {"command": shown, "error": f"exit {done.returncode}: " + " / ".join(tail),
                "seconds": seconds}
    try:
        figures = parse_json(done.stdout)
    except (json.JSONDecodeError, IndexError):
        return {"command": shown, "error": "printed no JSON", "seconds": seconds}
    print(f"  done in {seconds} s", flush=True)
    return {"command": shown, "figures": figures, "seconds": seconds}


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every scalar of a JSON document with its dotted path (lists of scalars inline)."""
    if isinstance(value, dict):
        rows: list[tuple[str, Any]] = []
        for key, item in value.items():
            rows += flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [(prefix, ", ".join(_fmt(v) for v in value))]
        rows = []
        for index, item in enumerate(value):
            rows += flatten(item, f"{prefix}[{index}]")
        return rows
    return [(prefix, value)]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown(results: dict[str, dict[str, Any]], host: dict[str, str], date: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Every figure below was measured by `make bench` (`benchmarks/run_all.py`), which runs "
        "each benchmark with `--json` one after the other and rewrites this page. Figures are "
        "from one run on the machine below; on a shared or busy machine, compare ratios "
        "rather than seconds.",
        "",
        f"- date: {date}",
        f"- machine: {host['cores']} CPU cores ({host['cpu']}), GPU: {host['gpu']}",
        f"- software: {host['os']}, Python {host['python']}, torch {host['torch']}",
        "",
    ]
    for bench in BENCHMARKS:
        if bench.name not in results:
            continue
        result = results[bench.name]
        lines += [f"## {bench.name}", "", bench.claim + ".", "",
                  f"Command: `{result['command']}` ({result['seconds']} s)", ""]
        if "error" in result:
            lines += [f"Not measured: {result['error']}", ""]
            continue
        lines += ["| figure | value |", "|---|---|"]
        lines += [f"| `{path}` | {_fmt(value)} |" for path, value in flatten(result["figures"])]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="benchmark names to run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    known = {b.name for b in BENCHMARKS}
    wanted = args.only or [b.name for b in BENCHMARKS]
    unknown = set(wanted) - known
    if unknown:
        print(f"run_all: unknown benchmark(s) {', '.join(sorted(unknown))}; known: "
              f"{', '.join(sorted(known))}", file=sys.stderr)
        return 2
    results = {b.name: run_one(b) for b in BENCHMARKS if b.name in wanted}
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(results, machine(), date), encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
