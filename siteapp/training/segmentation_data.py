"""Segmentation examples: a patient's images with their masks, on the task's grid.

The patient stays the DP record (:class:`siteapp.training.datasets.PatientDataset`):
each draw picks one of the patient's images through the same secret per-patient stream,
and the target is that image's label map (0 background, ``k`` the task's class ``k``)
instead of one class. Masks are moved onto the task's grid the way the images are
(:func:`siteapp.dicom.pixels.resample`: same centre, spacing and anti-aliasing), one
region at a time, and each pixel takes the region that covers most of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from siteapp.dicom.pixels import resample
from siteapp.training.datasets import ImageLoader, PatientDataset, PatientRecord

#: ``(patient_index, image_index) -> (matrix, matrix)`` integer label map.
MaskLoader = Callable[[int, int], np.ndarray]
# A pixel belongs to a region when the region covers at least half of it.
REGION_COVER = 0.5


def resample_labels(
    labels: np.ndarray, spacing_mm: tuple[float, float] | None, target_mm: float,
    matrix: int, num_classes: int,
) -> np.ndarray:
    """A label map (values ``0 .. num_classes - 1``) on the task's grid: each region's
    indicator resampled as the image is; a pixel takes the region covering most of it
    when that is at least :data:`REGION_COVER`, else background."""
    labels = np.asarray(labels)
    cover = np.stack([
        resample((labels == k).astype(np.float32), spacing_mm, target_mm, matrix)
        for k in range(1, num_classes)
    ]) if num_classes > 1 else np.zeros((0, matrix, matrix), np.float32)
    out = np.zeros((matrix, matrix), dtype=np.int64)
    if len(cover):
        best = cover.argmax(axis=0)
        out = np.where(cover.max(axis=0) >= REGION_COVER, best + 1, 0)
    return out.astype(np.int64)


def labels_on_image_grid(
    labels: np.ndarray, image_shape: tuple[int, int], spacing_mm: tuple[float, float] | None,
    target_mm: float,
) -> np.ndarray:
    """A task-grid label map carried back onto the original image's pixels (nearest
    grid pixel; outside the task's field of view, background): the inverse of the
    geometry of :func:`siteapp.dicom.pixels.resample`."""
    matrix = labels.shape[0]
    rows, cols = image_shape
    if spacing_mm is None or min(spacing_mm) <= 0:
        step_r = step_c = max(rows, cols) / matrix
    else:
        step_r, step_c = target_mm / spacing_mm[0], target_mm / spacing_mm[1]
    centre = (matrix - 1) / 2.0
    grid_r = np.rint(centre + (np.arange(rows) - (rows - 1) / 2.0) / step_r).astype(int)
    grid_c = np.rint(centre + (np.arange(cols) - (cols - 1) / 2.0) / step_c).astype(int)
    inside_r = (grid_r >= 0) & (grid_r < matrix)
    inside_c = (grid_c >= 0) & (grid_c < matrix)
    out = labels[np.ix_(np.clip(grid_r, 0, matrix - 1), np.clip(grid_c, 0, matrix - 1))]
    out = np.where(inside_r[:, None] & inside_c[None, :], out, 0)
    return out.astype(np.uint8)


class SegmentationDataset(PatientDataset):
    """Patients as records; item ``i`` is one image of patient ``i`` (chosen as for
    classification) and its ``(matrix, matrix)`` label map."""

    def __init__(
        self, records: Sequence[PatientRecord], loader: ImageLoader, masks: MaskLoader,
        matrix: int, seed: int | None = None,
    ) -> None:
        super().__init__(records, loader, seed=seed)
        self._masks = masks
        self.matrix = matrix

    def mask(self, patient_index: int, image_index: int) -> torch.Tensor:
        """The label map of one image as a ``(H, W)`` long tensor."""
        return torch.from_numpy(np.asarray(self._masks(patient_index, image_index), dtype=np.int64))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, Any]:
        image_index = self.choose_image(index)
        return self.image(index, image_index), self.mask(index, image_index)

    def targets(self, items: Sequence[Any]) -> torch.Tensor:
        if not items:
            return torch.zeros((0, self.matrix, self.matrix), dtype=torch.long)
        return torch.stack(list(items))

    @classmethod
    def from_masked_arrays(
        cls, patients: Sequence[tuple[str, Sequence[np.ndarray], Sequence[np.ndarray]]],
        seed: int | None = None,
    ) -> SegmentationDataset:
        """A dataset held in memory: ``(key, images, label maps)`` per patient, already on
        one grid. A patient's record label is 1 when any of their maps has a region."""
        images = [list(imgs) for _, imgs, _ in patients]
        masks = [list(m) for _, _, m in patients]
        records = [
            PatientRecord(key, int(any(np.any(m) for m in maps)), len(imgs))
            for (key, _, maps), imgs in zip(patients, images, strict=True)
        ]
        matrix = int(np.shape(images[0][0])[0]) if images else 0
        return cls(records, lambda p, i: images[p][i], lambda p, i: masks[p][i], matrix, seed)
