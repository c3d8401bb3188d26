"""The generator trains under DP with the real trainer, samples per class, and its two
measures tell copies and look-alikes from unrelated images."""

from __future__ import annotations

import numpy as np
import torch

from siteapp.synthesis.generator import (
    GeneratorShape,
    build_generator,
    sample_images,
    vae_objective,
)
from siteapp.synthesis.measures import memorisation, two_sample_auc
from siteapp.training.datasets import PatientDataset, PatientRecord
from siteapp.training.trainer import RoundPlan, plan_round, train_round

torch.set_num_threads(1)
SHAPE = GeneratorShape(latent=4, width=4)


def _blobs(n: int, seed: int, bright: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    images = rng.normal(0.3, 0.02, (n, 16, 16))
    if bright:
        images[:, 6:10, 6:10] += 0.5
    return np.clip(images, 0, 1).astype(np.float32)


def test_dp_round_trains_the_generator_and_samples_each_class() -> None:
    patients = [(f"p{i}", i % 2, [img]) for i, img in enumerate(_blobs(24, 0, False))]
    data = PatientDataset.from_arrays(patients, seed=1)
    generator = build_generator(16, 1, 2, SHAPE, init_seed=0)
    rate, steps = plan_round(len(data), 1, 8)
    plan = RoundPlan(steps=steps, sample_rate=rate, noise_multiplier=1.0, optimizer="adam",
                     learning_rate=1e-2, sampling_seed=2, noise_seed=2)
    result = train_round(generator, data, plan, device="cpu", objective=vae_objective(1.0))
    assert np.isfinite(result.mean_loss)
    assert any(np.abs(v).max() > 0 for v in result.update.values())
    images = sample_images(generator, [0, 1, 1], seed=3)
    assert images.shape == (3, 1, 16, 16) and float(images.min()) >= 0 and float(images.max()) <= 1
    # the same generator and build seed: identical networks at every site
    again = build_generator(16, 1, 2, SHAPE, init_seed=0)
    fresh = build_generator(16, 1, 2, SHAPE, init_seed=0)
    assert all(torch.equal(a, b) for a, b in zip(again.parameters(), fresh.parameters(), strict=True))


def test_joined_dataset_keeps_real_patients_and_marks_synthetic_ones() -> None:
    real = PatientDataset.from_arrays([(f"p{i}", 0, [img]) for i, img in enumerate(_blobs(5, 0, False))], seed=1)
    fake = PatientDataset([PatientRecord("synthetic-x-00000", 1, 1, synthetic=True)],
                          lambda _p, _i: np.ones((16, 16), np.float32))
    joined = real.joined(fake)
    assert len(joined) == 6 and joined.real_records == 5
    assert joined.records[-1].synthetic and not joined.records[0].synthetic
    assert float(joined.image(5, 0).mean()) == 1.0
    np.testing.assert_array_equal(joined.image(0, 0).numpy(), real.image(0, 0).numpy())


def test_two_sample_auc_tells_different_images_apart_but_not_alike_ones() -> None:
    real = _blobs(60, 0, bright=True)
    assert two_sample_auc(real, _blobs(60, 1, bright=True)) < 0.7
    assert two_sample_auc(real, _blobs(60, 1, bright=False)) > 0.95


def test_memorisation_flags_copies_of_training_images() -> None:
    training, held_out = _blobs(40, 0, True), _blobs(40, 1, True)
    copies = memorisation(training, held_out, training[:20] + 1e-4)
    fresh = memorisation(training, held_out, _blobs(20, 2, True))
    assert copies.close_fraction == 1.0 and copies.synthetic_median < copies.held_out_median
    assert fresh.close_fraction < 0.3
