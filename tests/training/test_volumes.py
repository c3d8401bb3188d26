"""A 3d_volume task: a CT series becomes one resampled volume per study, from the task
file through DP training, the zoo's 3D networks and inference; the patient stays the
DP record."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from coordinator.task_definition import InputGeometry, InputKind
from siteapp.dicom.importer import import_paths
from siteapp.dicom.labels import import_labels
from siteapp.dicom.phantom import LABELS_FILENAME, generate_phantom_sites
from siteapp.dicom.task_fit import task_fit_problems
from siteapp.privacy.ledger import PrivacyLedger
from siteapp.tasks import TaskDefinition, demo_task, load_task
from siteapp.training.datasets import site_dataset
from siteapp.training.inference import predict_paths
from siteapp.training.local import LocalTrainingOptions, train_local
from siteapp.training.models import UnknownModelError, build_model
from siteapp.training.trainer import RoundPlan, TrainingStep
from siteapp.training.volumes import resample_along_slices

TASK = "lung-ct-nodule-3d"
SLICES = 6


def tiny_volume_task() -> TaskDefinition:
    """The built-in 3D lung task on a 16 x 16 x 4 grid (the suite's CPU budget)."""
    tiny = InputGeometry(
        kind=InputKind.VOLUME_3D, matrix=16, spacing_mm=18.0, depth=4, slice_spacing_mm=4.0
    )
    return demo_task(TASK).model_copy(update={"input": tiny})


@pytest.fixture(scope="module")
def volume_phantom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One phantom CT site of 10 patients, 6 slices each."""
    root = tmp_path_factory.mktemp("phantom-3d")
    (site,) = generate_phantom_sites(root, sites=1, patients=10, seed=3, task=TASK, slices=SLICES)
    return site


@pytest.fixture
def volume_site(volume_phantom: Path, tmp_path: Path) -> Path:
    data_dir = tmp_path / "site"
    import_paths(data_dir, [volume_phantom])
    import_labels(data_dir, volume_phantom / LABELS_FILENAME, TASK)
    return data_dir


def test_slices_are_ordered_by_position_and_blended_linearly() -> None:
    slices = [np.full((2, 2), value, np.float32) for value in (30.0, 10.0, 20.0)]
    volume = resample_along_slices(slices, [6.0, 2.0, 4.0], depth=5, spacing_mm=1.0)
    # planes at z = 2..6 around the centre 4: 10, 15, 20, 25, 30
    np.testing.assert_allclose(volume[:, 0, 0], [10.0, 15.0, 20.0, 25.0, 30.0])
    wider = resample_along_slices(slices, [6.0, 2.0, 4.0], depth=5, spacing_mm=1.5)
    np.testing.assert_allclose(wider[:, 0, 0], [0.0, 12.5, 20.0, 27.5, 0.0])  # outside: 0


def test_the_3d_task_file_asks_for_a_realistic_volume_and_a_3d_network() -> None:
    task = load_task(TASK)
    assert task.input.kind is InputKind.VOLUME_3D
    assert (task.matrix, task.pixel_spacing_mm) == (224, 1.6)
    assert (task.input.depth, task.input.slice_spacing_mm) == (96, 2.5)
    assert build_model(task.default_model, demo_task(TASK)).spatial_dims == 3
    with pytest.raises(UnknownModelError, match="choose one of compact_cnn_3d, resnet18-3d"):
        build_model("compact_cnn", task)
    with pytest.raises(UnknownModelError, match="takes 3D input"):
        build_model("compact_cnn_3d", load_task("lung-ct-nodule"))


def test_a_site_dataset_of_a_3d_task_holds_one_volume_per_patient_study(volume_site: Path) -> None:
    task = tiny_volume_task()
    data = site_dataset(volume_site, task, "train", seed=0)
    assert len(data) == len({r.key for r in data.records})  # one record per patient
    assert all(r.num_images == 1 for r in data.records)  # the phantom: one study each
    volume, label = data[0]
    assert volume.shape == (1, 4, 16, 16)
    assert label == data.records[0].label
    assert 0.0 < float(volume.mean()) < 1.0


def test_a_3d_task_trains_under_dp_and_infers_one_volume_per_study(
    volume_site: Path, volume_phantom: Path
) -> None:
    task = tiny_volume_task()
    report = train_local(volume_site, LocalTrainingOptions(
        rounds=1, task=task, target_epsilon=5.0, device="cpu", expected_batch_patients=4,
        epochs_per_round=1.0, insecure_fixed_dp_seed=0,
    ))
    assert report.model == "compact_cnn_3d" and report.epsilon_spent > 0
    assert PrivacyLedger(volume_site).epsilon_spent() == pytest.approx(report.epsilon_spent)
    patient = sorted(p for p in volume_phantom.iterdir() if p.is_dir())[0]
    prediction = predict_paths(volume_site, [patient])
    (study,) = prediction.studies
    assert study.images == SLICES  # every slice of the series went into the one volume
    assert set(study.probabilities) == set(task.classes)
    assert sum(study.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert Path(study.saliency_png).is_file()


def test_the_zoos_3d_resnet_takes_a_dp_step_on_site_volumes(volume_site: Path) -> None:
    task = tiny_volume_task()
    data = site_dataset(volume_site, task, "train", seed=0)
    model = build_model("resnet18-3d", task)
    step = TrainingStep(model, RoundPlan(steps=1, sample_rate=0.5, noise_multiplier=1.0), len(data))
    x = torch.stack([data[i][0] for i in range(2)])
    y = torch.tensor([data.records[i].label for i in range(2)])
    assert np.isfinite(step.run(x, y))


def test_a_3d_task_refuses_a_site_with_single_slices_only(tmp_path: Path) -> None:
    (site,) = generate_phantom_sites(tmp_path / "thin", sites=1, patients=6, seed=4, task=TASK, slices=1)
    data_dir = tmp_path / "site"
    import_paths(data_dir, [site])
    import_labels(data_dir, site / LABELS_FILENAME, TASK)
    (problem,) = task_fit_problems(data_dir, tiny_volume_task())
    assert "no labelled patient here has a series of at least 3 slices" in problem
