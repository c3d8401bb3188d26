"""An operator's pretrained weights file, made here: a zoo network trained WITHOUT DP on
the PUBLIC phantom cohort (the one ``make pretrained`` uses, no site's patients), saved
as a PyTorch checkpoint under torchvision's key names with a 1000-class ``fc``, exactly
as an ImageNet checkpoint would come. Nothing downloads at run time, so this stands in
for ImageNet weights in the documented pretrained federation (docs/phantom-benchmark.md).

    .venv/bin/python benchmarks/public_network_weights.py --model resnet18 --out resnet18-public.pth
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from siteapp.tasks import demo_task
from siteapp.training.config import PRETRAIN
from siteapp.training.datasets import PatientDataset
from siteapp.training.evaluation import evaluate_patients
from siteapp.training.models import build_model
from siteapp.training.pretrain import public_cohort
from siteapp.training.trainer import RoundPlan, plan_round, train_round
from siteapp.training.weights import load_state

IMAGENET_CLASSES = 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--task", default="lung-ct-nodule")
    parser.add_argument("--epochs", type=float, default=10.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    started = time.perf_counter()
    task = demo_task(args.task)  # the public cohort at the demo working resolution
    train, val = public_cohort(task)
    model = build_model(args.model, task, init_seed=PRETRAIN.seed)
    data = PatientDataset.from_arrays(train, seed=PRETRAIN.seed)
    rate, steps = plan_round(len(data), args.epochs, PRETRAIN.expected_batch_patients)
    plan = RoundPlan(steps=steps, sample_rate=rate, noise_multiplier=0.0, dp=False,
                     optimizer="adam", learning_rate=1e-3, sampling_seed=PRETRAIN.seed)
    load_state(model, train_round(model, data, plan, device="cpu").local_weights)
    auc = evaluate_patients(model, PatientDataset.from_arrays(val), task).auc
    state = {k.removeprefix("backbone."): v for k, v in model.state_dict().items()
             if k.startswith("backbone.")}
    features = model.head[0].in_features
    state["fc.weight"] = torch.zeros(IMAGENET_CLASSES, features)
    state["fc.bias"] = torch.zeros(IMAGENET_CLASSES)
    torch.save(state, args.out)
    print(f"{args.model}: {len(train)} public training patients, {steps} steps, public "
          f"validation AUC {auc:.3f}; wrote {args.out} ({args.out.stat().st_size / 2**20:.1f} MiB) "
          f"in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
