"""The model every training run starts from: one code path for local training, the
federation's initial global model, the benchmarks and the demo.

A seeded build of the zoo model, whose backbone is replaced by the task preset's
pretrained PUBLIC weights (``pretrained_weights``, made by ``siteapp.training.pretrain``,
with the public cohort's feature statistics that whiten the head's input) and
frozen when the preset says ``freeze_backbone``. The head stays the one drawn from
``init_seed``, so every site of a federation builds the same initial model, and with a
frozen backbone the update a site uploads holds only the head's parameters.
"""

from __future__ import annotations

from pathlib import Path

from siteapp.errors import UserFacingError
from siteapp.tasks import RESOURCES_DIR, TaskPreset
from siteapp.training.models import ZooModel, build_model, freeze_backbone, freeze_stages
from siteapp.training.weights import WeightsFileError, load_state, load_weights, read_metadata

# What a pretrained file gives a model: the backbone and the public feature statistics.
PRETRAINED_PREFIXES = ("backbone.", "whiten.")


class PretrainedWeightsError(UserFacingError):
    """The preset's pretrained weights are missing or were made for another task/model."""


def pretrained_weights_path(task: TaskPreset) -> Path | None:
    """The preset's pretrained weights file, or None when the task has none."""
    if not task.pretrained_weights:
        return None
    return RESOURCES_DIR / task.pretrained_weights


def uses_pretrained(task: TaskPreset, model_name: str) -> bool:
    """Whether a run of ``model_name`` on ``task`` starts from the preset's weights:
    they exist for the task's default model only (another architecture cannot load them)."""
    return pretrained_weights_path(task) is not None and model_name == task.default_model


def load_pretrained_backbone(model: ZooModel, task: TaskPreset, path: Path) -> None:
    """Copy the backbone tensors and public feature statistics of ``path`` into
    ``model`` after checking its metadata."""
    try:
        metadata = read_metadata(path)
        weights = load_weights(path)
    except WeightsFileError as exc:
        raise PretrainedWeightsError(
            f"the pretrained weights of task '{task.name}' cannot be read ({exc}); "
            "run `make pretrained` to rebuild them, or train with --from-scratch"
        ) from exc
    if metadata.get("task") != task.name or metadata.get("model") != task.default_model:
        raise PretrainedWeightsError(
            f"{path} was pretrained for task '{metadata.get('task')}' and model "
            f"'{metadata.get('model')}', not '{task.name}' / '{task.default_model}'; "
            "run `make pretrained` to rebuild it"
        )
    grid = (metadata.get("matrix"), metadata.get("pixel_spacing_mm"))
    if grid != (None, None) and grid != (str(task.matrix), f"{task.pixel_spacing_mm:g}"):
        raise PretrainedWeightsError(
            f"{path} was pretrained on images of {grid[0]} px of {grid[1]} mm, but task "
            f"'{task.name}' trains at {task.matrix} px of {task.pixel_spacing_mm:g} mm; supply "
            "a backbone pretrained at this grid, or train with --from-scratch"
        )
    load_state(model, {k: v for k, v in weights.items() if k.startswith(PRETRAINED_PREFIXES)})


def initial_model(
    task: TaskPreset,
    model_name: str | None = None,
    init_seed: int = 0,
    *,
    pretrained: bool = True,
    freeze: bool | None = None,
) -> ZooModel:
    """The starting model of a run: seeded head, pretrained backbone where the preset has
    one (``pretrained=False`` trains from scratch), frozen when ``freeze`` says so
    (None: the preset's ``freeze_backbone``; a backbone is only frozen when pretrained,
    since a frozen random backbone would learn nothing)."""
    name = model_name or task.default_model
    model = build_model(name, task, init_seed=init_seed)
    path = pretrained_weights_path(task)
    if not pretrained or path is None or not uses_pretrained(task, name):
        return model
    load_pretrained_backbone(model, task, path)
    if task.freeze_backbone if freeze is None else freeze:
        freeze_backbone(model)
    return model


def operator_initial_model(
    task: TaskPreset, model_name: str, init_seed: int, weights_file: Path, frozen_stages: int
) -> ZooModel:
    """The starting model of a federation whose operator supplied the weights: the
    plan's network with the seeded head, its backbone (and head, if the file is in
    MedFed's own names) from ``weights_file``, stages ``0 .. frozen_stages - 1`` frozen.
    The same file, seed and stage count give every site the same model."""
    from siteapp.training.pretrained_weights import load_pretrained_network

    model = build_model(model_name, task, init_seed=init_seed)
    load_pretrained_network(model, weights_file)
    freeze_stages(model, frozen_stages)
    return model


def plan_update_length(task: str | TaskPreset, model_name: str | None = None, init_seed: int = 0) -> int:
    """The ``update_length`` a ckks or masking plan states for this task and model: the
    values of one update, as every site of the federation will flatten it."""
    from siteapp.tasks import resolve_task
    from siteapp.training.weights import update_length

    return update_length(initial_model(resolve_task(task), model_name, init_seed))
