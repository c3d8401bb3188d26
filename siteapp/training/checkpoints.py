"""Model checkpoints of a site: safetensors files under ``<data_dir>/models/`` indexed
in the site store (component ``models``) with their round, origin and metrics.

A checkpoint's metadata holds its task's whole definition and, for a task windowed with
the federation's intensity percentiles, the windows it was trained with: the model is
run with those, on any machine, whatever statistics round came later.

The GUI lists them to show local-only and federated results side by side. Inference
uses the model staff pinned, else the newest FEDERATED one, else the newest local-only
one (:func:`inference_checkpoint`): a local-only baseline trained later never silently
replaces the federation's model. A checkpoint file is written atomically before its row is added,
so the index never points at a half-written file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from coordinator.task_definition import PercentileScope
from siteapp.errors import UserFacingError
from siteapp.store import apply_migrations, open_site_db
from siteapp.tasks import TaskDefinition, load_task

COMPONENT = "models"
TASK_DEFINITION_KEY = "task_definition"
INTENSITY_WINDOWS_KEY = "intensity_windows"
MODELS_DIRNAME = "models"
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE model_checkpoints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,
        run_id TEXT NOT NULL,
        round INTEGER NOT NULL,
        model_name TEXT NOT NULL,
        task TEXT NOT NULL,
        path TEXT NOT NULL,
        epsilon REAL,
        metrics_json TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
    );
    CREATE INDEX model_checkpoints_created ON model_checkpoints(id);
    """,
    """
    CREATE TABLE inference_pin (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        checkpoint_id INTEGER NOT NULL REFERENCES model_checkpoints(id),
        pinned_at TEXT NOT NULL
    );
    """,
)


class NoModelError(UserFacingError):
    """There is no trained model to run yet."""


@dataclass(frozen=True)
class Checkpoint:
    id: int
    source: str  # "local" or "federated"
    run_id: str
    round: int
    model_name: str
    task: str
    path: Path
    epsilon: float | None
    metrics: dict[str, object]
    created_at: str


@contextmanager
def _connect(data_dir: Path) -> Iterator[sqlite3.Connection]:
    conn = open_site_db(data_dir)
    try:
        apply_migrations(conn, COMPONENT, MIGRATIONS)
        yield conn
    finally:
        conn.close()


def save_checkpoint(
    data_dir: Path,
    weights: Mapping[str, np.ndarray],
    *,
    source: str,
    run_id: str,
    round: int,
    model_name: str,
    task: TaskDefinition,
    epsilon: float | None = None,
    metrics: Mapping[str, object] | None = None,
) -> Checkpoint:
    """Write ``weights`` (the FULL model state) and index it. The task's whole definition
    goes into the file's metadata: the model is only usable with the same classes, grid
    and windowing (:func:`checkpoint_task`). ``task`` is the one training used: for the
    federation's percentile windows, with the windows attached, which the file pins."""
    # Imported here: the weights module needs torch, and the GUI lists checkpoints on its
    # own thread, where a first torch import would freeze the window for a moment.
    from siteapp.training.weights import save_weights

    data_dir = Path(data_dir)
    path = data_dir / MODELS_DIRNAME / f"{source}-{run_id}-round{round:03d}.safetensors"
    meta = {
        "model_name": model_name,
        "task": task.name,
        TASK_DEFINITION_KEY: task.model_dump_json(exclude_none=True),
        "round": str(round),
        "source": source,
        "run_id": run_id,
    }
    pinned = _pinned_windows(task)
    if pinned is not None:
        meta[INTENSITY_WINDOWS_KEY] = pinned
    save_weights(path, weights, meta)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    metrics_json = json.dumps(dict(metrics or {}))
    with _connect(data_dir) as conn, conn:
        cursor = conn.execute(
            "INSERT INTO model_checkpoints(source, run_id, round, model_name, task, path, epsilon,"
            " metrics_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source,
                run_id,
                round,
                model_name,
                task.name,
                str(path.relative_to(data_dir)),
                epsilon,
                metrics_json,
                created,
            ),
        )
    return Checkpoint(
        int(cursor.lastrowid or 0),
        source,
        run_id,
        round,
        model_name,
        task.name,
        path,
        epsilon,
        dict(metrics or {}),
        created,
    )


def _row(data_dir: Path, row: sqlite3.Row) -> Checkpoint:
    return Checkpoint(
        id=int(row["id"]),
        source=row["source"],
        run_id=row["run_id"],
        round=int(row["round"]),
        model_name=row["model_name"],
        task=row["task"],
        path=Path(data_dir) / row["path"],
        epsilon=row["epsilon"],
        metrics=json.loads(row["metrics_json"]),
        created_at=row["created_at"],
    )


def list_checkpoints(data_dir: Path, source: str | None = None) -> list[Checkpoint]:
    """All checkpoints, oldest first, optionally of one source."""
    query = "SELECT * FROM model_checkpoints"
    params: tuple[str, ...] = ()
    if source is not None:
        query += " WHERE source = ?"
        params = (source,)
    with _connect(Path(data_dir)) as conn:
        rows = conn.execute(query + " ORDER BY id", params).fetchall()
    return [_row(Path(data_dir), r) for r in rows]


def latest_checkpoint(data_dir: Path, source: str | None = None) -> Checkpoint:
    """The newest checkpoint; :class:`NoModelError` when there is none."""
    checkpoints = list_checkpoints(data_dir, source)
    if not checkpoints:
        raise NoModelError(
            "this site has no trained model yet; run `medfed-site train --local ...` or join "
            "a federation round first"
        )
    return checkpoints[-1]


def checkpoint_by_id(data_dir: Path, checkpoint_id: int) -> Checkpoint:
    with _connect(Path(data_dir)) as conn:
        row = conn.execute("SELECT * FROM model_checkpoints WHERE id = ?",
                           (int(checkpoint_id),)).fetchone()
    if row is None:
        raise NoModelError(f"there is no model number {checkpoint_id}; "
                           "`medfed-site model list` shows the numbers")
    return _row(Path(data_dir), row)


def pin_for_inference(data_dir: Path, checkpoint_id: int | None) -> Checkpoint | None:
    """Pin the model inference uses (None: back to the default choice)."""
    if checkpoint_id is None:
        with _connect(Path(data_dir)) as conn, conn:
            conn.execute("DELETE FROM inference_pin")
        return None
    checkpoint = checkpoint_by_id(data_dir, checkpoint_id)
    with _connect(Path(data_dir)) as conn, conn:
        conn.execute(
            "INSERT INTO inference_pin(id, checkpoint_id, pinned_at) VALUES (1, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET checkpoint_id = excluded.checkpoint_id,"
            " pinned_at = excluded.pinned_at",
            (checkpoint.id, datetime.now(UTC).isoformat(timespec="seconds")),
        )
    return checkpoint


def pinned_checkpoint_id(data_dir: Path) -> int | None:
    with _connect(Path(data_dir)) as conn:
        row = conn.execute("SELECT checkpoint_id FROM inference_pin WHERE id = 1").fetchone()
    return None if row is None else int(row["checkpoint_id"])


def inference_checkpoint(data_dir: Path) -> Checkpoint:
    """The model inference uses: the pinned one, else the newest federated, else local."""
    pinned = pinned_checkpoint_id(data_dir)
    if pinned is not None:
        return checkpoint_by_id(data_dir, pinned)
    federated = list_checkpoints(data_dir, "federated")
    return federated[-1] if federated else latest_checkpoint(data_dir)


def provenance(checkpoint: Checkpoint) -> str:
    """Where a model comes from, in one line for staff and for the model card."""
    origin = ("the federation's model after round" if checkpoint.source == "federated"
              else "this site's local-only model after round")
    epsilon = "" if checkpoint.epsilon is None else f", this site's epsilon then {checkpoint.epsilon:.2f}"
    return (f"{origin} {checkpoint.round} ({checkpoint.model_name}, task {checkpoint.task}, "
            f"saved {checkpoint.created_at}{epsilon})")


def _pinned_windows(task: TaskDefinition) -> str | None:
    """The federation's windows ``task`` carries, as the checkpoint's metadata pins them.

    Only the federation's: they are one federation-wide normalisation, part of what the
    model learnt. A 'site' scope windows each site's scanners with that site's own
    percentiles, so the site running the model supplies them."""
    if task.windowing.scope is not PercentileScope.FEDERATION:
        return None
    if task.intensity_windows is None:
        raise ValueError(f"task {task.name} uses the federation's windows but the task given "
                         "to save_checkpoint carries none: pass the task training used")
    return json.dumps({key: [low, high] for key, (low, high) in task.intensity_windows.items()})


def checkpoint_task(checkpoint: Checkpoint, data_dir: Path | None = None) -> TaskDefinition:
    """The task a checkpoint was trained for, from its own metadata (older files name a
    task only: it is then looked up among the site's tasks), with the federation's
    windows it was trained with when it pinned them."""
    from siteapp.training.weights import read_metadata

    metadata = read_metadata(checkpoint.path)
    definition = metadata.get(TASK_DEFINITION_KEY)
    task = (TaskDefinition.model_validate_json(definition) if definition
            else load_task(checkpoint.task, data_dir))
    pinned = metadata.get(INTENSITY_WINDOWS_KEY)
    if pinned:
        task = task.with_intensity_windows(
            {key: (low, high) for key, (low, high) in json.loads(pinned).items()})
    return task
