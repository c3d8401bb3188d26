"""``medfed-site train --local`` and ``medfed-site infer``: training and inference
without a screen. Torch is imported inside the command functions only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from siteapp.settings import DEVICE_CHOICES
from siteapp.training.config import (
    DEFAULT_GRAD_SAMPLE_MODE,
    DEFAULT_TASK,
    LEARNING_RATE_SCHEDULES,
    PRETRAIN,
    TRAINING,
    TRAINING_GRAD_SAMPLE_MODES,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    train = subparsers.add_parser(
        "train",
        help="train with differential privacy on this site's labelled patients",
        description="Train a model on this site's train split with DP-SGD; the privacy cost "
        "of each round is recorded in the ledger before it runs.",
    )
    train.add_argument(
        "--local",
        action="store_true",
        required=True,
        help="train on this site only (no federation)",
    )
    train.add_argument("--rounds", type=int, required=True)
    train.add_argument("--epochs-per-round", type=float, default=TRAINING.epochs_per_round)
    noise = train.add_mutually_exclusive_group()
    noise.add_argument(
        "--target-epsilon",
        type=float,
        default=None,
        help="the site's total epsilon after the run (default: its cap); "
        "the noise multiplier is calibrated to fit",
    )
    noise.add_argument(
        "--noise-multiplier",
        type=float,
        default=None,
        help="use this noise multiplier instead of calibrating one",
    )
    train.add_argument("--task", default=DEFAULT_TASK)
    train.add_argument("--model", default=None, help="zoo model (default: the task's)")
    train.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    train.add_argument(
        "--batch-patients",
        type=int,
        default=TRAINING.expected_batch_patients,
        help="expected patients per Poisson batch",
    )
    train.add_argument(
        "--learning-rate",
        type=float,
        default=None,
        help=f"default: {TRAINING.learning_rate:g} ({TRAINING.optimizer}) for the head on the "
        "frozen public backbone, Adam at 5e-3 when every layer trains",
    )
    train.add_argument(
        "--learning-rate-schedule",
        choices=LEARNING_RATE_SCHEDULES,
        default=TRAINING.learning_rate_schedule,
        help="step size within a round: cosine anneals it to 0, constant keeps it",
    )
    train.add_argument(
        "--init-weights",
        type=Path,
        default=None,
        help="safetensors file to start from (transfer learning)",
    )
    train.add_argument(
        "--freeze-backbone",
        action="store_true",
        default=None,
        help="train only the classifier head (default: as the task preset says)",
    )
    train.add_argument(
        "--from-scratch",
        action="store_true",
        help="ignore the task's pretrained public backbone and train every layer from "
        "seeded random weights",
    )
    train.add_argument(
        "--seed",
        type=int,
        default=TRAINING.init_seed,
        help="seed of the initial head's weights (public); DP sampling, image choice and "
        "noise always come from the operating system's entropy",
    )
    train.add_argument(
        "--insecure-fixed-dp-seed",
        type=int,
        default=None,
        help="TESTS AND DEMOS ONLY: draw DP sampling, image choice and noise from this seed. "
        "Anyone who knows it can replay the sampling and remove the noise; the ledger marks "
        "these rounds seeded and their epsilon as nominal",
    )
    train.add_argument(
        "--grad-sample-mode", choices=TRAINING_GRAD_SAMPLE_MODES, default=DEFAULT_GRAD_SAMPLE_MODE
    )
    train.add_argument("--json", action="store_true", help="print one JSON document")
    train.set_defaults(func=run_train)

    pretrain = subparsers.add_parser(
        "pretrain-public",
        help="pretrain a task's default model on a PUBLIC phantom cohort (no DP, no site data)",
        description="Generate the public phantom cohort (a seed and scanner no site has), "
        "train the task's default model on it without DP and write safetensors with "
        "metadata; this is the backbone DP transfer learning starts from.",
    )
    pretrain.add_argument("--task", default=DEFAULT_TASK)
    pretrain.add_argument("--out", type=Path, required=True, help="safetensors file to write")
    pretrain.add_argument("--patients", type=int, default=PRETRAIN.patients)
    pretrain.add_argument("--epochs", type=float, default=PRETRAIN.epochs)
    pretrain.add_argument("--seed", type=int, default=PRETRAIN.seed)
    pretrain.add_argument("--json", action="store_true", help="print one JSON document")
    pretrain.set_defaults(func=run_pretrain)

    digest = subparsers.add_parser(
        "frozen-digest",
        help="print the digest of a task model's frozen weights, for a plan's "
        "frozen_weights_sha256",
        description="The SHA-256 of the initial model's frozen tensors (this app's pretrained "
        "backbone and feature statistics). Put it in a federation plan as "
        "frozen_weights_sha256 and a site running another app version refuses to join "
        "instead of training a head on different features.",
    )
    digest.add_argument("--task", default=DEFAULT_TASK)
    digest.add_argument("--model", default=None, help="default: the task's default model")
    digest.add_argument("--init-seed", type=int, default=TRAINING.init_seed)
    digest.add_argument("--generator-latent", type=int, default=None,
                        help="the plan's generator section's latent: update_length then adds "
                             "the generator's values (with --generator-width)")
    digest.add_argument("--generator-width", type=int, default=None)
    digest.add_argument("--json", action="store_true",
                        help="print the plan fields this app fixes: frozen_weights_sha256 and "
                             "update_length (the values in one update, needed by ckks and masking plans)")
    digest.set_defaults(func=run_frozen_digest)

    infer = subparsers.add_parser(
        "infer",
        help="run the site's newest model on DICOM files or study folders",
    )
    infer.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    infer.add_argument("--json", action="store_true", help="print one JSON document")
    infer.add_argument("--explain", metavar="CLASS",
                       help="the class the saliency overlays explain (default: each study's "
                       "predicted class)")
    infer.set_defaults(func=run_infer)


def run_train(args: argparse.Namespace) -> int:
    from siteapp.training.local import LocalTrainingOptions, train_local
    from siteapp.training.local_cost import local_training_cost

    options = LocalTrainingOptions(
        rounds=args.rounds,
        epochs_per_round=args.epochs_per_round,
        target_epsilon=args.target_epsilon,
        noise_multiplier=args.noise_multiplier,
        task=args.task,
        model_name=args.model,
        device=args.device,
        expected_batch_patients=args.batch_patients,
        learning_rate=args.learning_rate,
        learning_rate_schedule=args.learning_rate_schedule,
        init_weights=args.init_weights,
        freeze_backbone=args.freeze_backbone,
        from_scratch=args.from_scratch,
        seed=args.seed,
        grad_sample_mode=args.grad_sample_mode,
        insecure_fixed_dp_seed=args.insecure_fixed_dp_seed,
    )

    def announce(summary: dict[str, object]) -> None:
        metrics = summary["metrics"]
        assert isinstance(metrics, dict)
        auc = metrics.get("auc")
        auc_text = "n/a" if auc is None else f"{auc:.3f}"
        print(
            f"round {summary['round']}: loss {summary['mean_loss']:.4f}, validation AUC "
            f"{auc_text}, epsilon so far {summary['epsilon_after']:.2f}",
            flush=True,
        )

    if not args.json:
        cost = local_training_cost(args.data_dir, options)
        print(f"this run spends privacy budget: {cost.sentence()}", flush=True)
    report = train_local(args.data_dir, options, on_round=None if args.json else announce)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2)
        print()
    else:
        print(
            f"trained {len(report.rounds)} round(s) of {report.model} on {report.device}; "
            f"epsilon spent {report.epsilon_spent:.2f} (delta {report.delta:.2g})"
        )
    return 0


def run_pretrain(args: argparse.Namespace) -> int:
    import dataclasses

    from siteapp.errors import UsageError
    from siteapp.tasks import demo_task
    from siteapp.training.pretrain import pretrain_public

    if args.patients < 8 or args.epochs <= 0:
        raise UsageError("--patients must be at least 8 and --epochs positive")
    settings = dataclasses.replace(
        PRETRAIN, patients=args.patients, epochs=args.epochs, seed=args.seed
    )
    # Public pretraining runs at the task's demo working resolution (a laptop CPU); the
    # weights file records that grid.
    report = pretrain_public(
        demo_task(args.task), args.out, settings, log=None if args.json else print
    )
    if args.json:
        summary = {**dataclasses.asdict(report), "path": str(report.path)}
        json.dump(summary, sys.stdout, indent=2)
        print()
    else:
        print(f"wrote {report.path} ({report.size_bytes} bytes), public validation AUC "
              f"{report.val_auc:.3f}")
    return 0


def run_infer(args: argparse.Namespace) -> int:
    from siteapp.training.inference import InferenceReport, predict_or_segment

    report = predict_or_segment(args.data_dir, args.paths, saliency_class=args.explain)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2)
        print()
        return 0
    if not isinstance(report, InferenceReport):
        for series in report.series:
            regions = ", ".join(f"{name} {n} px" for name, n in series.region_pixels.items())
            print(f"{series.series_uid}: {regions} ({series.images} image(s), model round "
                  f"{series.model_round}) -> DICOM SEG {', '.join(series.seg_paths)}; "
                  f"overlay {series.overlay_png}")
        for skipped in report.skipped:
            print(f"skipped {skipped['path']}: {skipped['reason']}")
        return 0
    for study in report.studies:
        every = ", ".join(f"{name} {p:.3f}" for name, p in study.probabilities.items())
        print(
            f"{study.study_uid}: {study.predicted_class} ({every}; {study.images} image(s), "
            f"model round {study.model_round}) -> {study.saliency_png} "
            f"(explains {study.saliency_class})"
        )
    for skipped in report.skipped:
        print(f"skipped {skipped['path']}: {skipped['reason']}")
    return 0


def run_frozen_digest(args: argparse.Namespace) -> int:
    from siteapp.tasks import load_task
    from siteapp.training.initial_model import initial_model
    from siteapp.training.weights import frozen_state_digest, update_length

    task = load_task(args.task)
    model = initial_model(task, args.model, args.init_seed)
    length = update_length(model)
    if args.generator_latent is not None or args.generator_width is not None:
        from coordinator.protocol import GeneratorTraining
        from siteapp.synthesis.synthetic_data import generator_update_length

        settings = GeneratorTraining.model_validate({
            "rounds": 1, "latent": args.generator_latent or 16, "width": args.generator_width or 16,
        })
        length += generator_update_length(task, settings)
    if args.json:
        print(json.dumps({"frozen_weights_sha256": frozen_state_digest(model),
                          "update_length": length}))
    else:
        print(frozen_state_digest(model))
    return 0
