"""``medfed-site privacy``: read the ledger and set the site's cap."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    privacy = subparsers.add_parser(
        "privacy",
        help="show the privacy budget spent (or set the cap)",
        description="Show this site's cumulative epsilon over every round ever trained, "
        "its delta and cap, and the ledger entries.",
    )
    privacy.add_argument("--json", action="store_true", help="print one JSON document")
    privacy.set_defaults(func=run_show)
    actions = privacy.add_subparsers(dest="privacy_action", metavar="ACTION")
    set_cap = actions.add_parser("set-cap", help="set the site's epsilon (and delta) cap")
    set_cap.add_argument("--epsilon", type=float, required=True)
    set_cap.add_argument(
        "--delta", type=float, default=None, help="default: 1e-5, or 1 / (10 x patients) where smaller"
    )
    set_cap.set_defaults(func=run_set_cap)


def run_show(args: argparse.Namespace) -> int:
    from siteapp.privacy.ledger import PrivacyLedger

    summary = PrivacyLedger(args.data_dir).summary()
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        print()
        return 0
    from siteapp.privacy.randomness import NOMINAL_WARNING

    delta_text = f"{summary['delta']:.2g}"
    by_set = summary["epsilon_by_record_set"]
    assert isinstance(by_set, dict)
    nominal = " NOMINAL" if summary["nominal"] else ""
    print(
        f"epsilon spent{nominal} {summary['epsilon_spent']:.2f} of cap {summary['cap_epsilon']:g} "
        f"(delta {delta_text}; training patients {by_set['training']:.2f}, validation "
        f"patients {by_set['validation']:.2f})"
    )
    if summary["nominal"]:
        print(f"WARNING: {NOMINAL_WARNING}")
    entries = summary["entries"]
    assert isinstance(entries, list)
    for e in entries:
        print(
            f"  {e['created_at']} {e['context']} round {e['round']} {e['record_set']}: "
            f"sigma {e['noise_multiplier']:.3f}, q {e['sample_rate']:.3f}, {e['steps']} steps, "
            f"{e['records']} patients, epsilon after {e['epsilon_after']:.2f} [{e['status']}]"
            + (" [SEEDED: nominal]" if e["seeded"] else "")
        )
    return 0


def run_set_cap(args: argparse.Namespace) -> int:
    from siteapp.privacy.ledger import PrivacyLedger

    cap = PrivacyLedger(args.data_dir).set_cap(args.epsilon, args.delta)
    delta_text = (
        "automatic (1e-05, or 1 / (10 x patients) where smaller)" if cap.delta is None
        else f"{cap.delta:g}"
    )
    print(f"privacy cap set to epsilon {cap.epsilon:g}, delta {delta_text}")
    return 0
