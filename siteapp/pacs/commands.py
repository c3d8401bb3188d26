"""CLI of the DICOM network: ``medfed-site dicom-listen`` and ``medfed-site pacs ...``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import Any

from siteapp.errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    listen = subparsers.add_parser(
        "dicom-listen", help="receive studies from modalities or a PACS (DICOM Storage SCP)",
        description="Run the site's DICOM receiver until Ctrl-C. Every received instance is "
        "stored in the data folder and indexed like an import. Options override the saved "
        "receiver settings for this run (--save keeps them).",
    )
    _receiver_options(listen)
    listen.add_argument("--save", action="store_true", help="save these receiver settings")
    listen.set_defaults(func=_cmd_listen)

    pacs = subparsers.add_parser("pacs", help="PACS nodes, query, retrieve, and results as DICOM")
    sub = pacs.add_subparsers(dest="pacs_command", metavar="ACTION", required=True)

    receiver = sub.add_parser("receiver", help="show or change the site's receiver settings")
    _receiver_options(receiver)
    start = receiver.add_mutually_exclusive_group()
    start.add_argument("--start-with-app", dest="start_with_app", action="store_true",
                       default=None, help="start the receiver when the app starts")
    start.add_argument("--no-start-with-app", dest="start_with_app", action="store_false")
    receiver.set_defaults(func=_cmd_receiver)

    node = sub.add_parser("node", help="add, remove or list PACS nodes")
    nsub = node.add_subparsers(dest="node_command", metavar="ACTION", required=True)
    add = nsub.add_parser("add", help="add or replace a PACS node")
    add.add_argument("name")
    add.add_argument("--ae-title", required=True, help="the PACS's AE title")
    add.add_argument("--host", required=True)
    add.add_argument("--port", type=int, required=True)
    add.add_argument("--retrieve", choices=("move", "get"), default="move",
                     help="C-MOVE to this site's receiver (default) or C-GET")
    add.add_argument("--tls-ca", default="", help="CA certificate (PEM) of the node: use TLS")
    add.add_argument("--tls-cert", default="", help="this site's certificate, if the node asks")
    add.add_argument("--tls-key", default="", help="this site's private key")
    add.set_defaults(func=_cmd_node_add)
    remove = nsub.add_parser("remove", help="forget a PACS node")
    remove.add_argument("name")
    remove.set_defaults(func=_cmd_node_remove)
    listing = nsub.add_parser("list", help="list the configured nodes")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_cmd_node_list)

    echo = sub.add_parser("echo", help="test the connection to a node (C-ECHO)")
    echo.add_argument("node")
    echo.set_defaults(func=_cmd_echo)

    query = sub.add_parser("query", help="list a node's studies (C-FIND)")
    query.add_argument("node")
    query.add_argument("--patient-id", default="")
    query.add_argument("--name", default="", help="patient name; DICOM wildcards allowed (DOE*)")
    query.add_argument("--from", dest="date_from", type=date.fromisoformat, default=None,
                       help="first study date, YYYY-MM-DD")
    query.add_argument("--to", dest="date_to", type=date.fromisoformat, default=None,
                       help="last study date, YYYY-MM-DD")
    query.add_argument("--modality", default="")
    query.add_argument("--accession", default="")
    query.add_argument("--json", action="store_true")
    query.set_defaults(func=_cmd_query)

    retrieve = sub.add_parser("retrieve", help="bring studies into this site (C-MOVE or C-GET)")
    retrieve.add_argument("node")
    retrieve.add_argument("study_uids", nargs="+", metavar="STUDY_UID")
    retrieve.add_argument("--json", action="store_true")
    retrieve.set_defaults(func=_cmd_retrieve)

    results = sub.add_parser(
        "results", help="run the site's model and write the results as DICOM (SR + saliency)",
        description="Predict every study in PATH (files or folders) with the site's newest "
        "model, write a Structured Report and a saliency Secondary Capture per study, and "
        "send them to a PACS node with --send.",
    )
    results.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    results.add_argument("--out", type=Path, default=None,
                         help="folder for the DICOM results (default: <data>/dicom-results)")
    results.add_argument("--send", default=None, metavar="NODE", help="C-STORE them to NODE")
    results.add_argument("--json", action="store_true")
    results.set_defaults(func=_cmd_results)


def _receiver_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ae-title", default=None, help="the receiver's AE title")
    parser.add_argument("--port", type=int, default=None, help="TCP port (0: any free port)")
    parser.add_argument("--bind", default=None, help="address to listen on (default 0.0.0.0)")
    parser.add_argument("--allow-ae", action="append", default=None, metavar="AE_TITLE",
                        help="a calling AE title that may send (repeat for more)")
    parser.add_argument("--allow-host", action="append", default=None, metavar="HOST",
                        help="only these hosts may connect (repeat; default: any host)")
    parser.add_argument("--tls-cert", default=None,
                        help="serve DICOM TLS with this certificate (PEM); '' turns TLS off")
    parser.add_argument("--tls-key", default=None, help="the certificate's private key (PEM)")
    parser.add_argument("--tls-ca", default=None,
                        help="callers must present a certificate signed by this CA (PEM)")


def _receiver_from_args(config: Any, args: argparse.Namespace) -> Any:
    from siteapp.pacs.config import TlsFiles

    changes: dict[str, Any] = {}
    if args.ae_title is not None:
        changes["ae_title"] = args.ae_title
    if args.port is not None:
        changes["port"] = args.port
    if args.bind is not None:
        changes["bind_address"] = args.bind
    if args.allow_ae is not None:
        changes["allowed_calling_ae_titles"] = tuple(a.strip() for a in args.allow_ae)
    if args.allow_host is not None:
        changes["allowed_hosts"] = tuple(args.allow_host)
    if args.tls_cert is not None:
        changes["tls"] = (TlsFiles(args.tls_ca or "", args.tls_cert, args.tls_key or "")
                          if args.tls_cert else None)
    if getattr(args, "start_with_app", None) is not None:
        changes["start_with_app"] = args.start_with_app
    return replace(config, receiver=replace(config.receiver, **changes))


def _print(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, default=str)
    print()


def _cmd_listen(args: argparse.Namespace) -> int:
    from siteapp.pacs.config import check_receiver, load_network_config, save_network_config
    from siteapp.pacs.received import ReceivedBatch
    from siteapp.pacs.receiver import StorageReceiver

    config = _receiver_from_args(load_network_config(args.data_dir), args)
    # Port 0 (any free port) is for tests and one-off runs; it is never saved.
    check_receiver(replace(config.receiver, port=config.receiver.port or 1))
    if args.save and config.receiver.port == 0:
        raise UsageError("--save needs a fixed --port: senders must know where to call")
    if args.save:
        save_network_config(args.data_dir, config)

    def report(batch: ReceivedBatch) -> None:
        print(f"from {batch.calling_ae_title} ({batch.peer}): {batch.report.summary()}",
              flush=True)
        for item in batch.report.skipped:
            print(f"  skipped {item['path']}: {item['reason']}", flush=True)

    receiver = StorageReceiver(args.data_dir, config, report)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    receiver.start()
    settings = config.receiver
    callers = ", ".join(sorted(config.trusted_ae_titles()))
    print(f"listening as {settings.ae_title} on {settings.bind_address}:{receiver.port}; "
          f"accepting calling AE titles {callers}; Ctrl-C stops", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()
    print("receiver stopped", flush=True)
    return 0


def _cmd_receiver(args: argparse.Namespace) -> int:
    from siteapp.pacs.config import load_network_config, save_network_config

    before = load_network_config(args.data_dir)
    config = _receiver_from_args(before, args)
    if config != before:
        save_network_config(args.data_dir, config)
    _print(asdict(config.receiver))
    return 0


def _cmd_node_add(args: argparse.Namespace) -> int:
    from siteapp.pacs.config import (
        PacsNode,
        TlsFiles,
        load_network_config,
        save_network_config,
    )

    if (args.tls_cert or args.tls_key) and not args.tls_ca:
        raise UsageError("TLS needs the node's CA certificate (--tls-ca)")
    tls = TlsFiles(args.tls_ca, args.tls_cert, args.tls_key) if args.tls_ca else None
    node = PacsNode(args.name, args.ae_title.strip(), args.host, args.port, args.retrieve, tls)
    save_network_config(args.data_dir, load_network_config(args.data_dir).with_node(node))
    print(f"saved node {node.describe()}")
    return 0


def _cmd_node_remove(args: argparse.Namespace) -> int:
    from siteapp.pacs.config import load_network_config, save_network_config

    save_network_config(args.data_dir, load_network_config(args.data_dir).without_node(args.name))
    print(f"removed node {args.name}")
    return 0


def _cmd_node_list(args: argparse.Namespace) -> int:
    from siteapp.pacs.config import load_network_config

    config = load_network_config(args.data_dir)
    if args.json:
        _print([asdict(n) for n in config.nodes])
    else:
        for node in config.nodes:
            print(f"{node.describe()}  retrieve by C-{node.retrieve_method.upper()}")
        if not config.nodes:
            print("no PACS nodes yet; add one with 'medfed-site pacs node add'")
    return 0


def _cmd_echo(args: argparse.Namespace) -> int:
    from siteapp.pacs.config import load_network_config
    from siteapp.pacs.send import echo

    config = load_network_config(args.data_dir)
    node = config.node(args.node)
    echo(node, config.receiver.ae_title)
    print(f"{node.describe()} answered")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from siteapp.pacs.config import load_network_config
    from siteapp.pacs.query import StudyQuery, query_studies

    config = load_network_config(args.data_dir)
    query = StudyQuery(args.patient_id, args.name, args.date_from, args.date_to, args.modality,
                       args.accession)
    matches = query_studies(config.node(args.node), config.receiver.ae_title, query)
    if args.json:
        _print([asdict(m) for m in matches])
        return 0
    for m in matches:
        print(f"{m.study_uid}  {m.patient_id:<12} {m.patient_name:<24} {m.study_date:<8} "
              f"{m.modalities:<6} {m.accession:<12} {m.description} "
              f"({m.instances if m.instances is not None else '?'} images)")
    print(f"{len(matches)} studies")
    return 0


def _cmd_retrieve(args: argparse.Namespace) -> int:
    from siteapp.pacs.config import load_network_config
    from siteapp.pacs.retrieve import retrieve_studies

    config = load_network_config(args.data_dir)
    node = config.node(args.node)

    def progress(done: int, total: int) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{done}/{total} instances", end="", file=sys.stderr, flush=True)

    report = retrieve_studies(args.data_dir, config, node, args.study_uids, progress=progress)
    if args.json:
        _print(report.to_json())
    else:
        print(report.summary())
        for item in report.imported.skipped:
            print(f"  skipped {item['path']}: {item['reason']}")
    return 0 if report.failed == 0 else 1


def _cmd_results(args: argparse.Namespace) -> int:
    from siteapp.federation.audit import AuditLog
    from siteapp.pacs.config import load_network_config
    from siteapp.pacs.export import default_results_dir, export_results
    from siteapp.training.inference import predict_paths

    config = load_network_config(args.data_dir)
    if args.send:
        config.node(args.send)  # an unknown node fails before the model runs
    report = predict_paths(args.data_dir, args.paths)
    out_dir = args.out or default_results_dir(args.data_dir)
    outcome = export_results(report, args.paths, out_dir, config, args.send,
                             on_sent=AuditLog(args.data_dir).record)
    if args.json:
        _print({"inference": report.to_dict(), **outcome.to_json()})
    else:
        for study in report.studies:
            print(f"{study.study_uid}: {study.predicted_class} (p={study.probability:.3f}, "
                  f"model round {study.model_round})")
        print(outcome.summary())
    if outcome.sent is not None and outcome.sent.failed:
        return 1
    return 0
