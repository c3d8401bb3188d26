"""How much slower is a DP-SGD step than a plain SGD step?

Same model, same batch of images, same run: times ``TrainingStep.run`` with DP off and
with DP on in each Opacus grad-sample mode, and prints the ratio for the mode MedFed
uses (``dp_over_nondp_step_time``) plus every mode's ratio. Run:

    .venv/bin/python benchmarks/dp_overhead.py --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings

import torch

from siteapp.tasks import load_task
from siteapp.training.config import DEFAULT_GRAD_SAMPLE_MODE, GRAD_SAMPLE_MODES
from siteapp.training.models import build_model
from siteapp.training.trainer import RoundPlan, TrainingStep


def time_steps(
    step: TrainingStep, x: torch.Tensor, y: torch.Tensor, warmup: int, repeats: int
) -> float:
    """Median seconds of one step."""
    for _ in range(warmup):
        step.run(x, y)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step.run(x, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="compact_cnn")
    parser.add_argument("--task", default="lung-ct-nodule")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    task = load_task(args.task)
    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((args.batch, task.channels, task.matrix, task.matrix), generator=gen).to(device)
    y = torch.randint(0, task.num_classes, (args.batch,), generator=gen).to(device)
    records = args.batch * 10

    def step_for(dp: bool, mode: str) -> TrainingStep:
        model = build_model(args.model, task).to(device)
        plan = RoundPlan(
            steps=1, sample_rate=0.1, noise_multiplier=1.0, dp=dp, grad_sample_mode=mode
        )
        return TrainingStep(model, plan, records)

    # Interleave plain and DP timings so machine load drifts affect both alike.
    nondp_times = []
    mode_times: dict[str, float] = {}
    for mode in GRAD_SAMPLE_MODES:
        nondp_times.append(time_steps(step_for(False, mode), x, y, args.warmup, args.repeats))
        mode_times[mode] = time_steps(step_for(True, mode), x, y, args.warmup, args.repeats)
    nondp = statistics.median(nondp_times)
    ratios = {mode: t / nondp for mode, t in mode_times.items()}
    result = {
        "model": args.model,
        "batch": args.batch,
        "matrix": task.matrix,
        "device": str(device),
        "threads": args.threads,
        "nondp_step_ms": nondp * 1e3,
        "dp_step_ms": {m: t * 1e3 for m, t in mode_times.items()},
        "ratio_by_mode": ratios,
        "grad_sample_mode": DEFAULT_GRAD_SAMPLE_MODE,
        "dp_over_nondp_step_time": ratios[DEFAULT_GRAD_SAMPLE_MODE],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{'mode':<10} {'step ms':>9} {'ratio':>7}")
        print(f"{'non-DP':<10} {nondp * 1e3:9.2f} {1.0:7.2f}")
        for mode in GRAD_SAMPLE_MODES:
            print(f"{mode:<10} {mode_times[mode] * 1e3:9.2f} {ratios[mode]:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
