"""``medfed-site``: every site capability without a screen.

Each subsystem contributes its subcommands through a small module listed in
``COMMAND_MODULES``; a module exposes ``register(subparsers)`` and imports its heavy
dependencies (torch, tenseal, Qt) inside the command functions, so ``medfed-site --help``
and a DICOM import start fast. A command function takes the parsed arguments and returns
the exit code. Domain errors (:class:`siteapp.errors.UserFacingError`) are printed as one
line and exit with their code; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from coordinator.errors import CoordinatorError
from coordinator.task_definition import TaskFileError
from siteapp.errors import UserFacingError
from siteapp.settings import default_data_dir

COMMAND_MODULES: tuple[str, ...] = (
    "siteapp.dicom.commands",
    "siteapp.training.commands",
    "siteapp.training.model_commands",
    "siteapp.privacy.commands",
    "siteapp.federation.commands",
    "siteapp.statistics.commands",
    "siteapp.pacs.commands",
    "siteapp.ui.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medfed-site",
        description="MedFed site app: import DICOM studies, label, train with "
        "differential privacy and take part in a federation.",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the site's data folder (default: the platform's user data folder, "
        "or $MEDFED_DATA_DIR)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that subsystem is not installed in this build
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    try:
        return int(args.func(args) or 0)
    except (UserFacingError, CoordinatorError, TaskFileError) as exc:  # all say what to do next
        print(f"medfed-site: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("medfed-site: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``medfed-site studies | head``): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
