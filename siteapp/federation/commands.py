"""``medfed-site request-enrolment``, ``enroll``, ``leave``, ``check-connection``, ``join``,
``audit`` and ``policy``: the federation without a screen.

Torch, TenSEAL and the HTTP client are imported inside the command functions only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from siteapp.settings import DEVICE_CHOICES


def register(subparsers: argparse._SubParsersAction) -> None:
    request = subparsers.add_parser(
        "request-enrolment",
        help="make this site's private key and a certificate request for the operator",
        description="Make the site's private key in the data folder (it never leaves it) and "
        "write a certificate request naming the site. Send the request to the federation's "
        "operator, read its fingerprint out to them, and import the kit they sign for it "
        "with 'enroll'.",
    )
    request.add_argument("--site", required=True, help="this site's name in the federation plan")
    request.add_argument("--out", type=Path, required=True, metavar="FILE",
                         help="where to write the request (e.g. st-olaf.csr)")
    request.set_defaults(func=run_request_enrolment)

    enroll = subparsers.add_parser(
        "enroll",
        help="import the enrolment kit the federation operator sent",
        description="Check the kit's signature, certificate and expiry, keep a private copy "
        "in the data folder and record the enrolment. A damaged or tampered kit is refused.",
    )
    enroll.add_argument("kit", type=Path, metavar="KIT", help="the .medfed-kit file")
    enroll.add_argument("--ca-fingerprint", default=None,
                        help="the CA fingerprint your operator read out to you (recommended)")
    enroll.add_argument("--json", action="store_true", help="print one JSON document")
    enroll.set_defaults(func=run_enroll)

    leave = subparsers.add_parser(
        "leave",
        help="leave the federation: forget the kit and its keys, keep data and ledger",
        description="Forget this data folder's enrolment (the kit, with the federation's "
        "keys). Studies, labels, models, round records and the privacy ledger stay, and "
        "epsilon keeps counting. Afterwards 'enroll' accepts a kit of any federation: use it "
        "after a wrong kit, or when the coordinator moved and the operator sent a new kit.",
    )
    leave.add_argument("--yes", action="store_true", required=True,
                       help="confirm: the kit and the federation's keys are deleted")
    leave.set_defaults(func=run_leave)

    join = subparsers.add_parser(
        "join",
        help="take part in the federation's rounds",
        description="Pull the plan, check it against this site's policy and privacy cap, "
        "record the privacy cost, train with DP-SGD, encrypt and upload the update, then "
        "report validation metrics of the new global model. Safe to stop and run again.",
    )
    join.add_argument("--rounds", type=int, default=None,
                      help="take part in at most N rounds (default: until the plan ends)")
    join.add_argument("--device", choices=DEVICE_CHOICES, default="auto",
                      help="where to train (default: CUDA, then Apple MPS, then the CPU)")
    join.add_argument("--json", action="store_true", help="print one JSON document at the end")
    join.add_argument("--https-proxy", default=None, metavar="URL",
                      help="the hospital's HTTPS proxy, e.g. http://proxy:3128 (default: "
                      "HTTPS_PROXY and NO_PROXY from the environment)")
    join.set_defaults(func=run_join)

    check = subparsers.add_parser(
        "check-connection", help="ask the coordinator for its current round (one request)",
        description="Reach the enrolled federation's coordinator over mutual TLS and print "
        "its current round, as the Federation page's Check connection button does. The "
        "request is recorded in the audit log. Exits 1 and says why when it cannot connect.",
    )
    check.add_argument("--https-proxy", default=None, metavar="URL",
                       help="the hospital's HTTPS proxy (default: HTTPS_PROXY and NO_PROXY "
                       "from the environment)")
    check.add_argument("--json", action="store_true", help="print the round state as JSON")
    check.set_defaults(func=run_check_connection)

    audit = subparsers.add_parser(
        "audit", help="list every request this site sent to the coordinator",
    )
    audit.add_argument("--kind", default=None, help="poll, download, upload, metrics or masking")
    audit.add_argument("--csv", type=Path, default=None, help="write the entries to this CSV file")
    audit.add_argument("--json", action="store_true", help="print one JSON document")
    audit.set_defaults(func=run_audit)

    policy = subparsers.add_parser(
        "policy", help="show or change this site's policy (what a plan may ask of it)",
        description="What a coordinator's plan may ask of this site; every plan is checked "
        "against it before anything is trained (the privacy cap is 'privacy set-cap'). "
        "--report-validation no stops this site from sending even the noised validation "
        "figures. The app's Settings > Site policy changes the same values.",
    )
    policy.add_argument("--report-validation", choices=("yes", "no"), default=None,
                        help="send the DP-noised validation histogram after each round")
    policy.add_argument("--max-learning-rate", type=float, default=None, metavar="LR")
    policy.add_argument("--max-epochs-per-round", type=int, default=None, metavar="N")
    policy.add_argument("--max-batch-size", type=int, default=None, metavar="N")
    policy.add_argument("--max-grad-norm", type=float, default=None, metavar="C",
                        dest="max_grad_norm_limit",
                        help="the largest per-patient clipping norm a plan may ask")
    policy.add_argument("--min-train-patients", type=int, default=None, metavar="N",
                        help="fewer training patients than this and the site does not take part")
    policy.set_defaults(func=run_policy)


def run_request_enrolment(args: argparse.Namespace) -> int:
    from siteapp.federation.site_keys import request_enrolment, request_fingerprint

    pem = request_enrolment(args.data_dir, args.site)
    args.out.write_bytes(pem)
    print(f"wrote the certificate request of site '{args.site}' to {args.out}")
    print(f"  request fingerprint: {request_fingerprint(pem)}")
    print("  send it to the federation's operator, read the fingerprint out to them, then "
          "import the kit they send back: medfed-site enroll KIT")
    return 0


def run_enroll(args: argparse.Namespace) -> int:
    from siteapp.federation.enrolment import enroll

    record = enroll(args.data_dir, args.kit, args.ca_fingerprint)
    if args.json:
        json.dump(record.to_dict(), sys.stdout, indent=2)
        print()
    else:
        print(f"enrolled as site '{record.site}' of federation '{record.federation}' "
              f"({record.mode} mode, task {record.task}, coordinator {record.coordinator_url})")
        print(f"  CA fingerprint: {record.ca_fingerprint}")
        print(f"  kit valid until {record.expires_at}")
    return 0


def run_leave(args: argparse.Namespace) -> int:
    from siteapp.federation.enrolment import leave_federation
    from siteapp.privacy.ledger import PrivacyLedger

    record = leave_federation(args.data_dir)
    print(f"left federation '{record.federation}' (site '{record.site}'): its kit and keys are "
          "deleted from this data folder")
    print(f"  kept: studies, labels, models, round records and the privacy ledger "
          f"(epsilon so far {PrivacyLedger(args.data_dir).epsilon_spent():.2f}, still counted)")
    print("  to take part again: medfed-site enroll KIT")
    return 0


def run_check_connection(args: argparse.Namespace) -> int:
    from siteapp.federation.connection import check_connection

    check = check_connection(args.data_dir, args.https_proxy)
    state = check.state
    if args.json:
        print(json.dumps({"coordinator": check.coordinator, "round": state.model_dump(mode="json")},
                         indent=2))
    elif state.finished:
        print(f"connected to {check.coordinator}: the federation has finished all its rounds")
    else:
        print(f"connected to {check.coordinator}: round {state.number} is {state.phase}; "
              f"{len(state.submitted)} site(s) have uploaded")
    return 0


def run_join(args: argparse.Namespace) -> int:
    from coordinator.round_state import SiteStep
    from siteapp.errors import UsageError
    from siteapp.federation.join_report import Progress
    from siteapp.federation.run_options import RunnerOptions
    from siteapp.federation.runner import RoundRunner
    from siteapp.federation.settings import client_defaults
    from siteapp.settings import NetworkDefaults

    if args.rounds is not None and args.rounds < 1:
        raise UsageError("--rounds must be at least 1")
    last: list[str] = [""]

    def show(progress: Progress) -> None:
        if args.json:
            return
        text = f"round {progress.round}: {progress.step}" if progress.round else str(progress.step)
        if progress.step is SiteStep.TRAINING and progress.fraction is not None:
            text += f" {progress.fraction:.0%}"
        elif progress.message:
            text += f" - {progress.message}"
        if text != last[0]:
            print(text, flush=True)
            last[0] = text

    network = NetworkDefaults(https_proxy=args.https_proxy)
    options = RunnerOptions(device=args.device, client=client_defaults(network))
    runner = RoundRunner(args.data_dir, options=options, on_progress=show)
    report = runner.run(max_rounds=args.rounds)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2, default=str)
        print()
        return 130 if report.stopped else 0
    for outcome in report.rounds:
        auc = outcome.metrics.get("auc")
        auc_text = "n/a" if auc is None else f"{auc:.3f}"
        print(f"round {outcome.round}: validation AUC {auc_text}, epsilon so far "
              f"{outcome.epsilon_after:.2f}, uploaded {outcome.upload_bytes} bytes")
    ending = "the federation has finished" if report.finished else report.stopped or "done"
    print(f"{len(report.rounds)} round(s) taken part in; epsilon spent {report.epsilon_spent:.2f}; "
          f"{report.bytes_sent} bytes sent in total; {ending}")
    return 130 if report.stopped else 0


def run_audit(args: argparse.Namespace) -> int:
    from siteapp.errors import UsageError
    from siteapp.federation.audit import KINDS, AuditLog

    if args.kind is not None and args.kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}")
    log = AuditLog(args.data_dir)
    if args.csv is not None:
        count = log.export_csv(args.csv, kind=args.kind)
        print(f"{count} request(s) written to {args.csv}")
        return 0
    entries = log.query(kind=args.kind)
    if args.json:
        json.dump([e.to_dict() for e in entries], sys.stdout, indent=2)
        print()
        return 0
    for e in entries:
        print(f"{e.at_iso} {e.method:<4} {e.endpoint} [{e.kind}] {e.bytes_sent} B "
              f"sha256 {e.body_sha256 or '-'}: {e.carried} (HTTP {e.status}, {e.attempts} attempt(s))")
    return 0


def run_policy(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from siteapp.federation.policy import LIMITS, changed_policy, load_policy, save_policy

    changes: dict[str, object] = {
        name: getattr(args, name) for name in LIMITS if getattr(args, name) is not None}
    if args.report_validation is not None:
        changes["report_validation"] = args.report_validation == "yes"
    policy = load_policy(args.data_dir)
    if changes:
        policy = changed_policy(policy, **changes)
        save_policy(args.data_dir, policy)
    json.dump(asdict(policy), sys.stdout, indent=2)
    print()
    return 0
