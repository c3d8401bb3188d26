"""``make demo`` / ``python -m siteapp.demo``: three phantom hospitals federate privately.

Generates phantom CT studies for three sites (different scanners, class balance and
size), imports and labels them into one data folder per site, provisions a CKKS
federation, starts the coordinator (HTTPS, mutual TLS, loopback) and three headless
sites as separate processes, and runs the rounds with patient-level DP. Then trains the
baselines (each site alone with DP; all data pooled without DP), prints a table per
round and a comparison, writes a PNG plot and ``results.json``, and prints the results
as JSON on the last line. Child logs go to ``OUT/logs``; no process outlives the demo.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from coordinator.protocol import MIN_SECURE_SITES, SecureMode, Strategy, hidden_updates_conflict
from coordinator.task_definition import PercentileScope
from siteapp.demo.settings import (
    BASELINES_DIRNAME,
    DEFAULT_DEMO_DIR,
    DEMO_TASKS,
    FEDERATION_DIRNAME,
    LOGS_DIRNAME,
    PHANTOM_OF_TASK,
    PLOT_FILENAME,
    RESULTS_FILENAME,
    SEGMENTATION_DEFAULTS,
    DemoSettings,
)
from siteapp.errors import UsageError, UserFacingError
from siteapp.training.config import LEARNING_RATE_SCHEDULES

DEFAULTS = DemoSettings()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m siteapp.demo",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", "--dir", dest="out", type=Path, default=DEFAULT_DEMO_DIR,
                        help="run folder (default: ./demo-run or $MEDFED_DEMO_DIR); reused")
    parser.add_argument("--strategy", choices=[s.value for s in Strategy],
                        default=DEFAULTS.strategy.value)
    parser.add_argument("--mode", choices=[m.value for m in SecureMode],
                        default=DEFAULTS.mode.value,
                        help="ckks (default), masking (also fedmedian and winsorised_mean, by secure "
                        "bisection), or none (TLS only)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--epochs-per-round", type=int, default=None)
    parser.add_argument("--patients", type=int, default=None,
                        help="patients of a full-size site (the third site has half)")
    parser.add_argument("--sites", type=int, default=DEFAULTS.sites)
    parser.add_argument("--slices", type=int, default=None,
                        help=f"CT slices per patient (default {DEFAULTS.slices}; a 3D task's "
                        "phantom default, 16)")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
    parser.add_argument("--skew", type=float, default=DEFAULTS.skew,
                        help="label skew between sites, 0 (scanners' own) to 1 (strong)")
    parser.add_argument("--epsilon-cap", type=float, default=DEFAULTS.epsilon_cap)
    parser.add_argument("--model", default=None,
                        help="zoo model the sites train (default: the task's own)")
    parser.add_argument("--pretrained-weights", type=Path,
                        help="the operator's weights file for --model (docs/networks.md)")
    parser.add_argument("--frozen-stages", type=int, default=0,
                        help="with --pretrained-weights: stages kept frozen, stem first")
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default=None,
                        help="the sites' local optimiser (baselines use the same)")
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--learning-rate-schedule", choices=list(LEARNING_RATE_SCHEDULES),
                        default=None,
                        help="step size within a round: constant, or cosine (anneals to 0)")
    parser.add_argument("--task", choices=list(DEMO_TASKS), default=DEFAULTS.task,
                        help="the built-in task the phantom hospitals learn, at its demo "
                        "working resolution unless --full-resolution")
    parser.add_argument("--full-resolution", action="store_true",
                        help="train at the grid the task file asks for (its input), on "
                        "phantom detectors fine enough for it; slow on a CPU")
    parser.add_argument("--batch-patients", type=int, default=None,
                        help="expected patients per DP-SGD (Poisson) batch")
    parser.add_argument("--windowing-scope", choices=[s.value for s in PercentileScope], default=None,
                        help="window with the task's percentiles (1-99 if it has none) of each image, "
                        "of the site's or of the federation's images of the same scanner model "
                        "(default: the task file's windowing)")
    return parser


def _with_task_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """Flags left out take the demo's defaults, a segmentation task's where it has them."""
    chosen = dict(vars(args))
    task_defaults = SEGMENTATION_DEFAULTS if args.task in PHANTOM_OF_TASK else {}
    for name, value in chosen.items():
        if value is not None or not hasattr(DEFAULTS, name):
            continue
        if name in task_defaults:
            chosen[name] = task_defaults[name]
        elif name not in ("model", "slices"):  # the task's own model and phantom slices
            chosen[name] = getattr(DEFAULTS, name)
    chosen["update_clip_norm"] = task_defaults.get("update_clip_norm", DEFAULTS.update_clip_norm)
    return argparse.Namespace(**chosen)


def settings_from_args(args: argparse.Namespace) -> DemoSettings:
    args = _with_task_defaults(args)
    if args.rounds < 1 or args.epochs_per_round < 1:
        raise UsageError("--rounds and --epochs-per-round must be at least 1")
    if args.sites < 2:
        raise UsageError("a federation needs at least 2 sites")
    if args.patients < 8:
        raise UsageError("--patients must be at least 8 (each site needs train and "
                         "validation patients of both classes)")
    if not 0.0 <= args.skew <= 1.0:
        raise UsageError("--skew must be between 0 and 1")
    from coordinator.task_definition import InputKind
    from siteapp.dicom.phantom import DEFAULT_SLICES
    from siteapp.tasks import load_task

    task = load_task(args.task)
    model = args.model or task.default_model
    volume = task.input.kind is InputKind.VOLUME_3D
    slices = args.slices or (DEFAULT_SLICES[args.task] if volume else DEFAULTS.slices)
    if args.full_resolution and args.pretrained_weights is None and model == task.default_model and (
        task.pretrained_weights is not None
    ):
        raise UsageError(
            f"the shipped public backbone of {args.task} was pretrained at the demo grid; at "
            "full resolution name a model to train from scratch (--model lesion_cnn "
            "--optimizer adam --learning-rate 0.005) or an operator's --pretrained-weights"
        )
    if args.skew and args.task != DEFAULTS.task:
        raise UsageError(f"--skew moves the {DEFAULTS.task} phantom's class balance only")
    strategy, mode = Strategy(args.strategy), SecureMode(args.mode)
    conflict = hidden_updates_conflict(strategy, mode)
    if conflict is not None:
        raise UsageError(conflict)
    if mode is not SecureMode.NONE and args.sites < MIN_SECURE_SITES:
        raise UsageError(f"--mode {mode} needs at least {MIN_SECURE_SITES} sites (with two, "
                         "each site could compute the other's update); add sites or --mode none")
    return DEFAULTS.with_changes(
        strategy=strategy, mode=mode, rounds=args.rounds,
        epochs_per_round=args.epochs_per_round, patients=args.patients, sites=args.sites,
        slices=slices, seed=args.seed, skew=args.skew, epsilon_cap=args.epsilon_cap,
        model=model, optimizer=args.optimizer, learning_rate=args.learning_rate,
        learning_rate_schedule=args.learning_rate_schedule, batch_patients=args.batch_patients,
        pretrained_weights=args.pretrained_weights, frozen_stages=args.frozen_stages,
        task=args.task, windowing_scope=args.windowing_scope,
        full_resolution=args.full_resolution, update_clip_norm=args.update_clip_norm,
    )


def clean_run_folder(out: Path, settings: DemoSettings) -> None:
    """Remove the previous run's site folders, federation, baselines and logs (the
    phantom DICOM files stay: they are reused when the configuration matches)."""
    for name in [*settings.site_names(), FEDERATION_DIRNAME, BASELINES_DIRNAME, LOGS_DIRNAME,
                 RESULTS_FILENAME, PLOT_FILENAME]:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _keep_windows(data_dir: Path, local_dir: Path) -> None:
    """The local-only baseline windows images as its site does: a task windowed with the
    federation's percentiles needs the statistics the site received (copied, not sent)."""
    from siteapp.statistics.windows import STATISTICS_DIRNAME

    if (data_dir / STATISTICS_DIRNAME).is_dir():
        shutil.copytree(data_dir / STATISTICS_DIRNAME, local_dir / STATISTICS_DIRNAME, dirs_exist_ok=True)


def run_demo(settings: DemoSettings, out: Path) -> str:
    """The whole demo; returns the JSON line (also written to ``out/results.json``)."""
    import torch

    from siteapp.demo.baselines import centralized, local_only
    from siteapp.demo.federation import run_federation
    from siteapp.demo.live import LiveConsole
    from siteapp.demo.processes import ChildProcesses, sigterm_as_interrupt
    from siteapp.demo.results import (
        DemoResult,
        comparison_table,
        per_class_table,
        round_table,
        write_json,
        write_plot,
    )
    from siteapp.demo.sites import prepare_sites
    from siteapp.privacy.ledger import PrivacyLedger

    started = time.perf_counter()
    torch.set_num_threads(settings.torch_threads)
    console = LiveConsole()
    out.mkdir(parents=True, exist_ok=True)
    clean_run_folder(out, settings)
    with sigterm_as_interrupt(), ChildProcesses(out / LOGS_DIRNAME) as children:
        dirs = prepare_sites(out, settings.sites, settings.patients, settings.seed,
                             settings.task, slices=settings.slices, skew=settings.skew,
                             say=console.line, detector_scale=settings.detector_scale())
        data_dirs = dict(zip(settings.site_names(), dirs, strict=True))
        for data_dir in dirs:
            PrivacyLedger(data_dir).set_cap(settings.epsilon_cap, settings.delta)
        local_dirs = {site: out / BASELINES_DIRNAME / f"local-{site}" for site in data_dirs}
        for site, data_dir in data_dirs.items():
            shutil.copytree(data_dir, local_dirs[site])  # before it joins: an unspent ledger
        federation = run_federation(settings, out, data_dirs, children, console)
        for site, data_dir in data_dirs.items():
            _keep_windows(data_dir, local_dirs[site])
    console.line(f"federation finished in {federation.seconds:.0f} s; training the baselines")
    local = local_only(settings, local_dirs, federation.final_epsilon(), say=console.line)
    central = centralized(settings, data_dirs, say=console.line)
    central_dp = centralized(settings, data_dirs, say=console.line, epsilon=settings.epsilon_cap)
    result = DemoResult(settings, federation, local, central, time.perf_counter() - started,
                        central_dp)
    plot = write_plot(result, out / PLOT_FILENAME)
    print(f"\nTask: {federation.plan.task.describe()}")
    label = settings.score_label
    print(f"\nFederated model, {label} on each site's held-out patients and epsilon spent, by round:")
    print(round_table(result))
    print(f"\nAfter round {settings.rounds}:")
    print(comparison_table(result))
    print("\nPer region (Dice, mean over the sites' held-out patients):" if settings.segmentation
          else "\nPer class (one-vs-rest AUC, mean over the sites' held-out patients):")
    print(per_class_table(result))
    print(f"\nThe epsilons are nominal: for repeatable numbers the demo seeds DP sampling, "
          f"image choice and noise (--seed {settings.seed}, passed to each site as "
          "--insecure-fixed-dp-seed) and the ledgers mark those rounds seeded; a real site "
          "draws them from the operating system.")
    print(f"\nplot: {plot}   results: {out / RESULTS_FILENAME}   logs: {out / LOGS_DIRNAME}")
    print(f"site-1's data folder, enrolled in this federation: {data_dirs['site-1']}")
    return write_json(result, out / RESULTS_FILENAME)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        line = run_demo(settings_from_args(args), args.out)
    except UserFacingError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\ndemo: interrupted; every child process was stopped", file=sys.stderr)
        return 130
    print(line, flush=True)
    return 0
