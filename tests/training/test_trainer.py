"""One DP round: patient-level records, FedProx, frozen layers, progress and cancel."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import numpy as np
import pytest
import torch

from siteapp.tasks import TaskPreset
from siteapp.training.config import FROM_SCRATCH_LEARNING_RATE, FROM_SCRATCH_OPTIMIZER
from siteapp.training.datasets import PatientDataset, PoissonPatientSampler
from siteapp.training.evaluation import evaluate_patients
from siteapp.training.models import build_model, freeze_backbone
from siteapp.training.trainer import (
    NothingToTrainError,
    RoundPlan,
    TrainingCancelledError,
    plan_round,
    schedule_factor,
    train_round,
)
from siteapp.training.weights import flatten, full_state, load_state, trainable_state

PatientFactory = Callable[..., list[tuple[str, int, list[np.ndarray]]]]


def _norm(update: dict[str, np.ndarray]) -> float:
    return float(np.linalg.norm(flatten(update)))


def test_a_patient_with_many_images_is_one_record(make_patients: PatientFactory) -> None:
    patients = make_patients(5)
    patients[0] = ("MANY", 1, [np.full((64, 64), i / 40, np.float32) for i in range(40)])
    dataset = PatientDataset.from_arrays(patients, seed=1)
    assert len(dataset) == 5
    image, label = dataset[0]
    assert image.shape == (1, 64, 64) and label == 1
    drawn = {float(dataset[0][0][0, 0, 0]) for _ in range(200)}
    assert len(drawn) > 20  # successive draws visit the patient's different images


def test_poisson_sampler_draws_each_patient_at_most_once_per_step() -> None:
    sampler = PoissonPatientSampler(num_records=200, sample_rate=0.05, steps=400, seed=0)
    batches = list(sampler)
    assert len(batches) == 400
    assert all(len(b) == len(set(b)) for b in batches)
    assert np.mean([len(b) for b in batches]) == pytest.approx(10, rel=0.1)
    assert any(len(b) != len(batches[0]) for b in batches)  # variable size: true Poisson


def test_clipping_bounds_each_patients_contribution(
    task: TaskPreset, make_patients: PatientFactory
) -> None:
    # One patient with 40 images must move the weights no more than a patient with one:
    # with all patients drawn, almost no noise, lr 1 and no momentum, the step is the mean
    # of per-patient clipped gradients, so its norm is at most max_grad_norm.
    patients = make_patients(4, images_per_patient=1)
    patients[0] = ("MANY", 1, patients[0][2] * 40)
    dataset = PatientDataset.from_arrays(patients)
    plan = RoundPlan(
        steps=1,
        sample_rate=1.0,
        noise_multiplier=1e-6,
        max_grad_norm=0.01,
        learning_rate=1.0,
        momentum=0.0,
        optimizer="sgd",
    )
    result = train_round(build_model("compact_cnn", task), dataset, plan, device="cpu")
    assert 0 < _norm(result.update) <= 0.01 * 1.001


def test_round_reports_what_the_ledger_needs(
    task: TaskPreset, small_dataset: PatientDataset
) -> None:
    model = build_model("compact_cnn", task)
    before = full_state(model)
    sample_rate, steps = plan_round(len(small_dataset), epochs=1.0, expected_batch_patients=6)
    calls: list[tuple[int, int]] = []
    plan = RoundPlan(steps=steps, sample_rate=sample_rate, noise_multiplier=1.0, noise_seed=0)
    result = train_round(
        model, small_dataset, plan, device="cpu", progress=lambda s, t, _loss: calls.append((s, t))
    )
    assert (result.num_records, result.steps, result.sample_rate) == (24, 4, 0.25)
    assert result.noise_multiplier == 1.0 and result.device == "cpu"
    assert calls == [(i, 4) for i in range(1, 5)]
    assert set(result.update) == set(trainable_state(model))
    assert _norm(result.update) > 0
    assert all(np.array_equal(before[k], v) for k, v in full_state(model).items())  # untouched


def test_empty_poisson_batches_still_take_a_noisy_step(
    task: TaskPreset, make_patients: PatientFactory
) -> None:
    dataset = PatientDataset.from_arrays(make_patients(3))
    plan = RoundPlan(steps=2, sample_rate=1e-6, noise_multiplier=1.0)
    result = train_round(build_model("compact_cnn", task), dataset, plan, device="cpu")
    assert all(np.isnan(v) for v in result.losses)
    assert _norm(result.update) > 0  # noise was added: the step is not silently skipped


@pytest.mark.parametrize(("optimizer", "lr"), [("sgd", 0.05), ("adam", 2e-3)])
def test_fedprox_term_changes_the_update(
    task: TaskPreset, small_dataset: PatientDataset, optimizer: str, lr: float
) -> None:
    model = build_model("compact_cnn", task)
    base = RoundPlan(
        steps=6,
        sample_rate=0.25,
        noise_multiplier=0.5,
        noise_seed=3,
        sampling_seed=3,
        optimizer=optimizer,
        learning_rate=lr,
    )
    plain = train_round(model, small_dataset, base, device="cpu").update
    prox_plan = RoundPlan(**{**base.__dict__, "fedprox_mu": 2.0})
    prox = train_round(model, small_dataset, prox_plan, device="cpu").update
    assert not np.allclose(flatten(plain), flatten(prox))
    assert _norm(prox) < _norm(plain)  # pulled towards the global weights


def test_frozen_layers_are_absent_from_the_update(
    task: TaskPreset, small_dataset: PatientDataset
) -> None:
    model = build_model("compact_cnn", task)
    freeze_backbone(model)
    plan = RoundPlan(steps=2, sample_rate=0.25, noise_multiplier=1.0)
    update = train_round(model, small_dataset, plan, device="cpu").update
    assert set(update) == {"head.2.weight", "head.2.bias"}
    for param in model.backbone.parameters():
        param.requires_grad_(False)
    for param in model.head.parameters():
        param.requires_grad_(False)
    with pytest.raises(NothingToTrainError):
        train_round(model, small_dataset, plan, device="cpu")


def test_cancel_stops_and_keeps_nothing(task: TaskPreset, small_dataset: PatientDataset) -> None:
    model = build_model("compact_cnn", task)
    before = flatten(full_state(model))
    cancel = threading.Event()

    def progress(step: int, _total: int, _loss: float) -> None:
        if step == 2:
            cancel.set()

    plan = RoundPlan(steps=50, sample_rate=0.25, noise_multiplier=1.0)
    with pytest.raises(TrainingCancelledError):
        train_round(model, small_dataset, plan, device="cpu", progress=progress, cancel=cancel)
    assert np.array_equal(before, flatten(full_state(model)))


def test_dp_training_learns_a_separable_task(
    task: TaskPreset, make_patients: PatientFactory
) -> None:
    torch.manual_seed(0)
    train = PatientDataset.from_arrays(make_patients(64, seed=1), seed=0)
    val = PatientDataset.from_arrays(make_patients(24, seed=2))
    model = build_model("compact_cnn", task)
    plan = RoundPlan(steps=60, sample_rate=0.25, noise_multiplier=0.6, noise_seed=0, sampling_seed=0,
                     optimizer=FROM_SCRATCH_OPTIMIZER, learning_rate=FROM_SCRATCH_LEARNING_RATE)
    result = train_round(model, train, plan, device="cpu")
    load_state(model, result.local_weights)
    metrics = evaluate_patients(model, val, task)
    assert metrics.auc is not None and metrics.auc > 0.8


def test_without_dp_an_empty_batch_changes_nothing(
    task: TaskPreset, make_patients: PatientFactory
) -> None:
    dataset = PatientDataset.from_arrays(make_patients(3))
    plan = RoundPlan(steps=2, sample_rate=1e-6, noise_multiplier=1.0, dp=False)
    result = train_round(build_model("compact_cnn", task), dataset, plan, device="cpu")
    assert result.noise_multiplier == 0.0
    assert _norm(result.update) == 0.0


def test_cosine_schedule_anneals_the_step_to_zero_within_a_round() -> None:
    plan = RoundPlan(steps=10, sample_rate=0.1, noise_multiplier=1.0,
                     learning_rate_schedule="cosine")
    factors = [schedule_factor(plan, step) for step in range(1, 11)]
    assert factors[0] == 1.0
    assert all(a > b for a, b in itertools.pairwise(factors))
    assert 0.0 < factors[-1] < 0.03
    constant = RoundPlan(steps=10, sample_rate=0.1, noise_multiplier=1.0)
    assert {schedule_factor(constant, step) for step in range(1, 11)} == {1.0}
    with pytest.raises(ValueError, match="cosine"):
        schedule_factor(RoundPlan(steps=1, sample_rate=0.1, noise_multiplier=1.0,
                                  learning_rate_schedule="step"), 1)


def test_cosine_round_moves_the_weights_less_than_a_constant_one(
    task: TaskPreset, small_dataset: PatientDataset
) -> None:
    """Same seeds, same noise: annealing halves the average step, so the update shrinks."""
    sample_rate, steps = plan_round(len(small_dataset), epochs=2, expected_batch_patients=4)
    norms = {}
    for schedule in ("constant", "cosine"):
        model = build_model("compact_cnn", task)
        plan = RoundPlan(steps=steps, sample_rate=sample_rate, noise_multiplier=1.0,
                         learning_rate=0.05, optimizer="sgd", momentum=0.0,
                         learning_rate_schedule=schedule, sampling_seed=3, noise_seed=3)
        norms[schedule] = _norm(train_round(model, small_dataset, plan, device="cpu").update)
    assert 0.2 * norms["constant"] < norms["cosine"] < 0.9 * norms["constant"]
