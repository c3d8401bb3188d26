"""DP-SGD step cost on the networks hospitals use: ResNet-18 at 224 x 224 (last stage +
head trained, and the whole network) and the 3D ResNet-18 on a CT-sized volume.

For each configuration, in ONE process: the plain step and the DP step of MedFed's fused
mode, Opacus' hooks and Opacus' ghost clipping (``TrainingStep.run``: forward, backward,
per-sample gradients, clipping, noise, optimiser step), interleaved round-robin after a
warm-up so load drifts on a shared machine hit every variant alike; medians reported,
of wall-clock time and of the thread's CPU time (on a machine shared by more runnable
threads than cores a process gets a varying share of a core, which the wall-clock ratio
mixes in and the CPU-time ratio does not).
Peak memory is measured per variant in a fresh child process (its peak RSS over two steps,
the peak mark reset after the model is built, and that minus its RSS before the first). Run:

    .venv/bin/python benchmarks/network_dp_overhead.py            # the full sizes
    .venv/bin/python benchmarks/network_dp_overhead.py --quick    # tiny sizes, a smoke test
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
import warnings
from dataclasses import asdict, dataclass

import psutil
import torch
from dp_overhead import StepTimes  # type: ignore[import-not-found]  # benchmarks/ runs as scripts

from siteapp.training.models import MODEL_BUILDERS, freeze_stages
from siteapp.training.trainer import RoundPlan, TrainingStep

NON_DP = "non-DP"
DP_MODES = ("fused", "hooks", "ghost")


@dataclass(frozen=True)
class Config:
    """One measured configuration: a network, its input, what trains, the batch."""

    label: str
    network: str
    shape: tuple[int, ...]  # one image: channels, then spatial sizes
    batch: int
    trained: str  # "last stage + head" or "whole network"

    def frozen_stages(self, stages: int) -> int:
        return stages - 1 if self.trained == "last stage + head" else 0


def configs(quick: bool) -> list[Config]:
    side, volume, batch_3d = (64, (24, 24, 24), 2) if quick else (224, (64, 64, 64), 8)
    batch = 4 if quick else 16
    return [
        Config("resnet18 last stage", "resnet18", (1, side, side), batch, "last stage + head"),
        Config("resnet18 whole", "resnet18", (1, side, side), batch, "whole network"),
        Config("resnet18-3d whole", "resnet18-3d", (1, *volume), batch_3d, "whole network"),
    ]


def _step(config: Config, variant: str) -> tuple[TrainingStep, torch.Tensor, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = MODEL_BUILDERS[config.network](config.shape[0], 2)
        x = torch.rand((config.batch, *config.shape))
        y = torch.randint(0, 2, (config.batch,))
    freeze_stages(model, config.frozen_stages(len(model.stages)))
    dp = variant != NON_DP
    plan = RoundPlan(
        steps=1, sample_rate=0.1, noise_multiplier=1.0, dp=dp,
        grad_sample_mode=variant if dp else "fused", learning_rate=0.01,
    )
    return TrainingStep(model.train(), plan, config.batch * 10), x, y


def _peak_memory_child(config: Config, variant: str, threads: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    warnings.filterwarnings("ignore")
    torch.set_num_threads(threads)
    step, x, y = _step(config, variant)
    before = psutil.Process().memory_info().rss
    _reset_peak_rss()
    step.run(x, y)
    step.run(x, y)
    peak = _peak_rss()
    queue.put((peak - before, peak))


def _reset_peak_rss() -> None:
    """Linux: restart the process's peak-RSS mark (VmHWM) at its current RSS, so the
    peak seen afterwards is the steps', not the imports' or the model build's."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


def _peak_rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_memory_mib(config: Config, variant: str, threads: int) -> tuple[float, float]:
    """(step memory over the built model, process peak), MiB, from a fresh child."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_peak_memory_child, args=(config, variant, threads, queue))
    child.start()
    extra, peak = queue.get()
    child.join()
    return extra / 2**20, peak / 2**20


def measure(config: Config, repeats: int, warmup: int, threads: int) -> dict[str, object]:
    variants = (NON_DP, *DP_MODES)
    built = {variant: _step(config, variant) for variant in variants}
    trainable = sum(p.numel() for p in built[NON_DP][0].params)
    for _ in range(warmup):
        for step, x, y in built.values():
            step.run(x, y)
    times = {variant: StepTimes() for variant in variants}
    for _ in range(repeats):
        for variant, (step, x, y) in built.items():
            times[variant].time(step, x, y)
    del built
    wall = {v: statistics.median(t.wall) for v, t in times.items()}
    cpu = {v: statistics.median(t.cpu) for v, t in times.items()}
    memory = {v: peak_memory_mib(config, v, threads) for v in variants}
    return {
        "config": asdict(config),
        "trainable_parameters": trainable,
        "step_s": wall,
        "ratio": {v: wall[v] / wall[NON_DP] for v in DP_MODES},
        "step_cpu_s": cpu,
        "cpu_ratio": {v: cpu[v] / cpu[NON_DP] for v in DP_MODES},
        "images_per_s": {v: config.batch / wall[v] for v in variants},
        "step_memory_mib": {v: memory[v][0] for v in variants},
        "peak_rss_mib": {v: memory[v][1] for v in variants},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", help="measure only the configurations whose label has this")
    parser.add_argument("--json", type=str, help="also write the results to this file")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    results = []
    print(f"one thread each, torch {torch.__version__}, load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"{'configuration':<22} {'trained':>8} {'variant':<8} {'step s':>7} {'DP/plain':>8} "
          f"{'CPU s':>7} {'CPU DP/plain':>12} {'img/s':>6} {'step MiB':>8} {'peak MiB':>8}",
          flush=True)
    for config in configs(args.quick):
        if args.only and args.only not in config.label:
            continue
        result = measure(config, args.repeats, args.warmup, args.threads)
        results.append(result)
        for variant in (NON_DP, *DP_MODES):
            ratio = 1.0 if variant == NON_DP else result["ratio"][variant]  # type: ignore[index]
            cpu_ratio = 1.0 if variant == NON_DP else result["cpu_ratio"][variant]  # type: ignore[index]
            print(
                f"{config.label:<22} {result['trainable_parameters'] / 1e6:7.2f}M {variant:<8} "
                f"{result['step_s'][variant]:7.2f} {ratio:8.2f} "  # type: ignore[index]
                f"{result['step_cpu_s'][variant]:7.2f} {cpu_ratio:12.2f} "  # type: ignore[index]
                f"{result['images_per_s'][variant]:6.1f} "  # type: ignore[index]
                f"{result['step_memory_mib'][variant]:8.0f} {result['peak_rss_mib'][variant]:8.0f}",  # type: ignore[index]
                flush=True,
            )
    summary = {
        "threads": args.threads,
        "repeats": args.repeats,
        "load_average_1min_at_end": os.getloadavg()[0],
        "wall_s": time.perf_counter() - started,
        "results": results,
    }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
