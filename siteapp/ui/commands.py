"""``medfed-site gui``: open the desktop app (Qt is imported only when it runs)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui",
        help="open the site app window",
        description="Open the MedFed site app on the data folder (--data-dir before the "
        "command). With --demo, first create a demo site of phantom studies if the "
        "folder has none.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="fill an empty data folder with generated phantom studies first",
    )
    parser.set_defaults(func=_gui)


def _gui(args: argparse.Namespace) -> int:
    import os

    from siteapp.settings import default_data_dir
    from siteapp.ui.app import run_gui

    data_dir = args.data_dir
    # The CLI fills in the platform default when --data-dir is absent; the window then
    # prefers the folder chosen earlier in Settings.
    if data_dir == default_data_dir() and not os.environ.get("MEDFED_DATA_DIR") and not args.demo:
        data_dir = None
    if args.demo:
        from siteapp.ui.demo_data import ensure_demo_site

        ensure_demo_site(data_dir)
    return run_gui(data_dir)
