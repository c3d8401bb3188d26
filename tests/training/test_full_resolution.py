"""The built-in tasks at the resolution their files ask for: a DP round runs on the full
grid, and a public backbone made at the demo grid is refused there instead of silently
used at the wrong scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from siteapp.tasks import demo_task, load_task
from siteapp.training.checkpoints import checkpoint_task, list_checkpoints
from siteapp.training.initial_model import PretrainedWeightsError, initial_model
from siteapp.training.local import LocalTrainingOptions, train_local


def test_a_lung_ct_round_runs_at_the_task_files_full_resolution(imported_site: Path) -> None:
    task = load_task("lung-ct-nodule")
    assert task.matrix == 256 and task.pixel_spacing_mm == 1.4 and task.reduced_from is None
    report = train_local(imported_site, LocalTrainingOptions(
        rounds=1, task=task, from_scratch=True, target_epsilon=5.0, device="cpu",
        expected_batch_patients=4, epochs_per_round=0.5,
    ))
    assert report.rounds and report.epsilon_spent > 0
    (checkpoint,) = list_checkpoints(imported_site)
    assert checkpoint_task(checkpoint).matrix == 256


@pytest.mark.parametrize("name", ["chest-xray", "mammo-mass"])
def test_a_backbone_pretrained_at_the_demo_grid_is_refused_at_full_resolution(name: str) -> None:
    initial_model(demo_task(name))  # where it was made: accepted
    with pytest.raises(PretrainedWeightsError, match="supply a backbone pretrained at this grid"):
        initial_model(load_task(name))
    assert initial_model(load_task(name), pretrained=False) is not None
