"""Harmonisation on the phantom mammography sites: which percentiles window the images?

The three phantom mammography hospitals store intensities on scales of their own
(``siteapp.dicom.phantom.SITE_PROFILES``: detector gain 1.0 / 0.7 / 0.55, offset 0 / 400
/ 900, the third inverted). The same federation (the demo: CKKS, DP, seeded, baselines)
runs once per windowing scope of the task's 1-99 percentiles, side by side:

* ``image``: each image's own percentiles (the task file's default);
* ``site``: the site's own training images of that scanner model (nothing shared);
* ``federation``: the federation's secure, noised histograms of that scanner model
  (``medfed-site statistics``; its epsilon is paid from the same cap).

Run: ``python benchmarks/harmonisation.py [--patients 180] [--rounds 6] [--json]``;
results in ``docs/phantom-benchmark.md``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

SCOPES = ("image", "site", "federation")


def windows_of(run_dir: Path, sites: list[str], task: str) -> dict[str, dict[str, Any]]:
    """Each site's kept windows (its own and the federation's), as the runs left them."""
    from siteapp.statistics.windows import load_task_statistics

    out: dict[str, dict[str, Any]] = {}
    for site in sites:
        kept = load_task_statistics(run_dir / site, task)
        if kept is not None:
            out[site] = {"site": kept.site_windows, "federation": kept.federation_windows}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=180)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--scopes", nargs="+", choices=SCOPES, default=list(SCOPES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from siteapp.demo.cli import run_demo
    from siteapp.demo.settings import DemoSettings

    out = args.out or Path(tempfile.mkdtemp(prefix="medfed-harmonisation-"))
    results: dict[str, Any] = {}
    for scope in args.scopes:
        settings = DemoSettings(task="mammo-mass", patients=args.patients, rounds=args.rounds,
                                seed=args.seed, windowing_scope=scope)
        started = time.perf_counter()
        result = json.loads(run_demo(settings, out / scope))
        results[scope] = {
            "federated": result["federated_auc"], "local_only": result["local_only_auc"],
            "pooled_no_dp": result["centralized_auc"], "pooled_dp": result["centralized_dp_auc"],
            "epsilon": result["epsilon"], "seconds": round(time.perf_counter() - started, 1),
            "windows": windows_of(out / scope, settings.site_names(), "mammo-mass"),
        }
    if args.json:
        print(json.dumps({"patients": args.patients, "rounds": args.rounds, "seed": args.seed,
                          "results": results}, indent=1))
        return
    print(f"\nmammo-mass phantom, {args.patients} patients per full site, {args.rounds} rounds, "
          f"seed {args.seed}: AUC on each site's held-out patients")
    print(f"{'scope':<11}{'federated mean':>16}{'site-1':>9}{'site-2':>9}{'site-3':>9}"
          f"{'local mean':>12}{'pooled DP':>11}{'pooled':>9}")
    for scope, r in results.items():
        fed = r["federated"]
        print(f"{scope:<11}{fed['mean']:>16.3f}{fed['site-1']:>9.3f}{fed['site-2']:>9.3f}"
              f"{fed['site-3']:>9.3f}{r['local_only']['mean']:>12.3f}{r['pooled_dp']['mean']:>11.3f}"
              f"{r['pooled_no_dp']['mean']:>9.3f}")
    for site, windows in results.get("federation", {}).get("windows", {}).items():
        print(f"{site}: own window {windows['site']}, federation's {windows['federation']}")


if __name__ == "__main__":
    main()
