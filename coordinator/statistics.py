"""The federation's statistics vector and the masking round that sums it.

Both sides read the same layout from the plan (:class:`StatisticsLayout`): for every
modality of the task, ``scanner_slots`` intensity histograms of ``bins`` equal bins over
the modality's value range, then one count per class. A scanner model's slot is a hash
of its modality, manufacturer and model name, so sites that never met agree on where a
scanner's histogram goes (two models may share a slot; they are then summed together).

The statistics run as their own pairwise-masking secure sum beside the training rounds
(:func:`statistics_plan`): the same sites, certificates and relay, a separate round
sequence and state, served under :data:`STATISTICS_PREFIX`. Each site uploads its
noised vector with weight 1, so the published sum is ``(sum of the vectors, sites)``.
Pure: no I/O, numpy only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from coordinator.errors import CoordinatorError
from coordinator.protocol import (
    MIN_SECURE_SITES,
    FederatedStatistics,
    FederationPlan,
    SecureMode,
    Strategy,
)
from coordinator.task_definition import TaskDefinition

#: The statistics' own API lives under this prefix (``/statistics/v1/round`` ...).
STATISTICS_PREFIX = "/statistics"
#: Value ranges (modality units) a plan does not set: CT in Hounsfield units, 12-bit
#: mammography, radiographs up to 14 bits; anything else the 16-bit range.
DEFAULT_VALUE_RANGES: dict[str, tuple[float, float]] = {
    "CT": (-1024.0, 3072.0),
    "MG": (0.0, 4096.0),
    "DX": (0.0, 16384.0),
    "CR": (0.0, 16384.0),
    "MR": (0.0, 4096.0),
}
FALLBACK_VALUE_RANGE = (0.0, 65536.0)
#: Largest value one site may put in a cell of the masked sum (patients' weight): more
#: patients than any site holds, small enough for a 32-bit sum of hundreds of sites.
CELL_CLIP = 100_000.0
_PLAN_SUFFIX = ".stats"


class StatisticsUnavailableError(CoordinatorError):
    """This federation cannot run secure statistics (too few sites for a secure sum)."""


def scanner_key(modality: str, manufacturer: str, model: str) -> str:
    """The name a scanner model's histogram and window go by: ``MODALITY|maker|model``."""
    return "|".join((modality.strip().upper(), manufacturer.strip(), model.strip()))


@dataclass(frozen=True)
class StatisticsLayout:
    """Where each number of the statistics vector sits; the same at every site."""

    modalities: tuple[str, ...]
    scanner_slots: int
    bins: int
    classes: tuple[str, ...]
    value_ranges: tuple[tuple[float, float], ...]  # one per modality

    @classmethod
    def of(cls, plan: FederationPlan) -> StatisticsLayout:
        return cls.for_task(plan.task, plan.statistics)

    @classmethod
    def for_task(cls, task: TaskDefinition, settings: FederatedStatistics | None = None) -> StatisticsLayout:
        """The layout of ``task``'s statistics (a site's own, without a plan: defaults)."""
        settings = settings or FederatedStatistics.model_validate({})
        ranges = tuple(
            tuple(settings.value_ranges.get(m, DEFAULT_VALUE_RANGES.get(m, FALLBACK_VALUE_RANGE)))
            for m in task.modality
        )
        return cls(
            tuple(task.modality), settings.scanner_slots, settings.bins,
            tuple(task.classes), ranges,  # type: ignore[arg-type]
        )

    @property
    def histogram_shape(self) -> tuple[int, int, int]:
        return (len(self.modalities), self.scanner_slots, self.bins)

    @property
    def length(self) -> int:
        modalities, slots, bins = self.histogram_shape
        return modalities * slots * bins + len(self.classes)

    def modality_index(self, modality: str) -> int | None:
        modality = modality.strip().upper()
        return self.modalities.index(modality) if modality in self.modalities else None

    def slot(self, key: str) -> int:
        """The histogram slot of a :func:`scanner_key` (a stable hash, not Python's)."""
        digest = hashlib.sha256(key.encode()).digest()
        return int.from_bytes(digest[:8], "big") % self.scanner_slots

    def edges(self, modality_index: int) -> np.ndarray:
        low, high = self.value_ranges[modality_index]
        return np.linspace(low, high, self.bins + 1)

    def split(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(histograms (modalities, slots, bins), class counts)`` of a vector."""
        flat = np.asarray(vector, dtype=np.float64).ravel()
        if flat.size != self.length:
            raise ValueError(f"a statistics vector holds {self.length} values, not {flat.size}")
        cells = self.length - len(self.classes)
        return flat[:cells].reshape(self.histogram_shape), flat[cells:]

    def join(self, histograms: np.ndarray, counts: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(histograms, np.float64).ravel(), np.asarray(counts, np.float64)])


def statistics_plan(plan: FederationPlan) -> FederationPlan:
    """The masking plan of the federation's statistics: its sites, one round, vectors
    of :class:`StatisticsLayout` length weighted 1, within the training plan's deadlines.

    Raises :class:`StatisticsUnavailableError` when the federation has fewer sites than
    a secure sum needs (the sum of two sites minus one's own is the other's)."""
    if len(plan.sites) < MIN_SECURE_SITES:
        raise StatisticsUnavailableError(
            f"secure statistics need at least {MIN_SECURE_SITES} sites; federation "
            f"'{plan.federation}' has {len(plan.sites)}"
        )
    masking = plan.masking.model_dump() if plan.mode is SecureMode.MASKING else {}
    masking.update(clip_range=CELL_CLIP, max_examples_per_site=1)
    return FederationPlan.model_validate({
        **plan.model_dump(exclude={"pretrained", "frozen_weights_sha256", "strategy_params",
                                   "generator", "augmentation"}),
        "federation": plan.federation[: 64 - len(_PLAN_SUFFIX)] + _PLAN_SUFFIX,
        "mode": SecureMode.MASKING,
        "strategy": Strategy.FEDAVG,
        "rounds": 1,
        "min_sites": min(len(plan.sites), max(plan.min_sites, MIN_SECURE_SITES)),
        "masking": masking,
        "update_length": StatisticsLayout.of(plan).length,
        "validation": {"mechanism": "off"},
    })
