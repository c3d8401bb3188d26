"""Local-only training: several DP rounds on the site's own patients, no federation.

Training starts from :func:`siteapp.training.initial_model.initial_model`: the task's
pretrained public backbone (frozen if the preset says so) and a head drawn from the seed,
unless ``from_scratch`` or an explicit ``init_weights`` file is given.

This is both a tool for the site (a first model from its own data) and the "local only"
baseline a federation is compared with. Each round is recorded in the privacy ledger
before it trains, evaluated on the validation split, and checkpointed with its metrics.
The noise multiplier is calibrated once so that the whole plan keeps the site's TOTAL
epsilon (everything already spent included) within the target and the cap. Sampling,
image choice and noise come from the operating system's entropy, so two runs on the same
patients are independent, as the ledger composes them; ``insecure_fixed_dp_seed`` (tests
and the demo) replaces that and marks the rounds seeded in the ledger.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from siteapp.errors import UsageError
from siteapp.privacy.ledger import EntryStatus, PrivacyLedger
from siteapp.privacy.randomness import seed_for
from siteapp.statistics.windows import task_with_windows
from siteapp.tasks import TaskDefinition, resolve_task
from siteapp.training.checkpoints import save_checkpoint
from siteapp.training.config import (
    DEFAULT_GRAD_SAMPLE_MODE,
    DEFAULT_TASK,
    EVALUATION,
    FROM_SCRATCH_LEARNING_RATE,
    FROM_SCRATCH_OPTIMIZER,
    TRAINING,
)
from siteapp.training.datasets import site_dataset
from siteapp.training.device import describe_device, resolve_device
from siteapp.training.evaluation import validation_figures
from siteapp.training.initial_model import initial_model, uses_pretrained
from siteapp.training.local_cost import price_local_run
from siteapp.training.models import build_model, freeze_backbone
from siteapp.training.segmentation_loss import loss_for
from siteapp.training.trainer import (
    ProgressCallback,
    RoundPlan,
    TrainingCancelledError,
    train_round,
)
from siteapp.training.weights import full_state, load_state, load_weights

RoundCallback = Callable[[dict[str, object]], None]


@dataclass(frozen=True)
class LocalTrainingOptions:
    rounds: int
    epochs_per_round: float = TRAINING.epochs_per_round
    target_epsilon: float | None = None
    noise_multiplier: float | None = None  # given: no calibration
    task: str | TaskDefinition = DEFAULT_TASK  # a name: the site's task of that name
    model_name: str | None = None  # None: the task's default model
    device: str = "auto"
    expected_batch_patients: int = TRAINING.expected_batch_patients
    learning_rate: float | None = None  # None: the default of the optimiser used
    learning_rate_schedule: str = TRAINING.learning_rate_schedule
    max_grad_norm: float = TRAINING.max_grad_norm
    init_weights: Path | None = None  # a full model to start from instead of the preset's
    freeze_backbone: bool | None = None  # None: the preset's freeze_backbone
    from_scratch: bool = False  # ignore the preset's pretrained public backbone
    seed: int = TRAINING.init_seed  # the initial head's weights only (public)
    grad_sample_mode: str = DEFAULT_GRAD_SAMPLE_MODE
    # Tests and the demo only: seeds Poisson sampling, image choice and DP noise, and the
    # ledger marks the rounds seeded (nominal epsilon). None: the operating system's entropy.
    insecure_fixed_dp_seed: int | None = None


@dataclass
class LocalTrainingReport:
    run_id: str
    task: str
    model: str
    device: str
    patients_train: int
    patients_val: int
    noise_multiplier: float
    sample_rate: float
    steps_per_round: int
    delta: float
    pretrained: bool = False  # started from the task's pretrained public backbone
    trainable_parameters: int = 0  # what DP noises and what an update carries
    rounds: list[dict[str, object]] = field(default_factory=list)
    epsilon_spent: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def train_local(
    data_dir: Path,
    options: LocalTrainingOptions,
    *,
    progress: ProgressCallback | None = None,
    on_round: RoundCallback | None = None,
    cancel: threading.Event | None = None,
) -> LocalTrainingReport:
    """Run ``options.rounds`` local DP rounds; see the module docstring."""
    if options.rounds < 1:
        raise UsageError("--rounds must be at least 1")
    if options.epochs_per_round <= 0:
        raise UsageError("--epochs-per-round must be positive")
    data_dir = Path(data_dir)
    # Windowed once: the datasets and the checkpoints use the same windows.
    task = task_with_windows(resolve_task(options.task, data_dir), data_dir)
    model_name = options.model_name or task.default_model
    fixed = options.insecure_fixed_dp_seed
    train = site_dataset(
        data_dir, task, "train", seed=seed_for(fixed, "images")
    )
    val = site_dataset(data_dir, task, "val")
    ledger = PrivacyLedger(data_dir)
    price = price_local_run(ledger, options, len(train))
    sigma, sample_rate, steps = price.noise_multiplier, price.sample_rate, price.steps_per_round

    device = resolve_device(options.device)
    if options.init_weights is not None:
        model = build_model(model_name, task, init_seed=options.seed)
        load_state(model, load_weights(options.init_weights))
        if options.freeze_backbone:
            freeze_backbone(model)
    else:
        model = initial_model(
            task, model_name, options.seed,
            pretrained=not options.from_scratch, freeze=options.freeze_backbone,
        )
    # Every layer trains when no frozen pretrained backbone is used: that needs Adam.
    whole_model = all(p.requires_grad for p in model.parameters())
    optimizer = FROM_SCRATCH_OPTIMIZER if whole_model else TRAINING.optimizer
    default_lr = FROM_SCRATCH_LEARNING_RATE if whole_model else TRAINING.learning_rate
    learning_rate = default_lr if options.learning_rate is None else options.learning_rate
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    report = LocalTrainingReport(
        run_id,
        task.name,
        model_name,
        describe_device(device),
        len(train),
        len(val),
        sigma,
        sample_rate,
        steps,
        ledger.reporting_delta(len(train)),
        pretrained=options.init_weights is not None
        or (not options.from_scratch and uses_pretrained(task, model_name)),
        trainable_parameters=sum(p.numel() for p in model.parameters() if p.requires_grad),
    )
    for round_number in range(1, options.rounds + 1):
        entry = ledger.record_planned_round(
            round_number, sigma, sample_rate, steps, len(train), context=f"local:{run_id}",
            seeded=fixed is not None,
        )
        plan = RoundPlan(
            steps=steps,
            sample_rate=sample_rate,
            noise_multiplier=sigma,
            max_grad_norm=options.max_grad_norm,
            learning_rate=learning_rate,
            learning_rate_schedule=options.learning_rate_schedule,
            optimizer=optimizer,
            sampling_seed=seed_for(fixed, "sampling", round_number),
            noise_seed=seed_for(fixed, "noise", round_number),
            grad_sample_mode=options.grad_sample_mode,
            loss=loss_for(task.is_segmentation),
        )
        try:
            result = train_round(
                model, train, plan, device=device, progress=progress, cancel=cancel
            )
        except TrainingCancelledError:
            ledger.mark_finished(entry.id, EntryStatus.CANCELLED)
            raise
        load_state(model, result.local_weights)
        metrics = validation_figures(model.to(device), val, task, EVALUATION, device)
        checkpoint = save_checkpoint(
            data_dir,
            full_state(model),
            source="local",
            run_id=run_id,
            round=round_number,
            model_name=model_name,
            task=task,
            epsilon=entry.epsilon_after,
            metrics=metrics,
        )
        ledger.mark_finished(entry.id, EntryStatus.COMPLETED)
        summary: dict[str, object] = {
            "round": round_number,
            "mean_loss": result.mean_loss,
            "epsilon_after": entry.epsilon_after,
            "wall_time_s": result.wall_time_s,
            "checkpoint": str(checkpoint.path),
            "metrics": metrics,
        }
        report.rounds.append(summary)
        if on_round is not None:
            on_round(summary)
    report.epsilon_spent = ledger.epsilon_spent()
    return report
