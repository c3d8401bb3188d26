"""``medfed-site model``: which model answers inference, and exporting it with its card."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    model = subparsers.add_parser(
        "model", help="list the site's models, pin the one inference uses, export one",
        description="Inference uses the pinned model, else the newest federated one, else "
        "the newest local-only one.",
    )
    sub = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="every saved model, with its number and origin")
    listing.add_argument("--json", action="store_true", help="print one JSON document")
    listing.set_defaults(func=_cmd_list)
    pin = sub.add_parser("pin", help="make model NUMBER the one inference uses")
    pin.add_argument("number", type=int, metavar="NUMBER", help="as `model list` shows it")
    pin.set_defaults(func=_cmd_pin)
    unpin = sub.add_parser("unpin", help="back to the default (newest federated model)")
    unpin.set_defaults(func=_cmd_unpin)
    export = sub.add_parser(
        "export", help="write a model's weights and its card (task, rounds, epsilon, metrics)")
    export.add_argument("out", type=Path, metavar="FOLDER")
    export.add_argument("--number", type=int, default=None,
                        help="which model (default: the one inference uses)")
    export.set_defaults(func=_cmd_export)


def _cmd_list(args: argparse.Namespace) -> int:
    from siteapp.training.checkpoints import (
        inference_checkpoint,
        list_checkpoints,
        pinned_checkpoint_id,
        provenance,
    )

    checkpoints = list_checkpoints(args.data_dir)
    if not checkpoints:
        print("no model yet: train a local-only model or join a federation round")
        return 0
    used = inference_checkpoint(args.data_dir).id
    pinned = pinned_checkpoint_id(args.data_dir)
    if args.json:
        print(json.dumps([{"number": c.id, "source": c.source, "round": c.round,
                           "model": c.model_name, "task": c.task, "epsilon": c.epsilon,
                           "used_for_inference": c.id == used, "pinned": c.id == pinned}
                          for c in checkpoints], indent=2))
        return 0
    for c in checkpoints:
        mark = ("* pinned" if c.id == pinned else "* in use") if c.id == used else ""
        print(f"{c.id:>4}  {provenance(c)}  {mark}".rstrip())
    return 0


def _cmd_pin(args: argparse.Namespace) -> int:
    from siteapp.training.checkpoints import pin_for_inference, provenance

    checkpoint = pin_for_inference(args.data_dir, args.number)
    assert checkpoint is not None
    print(f"inference now uses model {checkpoint.id}: {provenance(checkpoint)}")
    return 0


def _cmd_unpin(args: argparse.Namespace) -> int:
    from siteapp.training.checkpoints import (
        NoModelError,
        inference_checkpoint,
        pin_for_inference,
        provenance,
    )

    pin_for_inference(args.data_dir, None)
    try:
        print(f"inference uses the default: {provenance(inference_checkpoint(args.data_dir))}")
    except NoModelError:
        print("inference uses the default (no model yet)")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from siteapp.training.checkpoints import checkpoint_by_id, inference_checkpoint
    from siteapp.training.model_card import export_model

    checkpoint = (inference_checkpoint(args.data_dir) if args.number is None
                  else checkpoint_by_id(args.data_dir, args.number))
    weights, card = export_model(args.data_dir, checkpoint, args.out)
    print(f"wrote {weights} and its card {card}")
    return 0
