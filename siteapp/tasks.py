"""The tasks a site knows: the built-in task files and those of its federations' plans.

A task is a :class:`coordinator.task_definition.TaskDefinition` (the file format is in
``docs/task-files.md``). Built-in tasks live in ``resources/tasks/<name>.json``; a site
enrolled in a federation also keeps the plan's task in ``<data dir>/tasks/<name>.json``
so that pages, checkpoints and the CLI can find a task the operator wrote.
"""

from __future__ import annotations

from pathlib import Path

from coordinator.task_definition import (
    TaskDefinition,
    TaskFileError,
    builtin_task,
    builtin_task_names,
    read_task_file,
    resources_dir,
)

RESOURCES_DIR = resources_dir()
SITE_TASKS_DIRNAME = "tasks"

#: The name the code used before tasks were files; kept so existing imports read on.
TaskPreset = TaskDefinition


class UnknownTaskError(TaskFileError):
    """The task name matches no built-in task and no task of this site's federations."""


def load_task(name: str, data_dir: Path | None = None) -> TaskDefinition:
    """The task called ``name``, at the resolution its file asks for: this site's copy of
    a federation's task first (when ``data_dir`` is given), then the built-in ones."""
    if data_dir is not None:
        path = Path(data_dir) / SITE_TASKS_DIRNAME / f"{name}.json"
        if path.is_file():
            return read_task_file(path)
    try:
        return builtin_task(name)
    except TaskFileError:
        known = ", ".join(available_tasks(data_dir)) or "none"
        raise UnknownTaskError(f"'{name}'", [f"unknown task (known tasks: {known})"]) from None


def resolve_task(task: str | TaskDefinition, data_dir: Path | None = None) -> TaskDefinition:
    """``task`` itself, or the site's task of that name (:func:`load_task`)."""
    return task if isinstance(task, TaskDefinition) else load_task(task, data_dir)


def demo_task(name: str) -> TaskDefinition:
    """A built-in task at its demo working resolution (the demo, the tests, the public
    pretraining); the result records the resolution the task file asks for."""
    return load_task(name).at_demo_resolution()


def available_tasks(data_dir: Path | None = None) -> list[str]:
    """Built-in task names and those kept from this site's federations."""
    names = set(builtin_task_names())
    if data_dir is not None:
        names |= {p.stem for p in (Path(data_dir) / SITE_TASKS_DIRNAME).glob("*.json")}
    return sorted(names)


def keep_federation_task(data_dir: Path, task: TaskDefinition) -> Path:
    """Store a plan's task at the site so pages and checkpoints can resolve its name."""
    folder = Path(data_dir) / SITE_TASKS_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{task.name}.json"
    path.write_text(task.model_dump_json(indent=2, exclude_none=True), encoding="utf-8")
    return path


__all__ = [
    "RESOURCES_DIR", "TaskDefinition", "TaskPreset", "UnknownTaskError", "available_tasks",
    "demo_task", "keep_federation_task", "load_task", "read_task_file", "resolve_task",
]
