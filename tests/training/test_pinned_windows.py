"""The federation's intensity windows travel with the model: a checkpoint pins the windows
it was trained with, and inference uses them even after a later statistics round changed
the windows kept in the data folder, or where none are kept (another machine)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from coordinator.protocol import FederationPlan
from coordinator.statistics import StatisticsLayout
from coordinator.task_definition import Windowing
from siteapp.dicom.dataset_source import labelled_patients
from siteapp.statistics.windows import TaskStatistics, Window, save_task_statistics, statistics_path
from siteapp.tasks import TaskDefinition, demo_task
from siteapp.training.checkpoints import (
    INTENSITY_WINDOWS_KEY,
    Checkpoint,
    checkpoint_task,
    latest_checkpoint,
    list_checkpoints,
)
from siteapp.training.inference import load_checkpoint_model, predict_paths
from siteapp.training.local import LocalTrainingOptions, train_local
from siteapp.training.weights import load_weights, read_metadata, save_weights

TRAINED_WITH: Window = (-900.0, 300.0)
LATER: Window = (-100.0, 2500.0)  # what a later statistics round keeps instead


def _federation_task() -> TaskDefinition:
    return demo_task("lung-ct-nodule").model_copy(
        update={"windowing": Windowing(percentiles=(1.0, 99.0), scope="federation")})


def _keep_federation_windows(data_dir: Path, task: TaskDefinition, window: Window) -> None:
    """What the statistics round leaves in the data folder, with the federation's windows."""
    layout = StatisticsLayout.for_task(task)
    save_task_statistics(data_dir, TaskStatistics(
        task.name, layout.bins, list(layout.value_ranges), list(layout.modalities),
        federation="fed", federation_sites=3, federation_windows={"CT": window},
    ))


def _train(data_dir: Path, task: TaskDefinition) -> Checkpoint:
    train_local(data_dir, LocalTrainingOptions(
        rounds=1, epochs_per_round=1.0, noise_multiplier=1.0, device="cpu", task=task,
        expected_batch_patients=3, from_scratch=True, insecure_fixed_dp_seed=1,
    ))
    return latest_checkpoint(data_dir)


def _probabilities(data_dir: Path, checkpoint: Checkpoint, images: list[Path]) -> dict[str, float]:
    (study,) = predict_paths(data_dir, images, checkpoint).studies
    return study.probabilities


def test_inference_uses_the_windows_the_model_was_trained_with(imported_site: Path) -> None:
    task = _federation_task()
    _keep_federation_windows(imported_site, task, TRAINED_WITH)
    checkpoint = _train(imported_site, task)
    assert checkpoint_task(checkpoint).intensity_windows == {"CT": TRAINED_WITH}
    images = [Path(p) for p in labelled_patients(imported_site, split="val")[0].paths]
    before = _probabilities(imported_site, checkpoint, images)

    _keep_federation_windows(imported_site, task, LATER)  # a later statistics round
    assert load_checkpoint_model(checkpoint, imported_site)[1].intensity_windows == {"CT": TRAINED_WITH}
    assert _probabilities(imported_site, checkpoint, images) == before

    statistics_path(imported_site, task.name).unlink()  # another machine: nothing kept
    assert _probabilities(imported_site, checkpoint, images) == before


def test_a_checkpoint_saved_before_windows_were_pinned_uses_the_kept_ones(imported_site: Path) -> None:
    task = _federation_task()
    _keep_federation_windows(imported_site, task, TRAINED_WITH)
    checkpoint = _train(imported_site, task)
    metadata = read_metadata(checkpoint.path)
    del metadata[INTENSITY_WINDOWS_KEY]  # as files were written before the windows travelled
    save_weights(checkpoint.path, load_weights(checkpoint.path), metadata)
    assert checkpoint_task(checkpoint).intensity_windows is None
    assert load_checkpoint_model(checkpoint, imported_site)[1].intensity_windows == {"CT": TRAINED_WITH}
    _keep_federation_windows(imported_site, task, LATER)
    assert load_checkpoint_model(checkpoint, imported_site)[1].intensity_windows == {"CT": LATER}


def test_the_federations_model_pins_the_windows_of_the_round(
    site_templates: dict[str, Path], tmp_path: Path
) -> None:
    """The federated checkpoint (the site's copy of the global model) pins the windows
    this run trained with; a statistics round during the run changes nothing."""
    from siteapp.federation.run_options import RunnerOptions
    from siteapp.federation.site_training import SiteTraining

    data_dir = tmp_path / "a"
    shutil.copytree(site_templates["a"], data_dir)
    task = _federation_task()
    _keep_federation_windows(data_dir, task, TRAINED_WITH)
    plan = FederationPlan.model_validate(
        {"federation": "fed", "sites": ["a", "b", "c"], "mode": "none", "task": task})
    training = SiteTraining(data_dir, plan, RunnerOptions(device="cpu", insecure_fixed_dp_seed=1), "a")
    weights = training.initial_weights()
    rate, steps = training.sampling()
    training.train(weights, 1, 1.0, rate, steps, lambda *_: None, threading.Event())
    _keep_federation_windows(data_dir, task, LATER)
    training.evaluate(weights, 1, 0.5)
    (checkpoint,) = list_checkpoints(data_dir, "federated")
    assert checkpoint_task(checkpoint).intensity_windows == {"CT": TRAINED_WITH}


def test_a_federation_windowed_checkpoint_without_its_windows_is_refused(tmp_path: Path) -> None:
    from siteapp.training.checkpoints import save_checkpoint

    with pytest.raises(ValueError, match="carries none"):
        save_checkpoint(tmp_path, {"w": np.zeros(1, dtype=np.float32)}, source="local", run_id="t",
                        round=1, model_name="compact_cnn", task=_federation_task())
