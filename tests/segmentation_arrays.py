"""In-memory segmentation patients for the training and federation tests."""

from __future__ import annotations

import numpy as np


def synthetic_masked_patients(
    count: int, images_per_patient: int = 2, matrix: int = 32, seed: int = 0
) -> list[tuple[str, list[np.ndarray], list[np.ndarray]]]:
    """Patients whose images hold a bright disc on noise in every other patient, with the
    disc's label map (0 background, 1 the disc): a segmentation task a U-Net learns in a
    few DP steps."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:matrix, 0:matrix]
    patients = []
    for index in range(count):
        images, masks = [], []
        for _ in range(images_per_patient):
            image = (rng.random((matrix, matrix)) * 0.4).astype(np.float32)
            mask = np.zeros((matrix, matrix), dtype=np.int64)
            if index % 2:
                r, c = rng.integers(matrix // 4, 3 * matrix // 4, size=2)
                radius = rng.uniform(matrix / 10, matrix / 6)
                mask[(yy - r) ** 2 + (xx - c) ** 2 <= radius**2] = 1
                image[mask == 1] += 0.5
            images.append(image)
            masks.append(mask)
        patients.append((f"P{index:03d}", images, masks))
    return patients
