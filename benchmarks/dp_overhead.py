"""How much slower is a DP-SGD step than a plain SGD step?

Same model, same batch of images, same run: times ``TrainingStep.run`` (forward, backward,
optimiser step; with DP also per-sample gradients, clipping and noise) with DP off and with
DP on in each grad-sample mode, round-robin so load drifts hit every variant alike, after a
warm-up. Reports the median wall-clock step time and the median CPU time of this thread
(steadier on a shared machine), for several batch sizes. ``dp_over_nondp_step_time`` is the
wall-clock ratio of the mode MedFed uses at the batch the trainer really draws (the expected
Poisson batch of patients), with every layer of the model trained. The same ratio for the
default training configuration (the preset's frozen public backbone, only the head
trained) is reported beside it as ``default_training``. Run:

    .venv/bin/python benchmarks/dp_overhead.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field

import torch

from siteapp.tasks import demo_task
from siteapp.training.config import DEFAULT_GRAD_SAMPLE_MODE, GRAD_SAMPLE_MODES, TRAINING
from siteapp.training.initial_model import initial_model
from siteapp.training.models import build_model
from siteapp.training.trainer import RoundPlan, TrainingStep

NON_DP = "non-DP"
DEFAULT_BATCHES = (16, 32, 64)
# Opacus' plain per-sample-gradient mode, shown next to MedFed's choice for comparison.
REFERENCE_MODE = "hooks"


@dataclass
class StepTimes:
    """Wall-clock and thread CPU seconds of every timed step of one variant."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def time(self, step: TrainingStep, x: torch.Tensor, y: torch.Tensor) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        step.run(x, y)
        self.cpu.append(time.thread_time() - cpu)
        self.wall.append(time.perf_counter() - wall)


def measure_batch(
    model_name: str,
    task_name: str,
    batch: int,
    modes: list[str],
    args: argparse.Namespace,
    frozen_backbone: bool = False,
) -> dict[str, StepTimes]:
    """Median-ready step times of the non-DP step and every DP mode on one batch; with
    ``frozen_backbone`` the model is the preset's initial model (public backbone frozen)."""
    task = demo_task(task_name)
    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((batch, task.channels, task.matrix, task.matrix), generator=gen).to(device)
    y = torch.randint(0, task.num_classes, (batch,), generator=gen).to(device)
    records = batch * 10

    def step_for(dp: bool, mode: str) -> TrainingStep:
        if frozen_backbone:
            model = initial_model(task, model_name).to(device)
        else:
            model = build_model(model_name, task).to(device)
        plan = RoundPlan(
            steps=1, sample_rate=0.1, noise_multiplier=1.0, dp=dp, grad_sample_mode=mode
        )
        return TrainingStep(model, plan, records)

    steps = {NON_DP: step_for(False, DEFAULT_GRAD_SAMPLE_MODE)}
    steps.update({mode: step_for(True, mode) for mode in modes})
    for _ in range(args.warmup):
        for step in steps.values():
            step.run(x, y)
    times = {name: StepTimes() for name in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            times[name].time(step, x, y)
    return times


def summarise(times: dict[str, StepTimes]) -> dict[str, dict[str, float]]:
    wall = {name: statistics.median(t.wall) for name, t in times.items()}
    cpu = {name: statistics.median(t.cpu) for name, t in times.items()}
    return {
        "step_ms": {name: v * 1e3 for name, v in wall.items()},
        "cpu_step_ms": {name: v * 1e3 for name, v in cpu.items()},
        "ratio": {name: v / wall[NON_DP] for name, v in wall.items() if name != NON_DP},
        "cpu_ratio": {name: v / cpu[NON_DP] for name, v in cpu.items() if name != NON_DP},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="zoo model; default: the task's default model")
    parser.add_argument("--task", default="lung-ct-nodule")
    parser.add_argument(
        "--batches",
        default=",".join(str(b) for b in DEFAULT_BATCHES),
        help="comma-separated batch sizes; the trainer's expected batch is always added",
    )
    parser.add_argument("--all-modes", action="store_true", help="also time functorch and ew")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    model_name = args.model or demo_task(args.task).default_model
    trainer_batch = TRAINING.expected_batch_patients
    batches = sorted({int(b) for b in args.batches.split(",") if b} | {trainer_batch})
    modes = list(GRAD_SAMPLE_MODES) if args.all_modes else [DEFAULT_GRAD_SAMPLE_MODE]
    if REFERENCE_MODE not in modes:
        modes.append(REFERENCE_MODE)
    by_batch = {b: summarise(measure_batch(model_name, args.task, b, modes, args)) for b in batches}
    headline = by_batch[trainer_batch]
    default_training = summarise(
        measure_batch(model_name, args.task, trainer_batch, [DEFAULT_GRAD_SAMPLE_MODE], args,
                      frozen_backbone=True)
    )
    result = {
        "model": model_name,
        "task": args.task,
        "matrix": demo_task(args.task).matrix,
        "device": args.device,
        "threads": args.threads,
        # Wall-clock ratios drift on a loaded machine; the CPU-time ratios much less.
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "repeats": args.repeats,
        "grad_sample_mode": DEFAULT_GRAD_SAMPLE_MODE,
        "trainer_batch": trainer_batch,
        "dp_over_nondp_step_time": headline["ratio"][DEFAULT_GRAD_SAMPLE_MODE],
        "dp_over_nondp_cpu_time": headline["cpu_ratio"][DEFAULT_GRAD_SAMPLE_MODE],
        "by_batch": {str(b): v for b, v in by_batch.items()},
        # Only the head trains by default (frozen public backbone): context, not the target.
        "default_training": {
            "frozen_backbone": True,
            "dp_over_nondp_step_time": default_training["ratio"][DEFAULT_GRAD_SAMPLE_MODE],
            "step_ms": default_training["step_ms"],
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{model_name} on {args.task}, {args.device}, {args.threads} thread(s)")
    print(f"{'batch':>5} {'mode':<10} {'step ms':>9} {'ratio':>7} {'cpu ms':>9} {'cpu ratio':>9}")
    for b, summary in by_batch.items():
        print(
            f"{b:>5} {NON_DP:<10} {summary['step_ms'][NON_DP]:9.2f} {1.0:7.2f} "
            f"{summary['cpu_step_ms'][NON_DP]:9.2f} {1.0:9.2f}"
        )
        for mode in modes:
            print(
                f"{b:>5} {mode:<10} {summary['step_ms'][mode]:9.2f} {summary['ratio'][mode]:7.2f} "
                f"{summary['cpu_step_ms'][mode]:9.2f} {summary['cpu_ratio'][mode]:9.2f}"
            )
    print(
        f"dp_over_nondp_step_time ({DEFAULT_GRAD_SAMPLE_MODE}, batch {trainer_batch}): "
        f"{result['dp_over_nondp_step_time']:.2f}; default training (frozen public "
        f"backbone, head only): {result['default_training']['dp_over_nondp_step_time']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
