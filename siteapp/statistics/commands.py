"""``medfed-site statistics``: the federation's statistics round, or the site's own."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict


def register(subparsers: argparse._SubParsersAction) -> None:
    statistics = subparsers.add_parser(
        "statistics",
        help="take part in the federation's secure intensity and label statistics",
        description="Describe this site's training patients (intensity histograms per "
        "modality and scanner model, patients per class), add Gaussian noise, record the "
        "cost in the privacy ledger and send it through a secure sum; keep the federation's "
        "histograms and the windows a task with percentile scope 'federation' uses. "
        "--local computes this site's own statistics only (nothing is sent).",
    )
    statistics.add_argument("--local", action="store_true",
                            help="only this site's own statistics (the 'site' scope); send nothing")
    statistics.add_argument("--task", default=None,
                            help="with --local: the task (default: the enrolled federation's)")
    statistics.add_argument("--json", action="store_true", help="print one JSON document at the end")
    statistics.set_defaults(func=run_statistics)


def run_statistics(args: argparse.Namespace) -> int:
    from siteapp.federation.statistics_round import StatisticsRound
    from siteapp.statistics.collect import refresh_site_statistics
    from siteapp.tasks import load_task

    if args.local:
        if args.task is None:
            from siteapp.federation.enrolment import load_enrolled_kit

            task = load_enrolled_kit(args.data_dir)[1].plan.task
        else:
            task = load_task(args.task, args.data_dir)
        kept = refresh_site_statistics(args.data_dir, task)
        sent = False
    else:
        round_ = StatisticsRound(args.data_dir, on_progress=None if args.json else print)
        _say_cost(round_, args.json)
        outcome = round_.run()
        kept, sent = outcome.statistics, outcome.sent
    if args.json:
        json.dump({"sent": sent, **asdict(kept)}, sys.stdout, indent=1)
        print()
        return 0
    _print_summary(kept, sent)
    return 0


def _say_cost(round_: object, quiet: bool) -> None:
    """Anything that spends privacy budget says how much first."""
    from coordinator.statistics import StatisticsLayout
    from siteapp.federation.statistics_round import StatisticsRound
    from siteapp.statistics.histograms import site_histograms
    from siteapp.statistics.release import projected_cost

    assert isinstance(round_, StatisticsRound)
    if quiet:
        return
    plan = round_.kit.plan
    patients = site_histograms(round_.data_dir, plan.task, StatisticsLayout.of(plan)).patients
    before, after = projected_cost(round_.ledger, plan.statistics.noise_multiplier, patients)
    print(f"sending the statistics of {patients} training patients (Gaussian noise multiplier "
          f"{plan.statistics.noise_multiplier:g}) raises their epsilon from {before:.2f} to at most "
          f"{after:.2f}; a site that comes after the round was published sends nothing")


def _print_summary(kept: object, sent: bool) -> None:
    from siteapp.statistics.windows import TaskStatistics

    assert isinstance(kept, TaskStatistics)
    print(f"task {kept.task}: {kept.site_patients} training patients described at this site")
    for key, (low, high) in sorted(kept.site_windows.items()):
        print(f"  this site     {key}: window {low:.1f} to {high:.1f}")
    if kept.federation is None:
        return
    print(f"federation {kept.federation}: noised sum of {kept.federation_sites} sites"
          + (" (this site's statistics included)" if sent else " (read; nothing sent)"))
    for key, (low, high) in sorted(kept.federation_windows.items()):
        print(f"  federation    {key}: window {low:.1f} to {high:.1f}")
    counts = ", ".join(
        f"{name} {'suppressed' if count is None else f'{count:.0f}'}"
        for name, count in kept.federation_class_counts.items()
    )
    print(f"  patients per class (noised): {counts}")
