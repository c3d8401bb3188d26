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
from siteapp.synthesis.plan_rounds import (
    is_generator_round,
    joined_weights,
    split_weights,
    synthetic_count,
    zeros_like,
)
from siteapp.training.seeded_rng import GLOBAL_RNG_LOCK  # no torch import

# build_model seeds torch's process-wide generator while it draws the initial weights;
# two runners (threads) building at once would draw from each other's stream. The same
# lock as every seeded build and every draw from that generator (seeded_rng).
_BUILD_LOCK = GLOBAL_RNG_LOCK


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
        from siteapp.statistics.windows import task_with_windows
        from siteapp.training.datasets import site_dataset
        from siteapp.training.device import resolve_device
        from siteapp.training.weights import WeightLayout, trainable_state

        self.data_dir = data_dir
        self.plan = plan
        self.options = options
        self.site = site
        check_task_fits(data_dir, plan.task)  # before any privacy is spent
        # Windowed once for the run: the datasets and the checkpoints use the same windows.
        self.task = task_with_windows(plan.task, data_dir)
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
        from siteapp.synthesis.synthetic_data import plan_generator

        self.generator: Any = plan_generator(plan, self.task)
        self.layout = WeightLayout.of(self._with_generator(trainable_state(self.model), None))
        _check_update_length(plan, self.layout.size)
        self.last_norm: float | None = None

    def _with_generator(
        self, classifier: dict[str, np.ndarray], generator: dict[str, np.ndarray] | None
    ) -> dict[str, np.ndarray]:
        """The update/weights dict of the plan: the classifier's alone, or joined with
        the generator's (``generator`` None: zeros, the generator did not train)."""
        if self.generator is None:
            return classifier
        from siteapp.synthesis.synthetic_data import generator_state

        return joined_weights(classifier, generator if generator is not None else zeros_like(generator_state(self.generator)))

    def _split(self, weights: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        return split_weights(weights) if self.generator is not None else (weights, {})

    def initial_weights(self) -> dict[str, np.ndarray]:
        """Round 0: the plan's model from ``init_seed`` and the preset's pretrained
        backbone (identical at every site), and the plan's generator if it has one; their
        trainable weights only."""
        from siteapp.synthesis.synthetic_data import generator_state, plan_generator
        from siteapp.training.weights import trainable_state

        classifier = trainable_state(_build_model(self.plan, self.task, self.weights_file))
        generator = plan_generator(self.plan, self.task)
        return self._with_generator(classifier, None if generator is None else generator_state(generator))

    def sampling(self, number: int | None = None) -> tuple[float, int]:
        """``(sample_rate, steps)`` of round ``number``: over the real patients for a
        generator round, over real and synthetic ones for an augmented classifier round
        (the synthetic ones are public post-processing, but they dilute the batch); None:
        a classifier round."""
        from siteapp.training.trainer import plan_round

        if self.plan.generator is not None and number is not None and is_generator_round(self.plan, number):
            settings = self.plan.generator
            return plan_round(self.records, settings.epochs_per_round, settings.batch_size)
        local = self.plan.local
        return plan_round(self.records + synthetic_count(self.plan), local.epochs_per_round, local.batch_size)

    def train(
        self, global_weights: dict[str, np.ndarray], number: int, sigma: float, sample_rate: float,
        steps: int, progress: Callable[[int, int, float], None], stop: threading.Event,
    ) -> np.ndarray:
        """One DP round from ``global_weights`` (of the generator or of the classifier, as
        the plan says for round ``number``); the flat, client-clipped update."""
        from siteapp.synthesis.generator import vae_objective
        from siteapp.training.segmentation_loss import loss_for
        from siteapp.training.trainer import RoundPlan, train_round
        from siteapp.training.weights import flatten, load_state

        classifier, generator = self._split(global_weights)
        seed = self.options.insecure_fixed_dp_seed
        local = self.plan.local
        sampling_seed = seed_for(seed, self.site, number, "sampling")
        noise_seed = seed_for(seed, self.site, number, "noise")
        if self.generator is not None and self.plan.generator is not None and is_generator_round(self.plan, number):
            settings = self.plan.generator
            load_state(self.generator, generator)
            round_plan = RoundPlan(
                steps=steps, sample_rate=sample_rate, noise_multiplier=sigma,
                max_grad_norm=settings.max_grad_norm, learning_rate=settings.learning_rate,
                optimizer="adam", sampling_seed=sampling_seed, noise_seed=noise_seed,
            )
            result = train_round(self.generator, self.train_set, round_plan, device=self.device,
                                 progress=progress, cancel=stop, objective=vae_objective(settings.kl_weight))
            update = self._with_generator(zeros_like(classifier), result.update)
        else:
            load_state(self.model, classifier)
            round_plan = RoundPlan(
                steps=steps, sample_rate=sample_rate, noise_multiplier=sigma,
                max_grad_norm=local.max_grad_norm, learning_rate=local.learning_rate,
                optimizer=local.optimizer, learning_rate_schedule=local.learning_rate_schedule,
                fedprox_mu=self.plan.strategy_params.proximal_mu if self.plan.strategy is Strategy.FEDPROX else 0.0,
                sampling_seed=sampling_seed, noise_seed=noise_seed,
                loss=loss_for(self.task.is_segmentation),
            )
            dataset = self.augmented_train_set(generator, number)
            result = train_round(self.model, dataset, round_plan, device=self.device,
                                 progress=progress, cancel=stop)
            update = self._with_generator(result.update, None)
        vector, self.last_norm = clip_update(flatten(update, self.layout), local.update_clip_norm)
        return np.asarray(vector, dtype=np.float32)

    def augmented_train_set(self, generator_weights: dict[str, np.ndarray], number: int) -> Any:
        """The training patients, followed by the plan's synthetic patients drawn from the
        global generator (in memory only; marked synthetic); the real ones alone when the
        plan asks for no augmentation."""
        augmentation = self.plan.augmentation
        if augmentation is None or self.generator is None:
            return self.train_set
        from siteapp.synthesis.synthetic_data import generator_with, synthetic_patients

        generator = generator_with(self.generator, generator_weights)
        synthetic = synthetic_patients(
            generator, self.task, augmentation.classes, augmentation.images_per_class,
            seed_for(self.options.insecure_fixed_dp_seed, self.site, number, "synthetic"),
        )
        return self.train_set.joined(synthetic)

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

        load_state(self.model, self._split(weights)[0])
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
