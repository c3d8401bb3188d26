"""Is the phantom task learnable, and does more data (more sites) help?

Generates the default phantom (3 sites x 120 patients), preprocesses every slice with
the production pipeline, trains the same tiny CNN (no DP, a few epochs) once on site 1
alone and once on all sites, and prints the patient-level validation AUC of both on
the pooled validation patients of all sites. Run: ``python benchmarks/phantom_learnability.py``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from siteapp.dicom.phantom import generate_phantom_sites
from siteapp.dicom.pixels import preprocess
from siteapp.tasks import load_task

VAL_FRACTION = 0.3


def _load_site(site: Path, task_name: str) -> list[tuple[str, int, np.ndarray]]:
    task = load_task(task_name)
    out = []
    with (site / "labels.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            images = np.stack([preprocess(p, task) for p in sorted((site / row["PatientID"]).glob("*.dcm"))])
            out.append((row["PatientID"], int(row["label"] == task.positive_class), images))
    return out


def _is_val(patient_id: str) -> bool:
    digest = hashlib.sha256(patient_id.encode()).digest()
    return digest[0] / 256 < VAL_FRACTION


def _model() -> nn.Module:
    # GroupNorm rather than BatchNorm: the same layers work under DP-SGD (Opacus)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.GroupNorm(4, 16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.GroupNorm(4, 32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.GroupNorm(4, 32), nn.ReLU(),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(32, 1),
    )


def _train(patients: list[tuple[str, int, np.ndarray]], epochs: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    x = torch.from_numpy(np.concatenate([p[2] for p in patients]))[:, None]
    y = torch.cat([torch.full((len(p[2]),), float(p[1])) for p in patients])
    model = _model()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), 32):
            idx = order[start : start + 32]
            opt.zero_grad()
            loss_fn(model(x[idx]).squeeze(1), y[idx]).backward()
            opt.step()
    return model


def _auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels == 1], scores[labels == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def _evaluate(model: nn.Module, patients: list[tuple[str, int, np.ndarray]]) -> float:
    with torch.no_grad():
        scores = np.array([float(model(torch.from_numpy(p[2])[:, None]).mean()) for p in patients])
    return _auc(scores, np.array([p[1] for p in patients]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--task", default="lung-ct-nodule")
    parser.add_argument("--patients", type=int, default=120)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        sites = generate_phantom_sites(Path(tmp), 3, args.patients, 0, args.task)
        generate_s = time.perf_counter() - t0
        data = [_load_site(site, args.task) for site in sites]
    train = [[p for p in site if not _is_val(p[0])] for site in data]
    val = [p for site in data for p in site if _is_val(p[0])]
    results: dict[str, list[float]] = {"site_1_only": [], "all_sites": []}
    for seed in range(args.seeds):
        results["site_1_only"].append(_evaluate(_train(train[0], args.epochs, seed), val))
        results["all_sites"].append(
            _evaluate(_train([p for s in train for p in s], args.epochs, seed), val)
        )
    summary = {
        "task": args.task,
        "generate_s": round(generate_s, 2),
        "train_patients": {"site_1_only": len(train[0]), "all_sites": sum(map(len, train))},
        "val_patients": len(val),
        "val_auc_site_1_only": round(float(np.mean(results["site_1_only"])), 3),
        "val_auc_all_sites": round(float(np.mean(results["all_sites"])), 3),
        "per_seed": results,
    }
    print(f"{'training data':<16}{'train patients':>16}{'val AUC':>10}")
    print(f"{'site 1 only':<16}{len(train[0]):>16}{summary['val_auc_site_1_only']:>10}")
    print(f"{'all 3 sites':<16}{sum(map(len, train)):>16}{summary['val_auc_all_sites']:>10}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
