"""``medfed-coordinator``: provision a federation, serve it, watch it, export its model.

Domain errors are printed as one line and exit non-zero; no traceback reaches the operator.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from coordinator.errors import CoordinatorError, PlanError
from coordinator.protocol import (
    MIN_SECURE_SITES,
    FederationPlan,
    FederationStatus,
    SecureMode,
    Strategy,
)
from coordinator.settings import ProvisioningDefaults, ServerSettings
from coordinator.task_definition import TaskFileError, builtin_task_names, read_task_file

if TYPE_CHECKING:
    from coordinator.server.round_progress import MaskingProgress
    from coordinator.server.rounds import RoundService


def _plan_from_args(args: argparse.Namespace) -> FederationPlan:
    fields: dict[str, object] = {}
    if args.plan is not None:
        try:
            fields.update(json.loads(args.plan.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise PlanError(f"cannot read the plan file {args.plan}: {exc}") from exc
    fields["federation"] = args.federation
    fields["sites"] = [s.strip() for s in args.sites.split(",") if s.strip()]
    fields["mode"] = args.mode
    for name in ("strategy", "rounds", "min_sites", "round_deadline_s", "task", "model", "init_seed",
                 "update_length"):
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    if args.task_file is not None:
        if args.task is not None:
            raise PlanError("give either --task (a built-in task) or --task-file, not both")
        fields["task"] = read_task_file(args.task_file)
    if "min_sites" not in fields:
        least = 2 if fields["mode"] == SecureMode.NONE.value else MIN_SECURE_SITES
        fields["min_sites"] = min(least, len(fields["sites"]))  # type: ignore[arg-type]
    try:
        return FederationPlan.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'plan'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise PlanError(f"the federation plan is not valid: {problems}") from exc


def cmd_provision(args: argparse.Namespace) -> int:
    from coordinator.provisioning import provision

    plan = _plan_from_args(args)
    if args.pretrained_weights is not None:
        from coordinator.pretrained import describe_weights_file

        pretrained = describe_weights_file(args.pretrained_weights, args.frozen_stages)
        plan = plan.model_copy(update={"pretrained": pretrained})
    elif args.frozen_stages:
        raise PlanError("--frozen-stages needs --pretrained-weights (a random stage frozen learns nothing)")
    result = provision(plan, args.out, args.address, args.validity_days, args.pretrained_weights)
    print(f"federation '{plan.federation}' provisioned in {args.out}")
    print(f"  task: {plan.task.describe()}")
    print(f"  coordinator kit: {result.coordinator_dir}   (run: medfed-coordinator serve --kit {result.coordinator_dir})")
    print(f"  site kits: each site runs 'medfed-site request-enrolment --site NAME --out NAME.csr' "
          f"and sends you the request; sign it with 'medfed-coordinator sign-request --out {args.out} "
          "NAME.csr' (the site's private key never leaves the site)")
    print(f"  operator certificate for the status page {args.address.rstrip('/')}/operator/status: "
          f"{args.out / 'operator'}")
    print(f"  CA fingerprint (give it to each site officer to check the kit): {result.ca_fingerprint}")
    print(f"  keep {args.out / 'ca' / 'ca.key'} offline; the coordinator does not need it")
    return 0


def cmd_sign_request(args: argparse.Namespace) -> int:
    from coordinator.kits import ca_fingerprint, request_fingerprint
    from coordinator.provisioning import sign_site_request

    request_pem = args.request.read_bytes()
    result = sign_site_request(args.out, request_pem, args.validity_days,
                               revoke_previous=args.revoke_previous)
    print(f"signed kit: {result.path} (valid until {result.expires_at:%Y-%m-%d})")
    print(f"  request fingerprint: {request_fingerprint(request_pem)} (it must be the one the "
          "site's officer read out to you; if not, delete the kit)")
    if result.replaced is not None:
        print(f"  the previous certificate is revoked in the CA's register and its kit kept as "
              f"{result.replaced}; tell the coordinator now: medfed-coordinator revoke --kit "
              f"{args.out / 'coordinator'} --certificate {result.replaced}")
    print(f"  CA fingerprint: {ca_fingerprint((args.out / 'ca' / 'ca.pem').read_bytes())}")
    print("  send the kit to the site, which imports it with 'medfed-site enroll KIT'; the "
          "coordinator needs no restart")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from urllib.parse import urlparse

    from coordinator.kits import load_coordinator_kit
    from coordinator.server.serving import default_state_dir, serve

    kit = load_coordinator_kit(args.kit)
    url = urlparse(kit.url)
    host = args.host or ServerSettings.host
    port = args.port or url.port or ServerSettings.port
    state = args.state or default_state_dir(kit)
    print(f"medfed-coordinator: serving '{kit.plan.federation}' on https://{host}:{port} (state: {state})", flush=True)
    serve(kit, state, host, port, args.database_url, workers=args.workers)
    return 0


def _open_readonly(args: argparse.Namespace) -> RoundService:
    from coordinator.kits import load_coordinator_kit
    from coordinator.server.serving import default_state_dir, open_service

    kit = load_coordinator_kit(args.kit)
    state = args.state or default_state_dir(kit)
    if not (state / ServerSettings.database_file).exists() and args.database_url is None:
        raise CoordinatorError(f"no coordinator state in {state}; start it with 'medfed-coordinator serve --kit {args.kit}'")
    return open_service(kit, state, args.database_url, recover=False)


def _metric_name(key: str, classes: Sequence[str]) -> str:
    """``auc:1`` as sites send it (a class index) -> ``auc:nodule`` for the operator."""
    rate, _, index = key.partition(":")
    return f"{rate}:{classes[int(index)]}" if index.isdigit() and int(index) < len(classes) else key


def _print_status(
    status: FederationStatus, classes: Sequence[str] = (), progress: MaskingProgress | None = None,
    waiting_for_operator: bool = False,
) -> None:
    """``progress``: where the current masking round stands (None outside one), in the
    operator page's words; ``waiting_for_operator``: failed rounds are spent (resume)."""
    from coordinator.server.operator_page import RESUME_HINT, WAITING_FOR_OPERATOR

    cur = status.current
    print(f"federation {status.federation}: mode {status.mode}, strategy {status.strategy}, "
          f"sites {', '.join(status.sites)}")
    if waiting_for_operator:
        state = WAITING_FOR_OPERATOR.format(number=cur.number)
    else:
        state = "finished" if cur.finished else f"round {cur.number}/{status.rounds_planned} {cur.phase}"
    if progress is not None:
        state += f": {progress.summary}"
    print(f"now: {state}" + (" (waiting for the initial model)" if cur.waiting_for_initial_model else ""))
    for line in progress.details if progress is not None else ():
        print(f"  {line}")
    if waiting_for_operator:
        print(f"  {RESUME_HINT}")
    if cur.ckks_key is not None and not cur.finished:
        print(f"encryption key: {cur.ckks_key.describe()}")
    for r in status.rounds:
        metrics = ", ".join(f"{_metric_name(k, classes)}={v:.4f}" for k, v in r.metrics.items())
        metrics = f"validation of {len(r.metrics_sites)} site(s), DP-noised: {metrics}" if metrics else "no metrics yet"
        print(f"  round {r.number}: {r.phase:<11} submitted: {', '.join(r.submitted) or '-'}; {metrics}")
        if r.failure:
            print(f"    failed: {r.failure}")


def _open_statistics(args: argparse.Namespace, service: RoundService) -> RoundService | None:
    """The round service of the federation's statistics, read-only; None when the
    federation has none or the coordinator has not opened their first round yet."""
    from coordinator.kits import load_coordinator_kit
    from coordinator.server.serving import (
        STATISTICS_DIR,
        default_state_dir,
        open_statistics_service,
    )

    kit = load_coordinator_kit(args.kit)
    state = args.state or default_state_dir(kit)
    if args.database_url is None and not (state / STATISTICS_DIR).is_dir():
        return None
    statistics = open_statistics_service(kit, state, service.store, args.database_url, recover=False)
    if statistics is None or statistics.store.latest_round() is None:
        return None
    return statistics


def _print_statistics(args: argparse.Namespace, service: RoundService) -> None:
    """The federation's statistics round (``medfed-site statistics``), if it has one."""
    statistics = _open_statistics(args, service)
    if statistics is None:
        return
    cur = statistics.state()
    if cur.last_published:
        row = statistics.store.round(cur.last_published)
        sites = "?" if row is None or row.total_examples is None else row.total_examples
        print(f"statistics: published (round {cur.last_published}, the noised sum of {sites} sites)")
    else:
        progress = _masking_progress(statistics)
        step = f": {progress.summary}" if progress is not None else ""
        print(f"statistics: round {cur.number} {cur.phase}{step}; uploaded: {', '.join(cur.submitted) or '-'}")
        for line in progress.details if progress is not None else ():
            print(f"  {line}")
        if statistics.waiting_for_operator():
            from coordinator.server.operator_page import RESUME_STATISTICS_HINT

            print(f"  {RESUME_STATISTICS_HINT}")


def _masking_progress(service: RoundService) -> MaskingProgress | None:
    from coordinator.server.round_progress import masking_progress

    row = service.store.latest_round()
    return masking_progress(service, row) if row is not None else None


def cmd_status(args: argparse.Namespace) -> int:
    service = _open_readonly(args)
    if service.store.latest_round() is None:
        raise CoordinatorError("the coordinator has not opened a round yet; start it with 'serve'")
    status = service.status()
    if args.json:
        print(status.model_dump_json(indent=2))
    else:
        _print_status(status, service.plan.task.classes, _masking_progress(service),
                      service.waiting_for_operator())
        _print_statistics(args, service)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    service = _open_readonly(args)
    if service.plan.mode is SecureMode.CKKS:
        raise CoordinatorError(
            "in CKKS mode the coordinator holds no secret key and cannot read the model; "
            "export it from a site, which decrypts the aggregate: 'medfed-site model export "
            "FOLDER' writes the weights and their model card"
        )
    if service.plan.mode is SecureMode.MASKING:
        raise CoordinatorError(
            "in masking mode the coordinator only learns the summed update, not the model; "
            "export it from a site: 'medfed-site model export FOLDER'"
        )
    path, sha = service.result(args.round)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, args.out)
    print(f"global model of round {args.round} written to {args.out} (sha256 {sha})")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    """Refuse a site for good (it left, it misbehaved), or retire one of its certificates
    (a leaked or replaced kit) while its current kit keeps working."""
    from coordinator.kits import load_coordinator_kit
    from coordinator.provisioning import revoked_certificate
    from coordinator.server.serving import default_state_dir, open_service

    if (args.site is None) == (args.certificate is None):
        raise CoordinatorError("name either a SITE to expel or --certificate KIT_OR_PEM to retire, not both")
    kit = load_coordinator_kit(args.kit)
    service = open_service(kit, args.state or default_state_dir(kit), args.database_url, recover=False)
    if args.certificate is not None:
        site, serial = revoked_certificate(args.certificate, kit.ca_path.read_bytes())
        done = service.revoke_certificate(site, serial)
        what = f"certificate {serial} of site '{site}'"
    else:
        done = service.revoke(args.site)
        what = f"site '{args.site}'"
    print(f"{what} is revoked: the coordinator refuses it from now on" if done else f"{what} was already revoked")
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    """Open the next round after more rounds failed than the plan tolerates: a training
    round, or with ``--statistics`` a round of the federation's statistics."""
    service = _open_readonly(args)
    if service.store.latest_round() is None:
        raise CoordinatorError("the coordinator has not opened a round yet; start it with 'serve'")
    if args.statistics:
        return _resume_statistics(args, service)
    number = service.resume()
    print(f"round {number} is open; the running coordinator takes it from here")
    return 0


def _resume_statistics(args: argparse.Namespace, service: RoundService) -> int:
    from coordinator.statistics import StatisticsUnavailableError, statistics_plan

    try:
        statistics_plan(service.plan)
    except StatisticsUnavailableError as exc:
        raise StatisticsUnavailableError(f"{exc}, so it has no statistics rounds to resume") from exc
    statistics = _open_statistics(args, service)
    if statistics is None:
        raise CoordinatorError("no statistics round has opened yet (the coordinator opens the "
                               "first when it starts); there is nothing to resume")
    if not statistics.waiting_for_operator():
        cur = statistics.state()
        now = (f"the federation's statistics are published (statistics round {cur.last_published})"
               if cur.last_published else
               f"statistics round {cur.number} is {cur.phase}, not waiting for the operator")
        raise CoordinatorError(f"{now}; there is nothing to resume")
    number = statistics.resume()
    print(f"statistics round {number} is open; the running coordinator takes it from here: "
          "each site takes part with 'medfed-site statistics' before its deadline")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="medfed-coordinator", description="MedFed coordinator service.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("provision", help="create the CA, the coordinator kit and one kit per site")
    p.add_argument("--federation", required=True,
                   help="the federation's name (letters, digits, '.', '_', '-'), e.g. lung-ct-2027")
    p.add_argument("--sites", required=True,
                   help="comma-separated site names, one per hospital, e.g. site-a,site-b,site-c")
    p.add_argument("--mode", choices=[m.value for m in SecureMode], default=SecureMode.CKKS.value,
                   help="how updates are protected: ckks (encrypted; the coordinator sees only "
                        "the sum), masking (pairwise masks cancel in the sum) or none (TLS only; "
                        "the coordinator sees each site's update). Default: %(default)s")
    p.add_argument("--out", type=Path, required=True,
                   help="a new folder for the CA, the coordinator kit and one kit per site")
    p.add_argument("--strategy", choices=[s.value for s in Strategy],
                   help="how the coordinator combines the sites' updates (default fedavg; "
                        "docs/secure-aggregation.md says which work with which --mode)")
    p.add_argument("--rounds", type=int, help="how many rounds the federation runs (default 5)")
    p.add_argument("--min-sites", type=int,
                   help="sites needed for a round to count (default 2; 3 in ckks and masking)")
    p.add_argument("--round-deadline-s", type=float,
                   help="seconds a round waits for uploads before closing with the sites it "
                        "has (default 3600)")
    p.add_argument("--task", help=f"a built-in task: {', '.join(builtin_task_names())}")
    p.add_argument("--task-file", type=Path,
                   help="the federation's own task, a JSON or TOML file (docs/task-files.md)")
    p.add_argument("--model", help="the network, by name (default: the task's); "
                                    "docs/networks.md lists them")
    p.add_argument("--init-seed", type=int,
                   help="seed of the initial model's weights (not of any privacy randomness)")
    p.add_argument("--update-length", type=int,
                   help="values in one update (ckks and masking modes): "
                        "'medfed-site frozen-digest --json --task T --model M' prints it")
    p.add_argument("--plan", type=Path, help="JSON file with further plan fields")
    p.add_argument("--pretrained-weights", type=Path,
                   help="the federation's initial model: a safetensors file or a PyTorch state "
                   "dict of --model (docs/networks.md); served to the sites, its SHA-256 pinned")
    p.add_argument("--frozen-stages", type=int, default=0,
                   help="with --pretrained-weights: freeze the network's first K stages (stem "
                   "first); later stages and the head train under DP")
    p.add_argument("--address", default=ProvisioningDefaults.coordinator_address,
                   help="the https:// address sites will call")
    p.add_argument("--validity-days", type=int, default=ProvisioningDefaults.validity_days,
                   help="how long the certificates are valid (default %(default)s days)")
    p.set_defaults(func=cmd_provision)

    r = sub.add_parser(
        "sign-request",
        help="sign a site's certificate request into its kit (enrolment and renewal)",
        description="Sign the .csr a site made with 'medfed-site request-enrolment' into "
        "sites/<site>.medfed-kit. The kit holds the site's certificate, never a private key.",
    )
    r.add_argument("--out", type=Path, required=True, help="the folder 'provision' wrote")
    r.add_argument("request", type=Path, metavar="REQUEST", help="the site's .csr file")
    r.add_argument("--validity-days", type=int, default=ProvisioningDefaults.validity_days)
    r.add_argument("--revoke-previous", action="store_true",
                   help="renewal: revoke the site's current certificate first (the CA issues "
                   "one certificate per site name and refuses a second otherwise)")
    r.set_defaults(func=cmd_sign_request)

    for name, func, text in (
        ("serve", cmd_serve, "run the coordinator"),
        ("status", cmd_status, "show rounds, submissions and metrics"),
        ("export", cmd_export, "write the global model of a round"),
        ("revoke", cmd_revoke, "refuse every further call from a site"),
        ("resume", cmd_resume, "open the next round after too many rounds failed "
                               "(--statistics: the next statistics round)"),
    ):
        s = sub.add_parser(name, help=text)
        s.add_argument("--kit", type=Path, required=True, help="the coordinator kit folder")
        s.add_argument("--state", type=Path, help="state folder (default: KIT/state)")
        s.add_argument("--database-url",
                       help="SQLAlchemy URL instead of the SQLite file, e.g. "
                            "postgresql+psycopg://medfed@db.example/medfed")
        s.set_defaults(func=func)
        if name == "serve":
            s.add_argument("--host")
            s.add_argument("--port", type=int)
            s.add_argument("--workers", type=int, default=1,
                           help="worker processes (more than 1 needs --database-url to PostgreSQL)")
        elif name == "status":
            s.add_argument("--json", action="store_true")
        elif name == "revoke":
            s.add_argument("site", nargs="?", help="the site to expel, as named in the plan")
            s.add_argument("--certificate", type=Path,
                           help="retire only this certificate: a site kit or a PEM file")
        elif name == "resume":
            s.add_argument("--statistics", action="store_true",
                           help="resume the federation's statistics ('medfed-site statistics') "
                           "instead of the training rounds: after the plan's max_failed_rounds "
                           "statistics rounds failed, open one more")
        elif name == "export":
            s.add_argument("--round", type=int, required=True,
                           help="the round whose published global model to write")
            s.add_argument("--out", type=Path, required=True,
                           help="the file to write (plaintext mode; in ckks and masking modes "
                                "only a site can decrypt the model: 'medfed-site model export')")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (CoordinatorError, TaskFileError) as exc:
        print(f"medfed-coordinator: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
