"""What the Model quality page shows, read from the site's model checkpoints (no Qt).

Every checkpoint carries the validation metrics of that model on this site's held-out
patients (computed by ``siteapp.training`` when it was saved). Federated checkpoints are
the global model of each round; local ones are the site's local-only baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from siteapp.training.checkpoints import Checkpoint, list_checkpoints

# A segmentation model's checkpoints carry "dice" (and "hd95_mm") instead.
METRICS = ("auc", "sensitivity", "specificity", "dice")
SOURCE_FEDERATED = "federated"
SOURCE_LOCAL = "local"


@dataclass(frozen=True)
class MetricSeries:
    """One metric of one model source over rounds (rounds without a value are left out)."""

    rounds: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class QualityPicture:
    federated: dict[str, MetricSeries]
    local: dict[str, MetricSeries]
    latest: Checkpoint | None
    local_run: str | None

    @property
    def empty(self) -> bool:
        return self.latest is None

    @property
    def segmentation(self) -> bool:
        """Whether the latest model labels pixels (its figures are Dice and HD95)."""
        return self.latest is not None and "dice" in self.latest.metrics

    def confusion_matrix(self) -> list[list[int]] | None:
        if self.latest is None:
            return None
        matrix = self.latest.metrics.get("confusion_matrix")
        return [[int(v) for v in row] for row in matrix] if isinstance(matrix, list) else None


def _series(checkpoints: list[Checkpoint]) -> dict[str, MetricSeries]:
    out: dict[str, MetricSeries] = {name: MetricSeries() for name in METRICS}
    for checkpoint in checkpoints:
        for name in METRICS:
            value = checkpoint.metrics.get(name)
            if isinstance(value, (int, float)):
                out[name].rounds.append(checkpoint.round)
                out[name].values.append(float(value))
    return out


def quality_picture(data_dir: Path) -> QualityPicture:
    """Metrics per round of the federated model and of the latest local-only run."""
    checkpoints = list_checkpoints(data_dir)
    federated = [c for c in checkpoints if c.source == SOURCE_FEDERATED]
    local_all = [c for c in checkpoints if c.source == SOURCE_LOCAL]
    local_run = local_all[-1].run_id if local_all else None
    local = [c for c in local_all if c.run_id == local_run]
    latest = federated[-1] if federated else (local[-1] if local else None)
    return QualityPicture(_series(federated), _series(local), latest, local_run)
