"""Patient-indexed datasets: the patient, not the image, is the DP record.

Item ``i`` of a :class:`PatientDataset` is patient ``i``. Each time a patient is drawn,
ONE of that patient's images is picked uniformly at random, so a Poisson-sampled batch
holds at most one image per patient and Opacus' per-sample gradients are per-patient
gradients: clipping bounds what one patient contributes to a step whatever the number of
slices they have. Over many steps every image of a patient is seen.

The image choice is secret and per patient: every patient has a stream of their own,
keyed by a secret drawn from the operating system (or, for tests and the demo only, by
the explicit fixed seed) and by their pseudonymous key, so the image one patient
contributes never depends on which other patients exist or were drawn before them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch.utils.data import Dataset

from siteapp.errors import UserFacingError
from siteapp.privacy.randomness import patient_stream_key, secret_seed
from siteapp.tasks import TaskPreset

if TYPE_CHECKING:
    from siteapp.dicom.dataset_source import PatientImages

ImageLoader = Callable[[int, int], np.ndarray]


class NoTrainingDataError(UserFacingError):
    """There are no labelled patients to train or evaluate on."""


@dataclass(frozen=True)
class PatientRecord:
    """One patient: a key (pseudonymous), a class index and how many images they have.
    ``synthetic``: made by the site's generator (``siteapp.synthesis``), never a real patient."""

    key: str
    label: int
    num_images: int
    synthetic: bool = False


class PatientDataset(Dataset[tuple[torch.Tensor, int]]):
    """Patients as records; ``loader(patient_index, image_index)`` returns one image as a
    float32 ``(matrix, matrix)`` array in [0, 1] (a 3D task's: one ``(depth, matrix,
    matrix)`` volume).

    ``seed`` None (every real run) keys the image choice with OS entropy; an integer is
    the tests' and demo's fixed seed (``insecure_fixed_dp_seed``)."""

    def __init__(
        self, records: Sequence[PatientRecord], loader: ImageLoader, seed: int | None = None
    ) -> None:
        empty = [r.key for r in records if r.num_images < 1]
        if empty:
            raise NoTrainingDataError(
                f"patient {empty[0]} has no images; label or import them first"
            )
        self.records = list(records)
        self._loader = loader
        self._key = secret_seed() if seed is None else int(seed)
        self._streams: dict[int, np.random.Generator] = {}

    def __len__(self) -> int:
        return len(self.records)

    def joined(self, extra: PatientDataset) -> PatientDataset:
        """This dataset's patients followed by ``extra``'s, keeping this one's secret
        image-choice key (each real patient draws the same images as before)."""
        count = len(self.records)

        def load(patient_index: int, image_index: int) -> np.ndarray:
            if patient_index < count:
                return self._loader(patient_index, image_index)
            return extra._loader(patient_index - count, image_index)

        return PatientDataset([*self.records, *extra.records], load, seed=self._key)

    @property
    def real_records(self) -> int:
        """Patients that are not synthetic: the records the privacy ledger counts."""
        return sum(not r.synthetic for r in self.records)

    def labels(self) -> np.ndarray:
        return np.array([r.label for r in self.records], dtype=np.int64)

    def targets(self, items: Sequence[Any]) -> torch.Tensor:
        """A batch's targets as one tensor (here class indices ``(N,)``); also for an
        empty batch."""
        return torch.tensor([int(item) for item in items], dtype=torch.long)

    def image(self, patient_index: int, image_index: int) -> torch.Tensor:
        """Image ``image_index`` of a patient as a ``(1, H, W)`` (or ``(1, D, H, W)``) tensor."""
        array = np.asarray(self._loader(patient_index, image_index), dtype=np.float32)
        return torch.from_numpy(array).unsqueeze(0)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        record = self.records[index]
        return self.image(index, self.choose_image(index)), record.label

    def choose_image(self, patient_index: int) -> int:
        """The next image of this patient's own stream (see the module docstring)."""
        record = self.records[patient_index]
        stream = self._streams.get(patient_index)
        if stream is None:
            stream = np.random.default_rng([self._key, patient_stream_key(record.key)])
            self._streams[patient_index] = stream
        return int(stream.integers(record.num_images))

    def evaluation_indices(self, patient_index: int, limit: int) -> list[int]:
        """Evenly spaced image indices of a patient, at most ``limit`` of them."""
        count = self.records[patient_index].num_images
        if count <= limit:
            return list(range(count))
        return sorted({int(i) for i in np.linspace(0, count - 1, limit).round()})

    @classmethod
    def from_arrays(
        cls, patients: Sequence[tuple[str, int, Sequence[np.ndarray]]], seed: int | None = None
    ) -> PatientDataset:
        """A dataset held in memory: ``(key, label, images)`` per patient."""
        images = [list(imgs) for _, _, imgs in patients]
        records = [
            PatientRecord(k, int(y), len(imgs))
            for (k, y, _), imgs in zip(patients, images, strict=True)
        ]
        return cls(records, lambda p, i: images[p][i], seed=seed)


def site_dataset(
    data_dir: Path, task: TaskPreset, split: str, seed: int | None = None
) -> PatientDataset:
    """The site's labelled patients of ``split`` (train/val/test), read through the
    preprocessing cache. Labels are mapped to class indices of ``task``. A ``3d_volume``
    task gets one volume per study (:mod:`siteapp.training.volumes`), a segmentation
    task the masked patients' images and masks (:mod:`siteapp.training.segmentation_site`),
    any other one image per draw."""
    from coordinator.task_definition import InputKind
    from siteapp.dicom.cache import PreprocessCache
    from siteapp.statistics.windows import task_with_windows

    task = task_with_windows(task, data_dir)
    if task.input.kind is InputKind.VOLUME_3D:
        from siteapp.training.volumes import volume_dataset

        return volume_dataset(data_dir, task, split, seed=seed)
    if task.is_segmentation:
        from siteapp.training.segmentation_site import site_segmentation_dataset

        return site_segmentation_dataset(data_dir, task, split, seed=seed)
    patients = task_patients(data_dir, task, split)
    cache = PreprocessCache(data_dir)
    records = [
        PatientRecord(str(p.patient_key), patient_class(task, p), len(p.instance_uids))
        for p in patients
    ]

    def load(patient_index: int, image_index: int) -> np.ndarray:
        p = patients[patient_index]
        return cache.load(p.instance_uids[image_index], Path(p.paths[image_index]), task)

    return PatientDataset(records, load, seed=seed)


def task_patients(data_dir: Path, task: TaskPreset, split: str) -> list[PatientImages]:
    """The labelled patients of ``split`` with images the task uses (modality, series
    filter); :class:`NoTrainingDataError` when there are none."""
    from siteapp.dicom.dataset_source import labelled_patients

    patients = [
        p
        for p in labelled_patients(
            data_dir, split=split, modality=task.modality, series=task.series_filter.accepts
        )
        if p.instance_uids
    ]
    if not patients:
        raise NoTrainingDataError(
            f"no labelled patients in the '{split}' split; import studies, label them and "
            "make a train/validation split first"
        )
    return patients


def patient_class(task: TaskPreset, patient: PatientImages) -> int:
    """The class index of a patient's label; :class:`NoTrainingDataError` when the task
    does not know the label."""
    try:
        return task.class_index(str(patient.label))
    except ValueError:
        raise NoTrainingDataError(
            f"patient {patient.patient_key} has label '{patient.label}', which task {task.name} "
            f"does not know (classes: {', '.join(task.classes)}); fix the label"
        ) from None


class PoissonPatientSampler:
    """Batches of patient indices for DP-SGD: each step includes every patient
    independently with probability ``sample_rate`` (batches vary in size, may be empty).

    This is the sampling the RDP accountant assumes; a fixed-size shuffled batch would
    not match the epsilon the ledger records, and neither would batches anyone can
    predict: ``seed`` None (every real run) draws from the operating system's entropy.
    """

    def __init__(
        self, num_records: int, sample_rate: float, steps: int, seed: int | None = None
    ) -> None:
        if not 0.0 < sample_rate <= 1.0:
            raise ValueError(f"sample rate must be in (0, 1], got {sample_rate}")
        self.num_records = num_records
        self.sample_rate = sample_rate
        self.steps = steps
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[list[int]]:
        for _ in range(self.steps):
            mask = self._rng.random(self.num_records) < self.sample_rate
            yield np.flatnonzero(mask).tolist()
