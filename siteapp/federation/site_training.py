"""The site's training for a round, the half that never touches the network: its data,
the plan's model, one DP-SGD round from the global weights, and validation of a global
model.

Built once per run by :class:`siteapp.federation.runner.RoundRunner`; torch is imported
inside the methods, like everywhere in the site app's federation code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from coordinator.protocol import FederationPlan, Strategy
from siteapp.federation.errors import PlanRefusedError
from siteapp.federation.run_options import RunnerOptions
from siteapp.federation.update_encoding import clip_update
from siteapp.privacy.randomness import seed_for

# build_model seeds torch's process-wide generator while it draws the initial weights;
# two runners (threads) building at once would draw from each other's stream.
_BUILD_LOCK = threading.Lock()


def _build_model(plan: FederationPlan, task: Any, weights_file: Path | None) -> Any:
    """The plan's model from ``init_seed``: on the operator's pretrained weights file when
    the plan names one (stages frozen as it says), else on the task's pretrained public
    backbone (frozen if the preset says so). Identical at every site; the layout, and so
    every update, holds the trainable parameters only."""
    from siteapp.training.initial_model import initial_model, operator_initial_model

    with _BUILD_LOCK:
        if plan.pretrained is not None:
            assert weights_file is not None, "the runner downloads and verifies the file first"
            return operator_initial_model(
                task, plan.model, plan.init_seed, weights_file, plan.pretrained.frozen_stages
            )
        return initial_model(task, plan.model, plan.init_seed)


def _check_frozen_weights(plan: FederationPlan, model: Any) -> None:
    """Refuse a plan made for other frozen weights (another app version's pretrained
    backbone or feature statistics): this site's head would not fit the others'."""
    from siteapp.training.weights import frozen_state_digest

    if plan.frozen_weights_sha256 is None:
        return
    here = frozen_state_digest(model)
    if here != plan.frozen_weights_sha256:
        raise PlanRefusedError(
            f"this site's MedFed starts model '{plan.model}' from different pretrained weights "
            f"than the federation's plan (plan {plan.frozen_weights_sha256[:12]}, this site "
            f"{here[:12]}); install the MedFed version the other sites use, then join again"
        )


def _check_update_length(plan: FederationPlan, here: int) -> None:
    """Refuse, before any privacy budget is spent, a plan whose encrypted updates hold
    another number of values than this site's model: the coordinator would refuse them."""
    if plan.update_length is not None and plan.update_length != here:
        raise PlanRefusedError(
            f"the federation's plan expects updates of {plan.update_length} values but model "
            f"'{plan.model}' of this MedFed has {here} trainable values; install the MedFed "
            "version the other sites use, or ask the operator to correct the plan"
        )


class SiteTraining:
    """This site's data, model and training for one plan (built once per run)."""

    def __init__(
        self, data_dir: Path, plan: FederationPlan, options: RunnerOptions, site: str,
        weights_file: Path | None = None,
    ) -> None:
        from siteapp.dicom.task_fit import check_task_fits
        from siteapp.training.datasets import site_dataset
        from siteapp.training.device import resolve_device
        from siteapp.training.weights import WeightLayout, trainable_state

        self.data_dir = data_dir
        self.plan = plan
        self.options = options
        self.site = site
        self.task = plan.task
        check_task_fits(data_dir, self.task)  # before any privacy is spent
        fixed = options.insecure_fixed_dp_seed
        self.train_set = site_dataset(
            data_dir, self.task, "train", seed=seed_for(fixed, site, "images")
        )
        self.val_set = site_dataset(data_dir, self.task, "val")
        self.records = len(self.train_set)
        self.device = resolve_device(options.device)
        self.weights_file = weights_file
        self.model: Any = _build_model(plan, self.task, weights_file)
        _check_frozen_weights(plan, self.model)
        self.layout = WeightLayout.of(trainable_state(self.model))
        _check_update_length(plan, self.layout.size)
        self.last_norm: float | None = None

    def initial_weights(self) -> dict[str, np.ndarray]:
        """Round 0: the plan's model from ``init_seed`` and the preset's pretrained
        backbone (identical at every site); its trainable weights only."""
        from siteapp.training.weights import trainable_state

        return trainable_state(_build_model(self.plan, self.task, self.weights_file))

    def sampling(self) -> tuple[float, int]:
        from siteapp.training.trainer import plan_round

        local = self.plan.local
        return plan_round(self.records, local.epochs_per_round, local.batch_size)

    def train(
        self, global_weights: dict[str, np.ndarray], number: int, sigma: float, sample_rate: float,
        steps: int, progress: Callable[[int, int, float], None], stop: threading.Event,
    ) -> np.ndarray:
        """One DP round from ``global_weights``; the flat, client-clipped update."""
        from siteapp.training.segmentation_loss import loss_for
        from siteapp.training.trainer import RoundPlan, train_round
        from siteapp.training.weights import flatten, load_state

        load_state(self.model, global_weights)
        seed = self.options.insecure_fixed_dp_seed
        local = self.plan.local
        round_plan = RoundPlan(
            steps=steps, sample_rate=sample_rate, noise_multiplier=sigma,
            max_grad_norm=local.max_grad_norm, learning_rate=local.learning_rate,
            optimizer=local.optimizer, learning_rate_schedule=local.learning_rate_schedule,
            fedprox_mu=self.plan.strategy_params.proximal_mu if self.plan.strategy is Strategy.FEDPROX else 0.0,
            sampling_seed=seed_for(seed, self.site, number, "sampling"),
            noise_seed=seed_for(seed, self.site, number, "noise"),
            loss=loss_for(self.task.is_segmentation),
        )
        result = train_round(self.model, self.train_set, round_plan, device=self.device,
                             progress=progress, cancel=stop)
        vector, self.last_norm = clip_update(flatten(result.update, self.layout), local.update_clip_norm)
        return np.asarray(vector, dtype=np.float32)

    def evaluate(
        self, weights: dict[str, np.ndarray], number: int, epsilon: float
    ) -> tuple[dict[str, object], np.ndarray | None]:
        """Exact validation metrics of the global model (kept at the site, also as a
        federated checkpoint) and the exact histogram of the plan's score bins of the
        positive class against the rest, which only leaves the site noised
        (``siteapp.privacy.validation_release``); None for a task without a positive class."""
        from siteapp.privacy.validation_release import score_histogram
        from siteapp.training.checkpoints import save_checkpoint
        from siteapp.training.evaluation import evaluate_patients, labelled_scores
        from siteapp.training.weights import full_state, load_state

        load_state(self.model, weights)
        histogram = None
        if self.task.is_segmentation:
            metrics, histogram = self._evaluate_segmentation()
        elif self.task.positive_class is not None:
            labels, scores = labelled_scores(
                self.model.to(self.device), self.val_set, self.task, device=self.device
            )
            histogram = score_histogram(labels, scores, self.plan.validation.score_bins)
        if not self.task.is_segmentation:
            metrics = evaluate_patients(
                self.model.to(self.device), self.val_set, self.task, device=self.device
            ).to_dict()
        save_checkpoint(
            self.data_dir, full_state(self.model), source="federated", run_id=self.plan.federation,
            round=number, model_name=self.plan.model, task=self.task, epsilon=epsilon,
            metrics=metrics,
        )
        return metrics, histogram

    def _evaluate_segmentation(self) -> tuple[dict[str, object], np.ndarray]:
        """Exact Dice and HD95 of the loaded model (kept here) and the exact histogram of
        the patients by Dice and HD95 bin (sent only noised)."""
        from coordinator.aggregation.validation_histogram import hd95_range_mm
        from siteapp.privacy.validation_release import segmentation_histogram
        from siteapp.training.segmentation_data import SegmentationDataset
        from siteapp.training.segmentation_metrics import evaluate_segmentation

        assert isinstance(self.val_set, SegmentationDataset)  # site_dataset, for this task
        result = evaluate_segmentation(
            self.model.to(self.device), self.val_set, self.task, device=self.device
        )
        histogram = segmentation_histogram(
            [s.dice for s in result.scores], [s.hd95_mm for s in result.scores],
            self.plan.validation.score_bins,
            hd95_range_mm(self.task.matrix, self.task.pixel_spacing_mm),
        )
        return result.to_dict(), histogram
