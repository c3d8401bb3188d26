"""One local round of DP-SGD from given global weights.

:func:`train_round` is the single entry point the CLI, the federation and the GUI use.
It trains a private copy of the model (the caller's model is never modified, so a
cancelled or failed round leaves nothing half-written) and returns the update
``local - global`` over trainable parameters only.

Privacy: Poisson sampling over patients (:class:`PoissonPatientSampler`), one image per
drawn patient, per-patient gradient clipping to ``max_grad_norm`` and Gaussian noise of
std ``noise_multiplier * max_grad_norm`` (Opacus' ``DPOptimizer``). The caller records
``(noise_multiplier, sample_rate, steps)`` in the privacy ledger BEFORE calling this.

FedProx: the proximal term ``mu/2 ||w - w_global||^2`` does not depend on any patient,
so its gradient ``mu (w - w_global)`` is added to the privatised gradient (after clipping
and noise, before the optimiser step, through Opacus' step hook): it costs no privacy
and is not distorted by clipping.
"""

from __future__ import annotations

import copy
import math
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from siteapp.errors import UserFacingError
from siteapp.privacy.randomness import secret_seed
from siteapp.training.config import (
    DEFAULT_GRAD_SAMPLE_MODE,
    GRAD_SAMPLE_MODES,
    LEARNING_RATE_SCHEDULES,
    TrainingDefaults,
)
from siteapp.training.datasets import PatientDataset, PoissonPatientSampler
from siteapp.training.device import describe_device, resolve_device
from siteapp.training.heap import retain_freed_memory
from siteapp.training.segmentation_loss import CROSS_ENTROPY, criterion
from siteapp.training.weights import WeightDict, subtract, trainable_state

ProgressCallback = Callable[[int, int, float], None]
# What a step minimises, given the (possibly wrapped) model, the images and the labels:
# the batch mean of a per-record loss (Opacus' loss_reduction="mean"). None: cross-entropy
# of ``model(x)`` against ``y``, the classifier's. A generator supplies its own.
Objective = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]

# Opacus' backward hooks fire on the first layer, whose input (the image) needs no
# gradient; torch warns about it on every step although nothing is wrong.
warnings.filterwarnings("ignore", message="Full backward hook is firing", category=UserWarning)


class TrainingCancelledError(UserFacingError):
    """The person cancelled the round; no update or checkpoint was kept."""

    exit_code = 130


class NothingToTrainError(UserFacingError):
    """Every parameter is frozen, so a round would change nothing."""


@dataclass(frozen=True)
class RoundPlan:
    """What one local round does. ``steps`` and ``sample_rate`` are the numbers the
    privacy ledger records; build them with :func:`plan_round`."""

    steps: int
    sample_rate: float
    noise_multiplier: float
    max_grad_norm: float = TrainingDefaults.max_grad_norm
    learning_rate: float = TrainingDefaults.learning_rate
    momentum: float = TrainingDefaults.momentum
    optimizer: str = TrainingDefaults.optimizer
    fedprox_mu: float = 0.0
    learning_rate_schedule: str = "constant"  # one of LEARNING_RATE_SCHEDULES
    dp: bool = True
    grad_sample_mode: str = DEFAULT_GRAD_SAMPLE_MODE
    # What each patient's image is scored by: "cross_entropy" (a class per image) or
    # "dice_ce" (a region per pixel; siteapp.training.segmentation_loss).
    loss: str = CROSS_ENTROPY
    # None (every real run) seeds Poisson sampling and the DP noise from the operating
    # system's entropy; a seed is the tests' and demo's ``insecure_fixed_dp_seed`` only,
    # and whoever records such a round marks it seeded in the ledger.
    sampling_seed: int | None = None
    noise_seed: int | None = None

    @property
    def seeded(self) -> bool:
        """Whether anything DP relies on was drawn from a caller's seed."""
        return self.sampling_seed is not None or self.noise_seed is not None


def plan_round(
    records: int,
    epochs: float = TrainingDefaults.epochs_per_round,
    expected_batch_patients: int = TrainingDefaults.expected_batch_patients,
) -> tuple[float, int]:
    """``(sample_rate, steps)`` for ``epochs`` passes over ``records`` patients with
    Poisson batches of ``expected_batch_patients`` on average."""
    if records < 1:
        raise NothingToTrainError("there are no patients to train on; label some patients first")
    sample_rate = min(1.0, expected_batch_patients / records)
    steps = max(1, math.ceil(epochs / sample_rate))
    return sample_rate, steps


@dataclass
class RoundResult:
    """The outcome of :func:`train_round`; ``update`` is what a site uploads."""

    update: WeightDict
    local_weights: WeightDict
    num_records: int
    steps: int
    sample_rate: float
    noise_multiplier: float
    device: str
    wall_time_s: float
    mean_loss: float
    losses: list[float] = field(default_factory=list)


def _batch(
    dataset: PatientDataset, indices: list[int], device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    if not indices:
        shape = dataset.image(0, 0).shape
        return torch.zeros((0, *shape), device=device), dataset.targets([]).to(device)
    items = [dataset[i] for i in indices]
    x = torch.stack([img for img, _ in items]).to(device)
    return x, dataset.targets([target for _, target in items]).to(device)


OPTIMIZERS = ("adam", "sgd")


def _optimizer(plan: RoundPlan, params: list[nn.Parameter]) -> torch.optim.Optimizer:
    """A fresh local optimiser per round (its state never leaves the site)."""
    if plan.optimizer == "adam":
        return torch.optim.Adam(params, lr=plan.learning_rate)
    if plan.optimizer == "sgd":
        return torch.optim.SGD(params, lr=plan.learning_rate, momentum=plan.momentum)
    raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {plan.optimizer}")


class TrainingStep:
    """One optimisation step, private or not; hides Opacus' mode-specific plumbing.

    ``run(x, y)`` returns the batch loss (NaN for an empty Poisson batch, which still
    takes a noise-only step). The benchmark times this class directly.
    """

    def __init__(
        self, model: nn.Module, plan: RoundPlan, records: int, objective: Objective | None = None
    ) -> None:
        retain_freed_memory()  # steps re-allocate the same buffers; see siteapp/training/heap.py
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            raise NothingToTrainError("every layer is frozen; unfreeze the head to train")
        self.params = params
        self.fedprox_mu = plan.fedprox_mu
        self.anchor = [p.detach().clone() for p in params] if plan.fedprox_mu else []
        optimizer = _optimizer(plan, params)
        self.criterion: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = criterion(plan.loss)
        if objective is not None and plan.dp and plan.grad_sample_mode == "ghost":
            raise ValueError("ghost clipping wraps the cross-entropy; use 'fused' or 'hooks' with an objective")
        self.objective = objective
        self.module: nn.Module = model
        self.private = plan.dp
        self.optimizer: torch.optim.Optimizer = optimizer
        if plan.dp:
            self._make_private(model, optimizer, plan, records)
            if plan.fedprox_mu:
                self.optimizer.attach_step_hook(lambda _optimizer: self._add_proximal_gradient())  # type: ignore[attr-defined]

    def _add_proximal_gradient(self) -> None:
        with torch.no_grad():
            for p, anchor in zip(self.params, self.anchor, strict=True):
                prox = (p - anchor) * self.fedprox_mu
                if p.grad is None:
                    p.grad = prox
                else:
                    p.grad.add_(prox)

    def _make_private(
        self, model: nn.Module, optimizer: torch.optim.Optimizer, plan: RoundPlan, records: int
    ) -> None:
        from opacus.grad_sample.utils import prepare_module
        from opacus.optimizers import get_optimizer_class

        from siteapp.training.fused_clipping import FusedClippingDPOptimizer
        from siteapp.training.per_sample_grads import FUSED_GRAD_SAMPLE_MODE, FusedGradSampleModule

        mode = plan.grad_sample_mode
        if mode not in GRAD_SAMPLE_MODES:
            raise ValueError(f"grad_sample_mode must be one of {GRAD_SAMPLE_MODES}, got {mode}")
        extra = {"max_grad_norm": plan.max_grad_norm} if mode == "ghost" else {}
        if mode == FUSED_GRAD_SAMPLE_MODE:
            self.module = FusedGradSampleModule(model, loss_reduction="mean")
        else:
            from siteapp.training.fixed_batch_norm import only_fixed_buffers

            self.module = prepare_module(
                model, mode, batch_first=True, loss_reduction="mean",
                strict=not only_fixed_buffers(model), **extra,
            )
        # Always an explicit generator: with None Opacus draws from torch's process-wide
        # one, which building the model seeds with the plan's public init_seed.
        device = next(model.parameters()).device
        generator = torch.Generator(device=device).manual_seed(
            secret_seed() if plan.noise_seed is None else plan.noise_seed
        )
        optimizer_class = (
            FusedClippingDPOptimizer
            if mode == FUSED_GRAD_SAMPLE_MODE
            else get_optimizer_class(clipping="flat", distributed=False, grad_sample_mode=mode)
        )
        self.optimizer = optimizer_class(
            optimizer,
            noise_multiplier=plan.noise_multiplier,
            max_grad_norm=plan.max_grad_norm,
            expected_batch_size=max(1.0, plan.sample_rate * records),
            loss_reduction="mean",
            generator=generator,
        )
        if mode == "ghost":
            if plan.loss != CROSS_ENTROPY:
                raise ValueError("grad-sample mode 'ghost' trains with cross-entropy only")
            from opacus.utils.fast_gradient_clipping_utils import DPLossFastGradientClipping

            self.criterion = DPLossFastGradientClipping(
                self.module, self.optimizer, nn.CrossEntropyLoss(reduction="mean"), "mean"
            )

    def set_learning_rate(self, learning_rate: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate

    def run(self, x: torch.Tensor, y: torch.Tensor) -> float:
        if not self.private and len(y) == 0:
            return float("nan")  # nothing to learn and no noise to add
        self.optimizer.zero_grad(set_to_none=True)
        if self.objective is not None:
            loss = self.objective(self.module, x, y)
        else:
            loss = self.criterion(self.module(x), y)
        loss.backward()
        if self.fedprox_mu and not self.private:
            self._add_proximal_gradient()
        self.optimizer.step()
        return float(loss.detach()) if len(y) else float("nan")


def schedule_factor(plan: RoundPlan, step: int) -> float:
    """The fraction of ``plan.learning_rate`` used at ``step`` (1-based) of the round."""
    if plan.learning_rate_schedule == "constant":
        return 1.0
    if plan.learning_rate_schedule == "cosine":
        return 0.5 * (1.0 + math.cos(math.pi * (step - 1) / max(1, plan.steps)))
    raise ValueError(
        f"learning_rate_schedule must be one of {LEARNING_RATE_SCHEDULES}, "
        f"got {plan.learning_rate_schedule}"
    )


def train_round(
    model: nn.Module,
    dataset: PatientDataset,
    plan: RoundPlan,
    *,
    device: str | torch.device = "auto",
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    objective: Objective | None = None,
) -> RoundResult:
    """Train one round on ``dataset`` starting from ``model``'s current weights.

    ``progress(step, total_steps, loss)`` is called after every step (from this thread);
    setting ``cancel`` stops before the next step and raises :class:`TrainingCancelledError`.
    ``objective`` replaces the classifier's cross-entropy (see :data:`Objective`).
    """
    started = time.perf_counter()
    torch_device = device if isinstance(device, torch.device) else resolve_device(device)
    local = copy.deepcopy(model).to(torch_device)
    local.train()
    global_weights = trainable_state(model)
    step = TrainingStep(local, plan, len(dataset), objective)
    sampler = PoissonPatientSampler(len(dataset), plan.sample_rate, plan.steps, plan.sampling_seed)
    losses: list[float] = []
    for index, patients in enumerate(sampler, start=1):
        if cancel is not None and cancel.is_set():
            raise TrainingCancelledError("training was cancelled; no update was kept")
        step.set_learning_rate(plan.learning_rate * schedule_factor(plan, index))
        x, y = _batch(dataset, patients, torch_device)
        loss = step.run(x, y)
        losses.append(loss)
        if progress is not None:
            progress(index, plan.steps, loss)
    local_weights = trainable_state(local)
    finite = [v for v in losses if not np.isnan(v)]
    return RoundResult(
        update=subtract(local_weights, global_weights),
        local_weights=local_weights,
        num_records=len(dataset),
        steps=plan.steps,
        sample_rate=plan.sample_rate,
        noise_multiplier=plan.noise_multiplier if plan.dp else 0.0,
        device=describe_device(torch_device),
        wall_time_s=time.perf_counter() - started,
        mean_loss=float(np.mean(finite)) if finite else float("nan"),
        losses=losses,
    )
