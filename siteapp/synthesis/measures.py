"""How good, and how private-looking, synthetic images are: two measures a site computes
on its own images (nothing here leaves the site).

* :func:`two_sample_auc`, a classifier two-sample test: can a simple classifier tell
  synthetic images from held-out real ones? Its cross-validated AUC is 0.5 when they are
  indistinguishable to it and 1.0 when it always tells them apart. The classifier is a
  ridge-regularised linear one on small features (block means of the image, which see
  the shapes, and block means of the gradient magnitude, which see blur and noise), so
  the number is cheap, deterministic and not a matter of training luck.
* :func:`memorisation`, a nearest-neighbour check: each synthetic image's distance to its
  nearest real TRAINING image, against each held-out real image's distance to its
  nearest training image. A generator that copies its training patients puts synthetic
  images closer to them than unseen real patients are; the report says how many
  synthetic images are closer than the 5th percentile of the held-out distances.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from siteapp.training.metrics import roc_auc

# Block size of the two-sample test's features (a 48 px image gives 8 x 8 blocks of 6 px).
FEATURE_BLOCKS = 8
RIDGE = 1.0
FOLDS = 2
# A synthetic image nearer a training image than this quantile of the held-out real
# images' nearest distances counts as suspiciously close.
CLOSE_QUANTILE = 0.05


def _blocks(images: np.ndarray, blocks: int) -> np.ndarray:
    n, h, w = images.shape
    bh, bw = h // blocks, w // blocks
    trimmed = images[:, : bh * blocks, : bw * blocks]
    return trimmed.reshape(n, blocks, bh, blocks, bw).mean(axis=(2, 4)).reshape(n, -1)


def image_features(images: np.ndarray) -> np.ndarray:
    """Block means of the images and of their gradient magnitude, ``(N, 2 x blocks^2)``."""
    x = np.asarray(images, dtype=np.float64).reshape(len(images), *np.shape(images)[-2:])
    gy, gx = np.gradient(x, axis=(1, 2))
    return np.concatenate([_blocks(x, FEATURE_BLOCKS), _blocks(np.hypot(gx, gy), FEATURE_BLOCKS)], axis=1)


def two_sample_auc(real: np.ndarray, synthetic: np.ndarray, seed: int = 0) -> float:
    """Cross-validated AUC of a ridge classifier telling ``synthetic`` from ``real``
    images (``(N, H, W)`` arrays); 0.5 is the ideal. The seed only shuffles the folds."""
    features = np.concatenate([image_features(real), image_features(synthetic)])
    labels = np.concatenate([np.zeros(len(real)), np.ones(len(synthetic))])
    order = np.random.default_rng(seed).permutation(len(labels))
    folds = np.array_split(order, FOLDS)
    scores = np.empty(len(labels))
    for k, test in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != k])
        mean, std = features[train].mean(0), features[train].std(0) + 1e-8
        a = np.c_[(features[train] - mean) / std, np.ones(len(train))]
        target = labels[train] * 2 - 1
        coef = np.linalg.solve(a.T @ a + RIDGE * np.eye(a.shape[1]), a.T @ target)
        scores[test] = np.c_[(features[test] - mean) / std, np.ones(len(test))] @ coef
    auc = roc_auc(labels, scores)
    return float("nan") if auc is None else auc


@dataclass(frozen=True)
class MemorisationReport:
    """Nearest-training-image distances (root mean square over pixels)."""

    synthetic_median: float
    held_out_median: float
    synthetic_min: float
    held_out_min: float
    # Synthetic images nearer a training image than CLOSE_QUANTILE of the held-out ones.
    close_fraction: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def _nearest(queries: np.ndarray, references: np.ndarray) -> np.ndarray:
    q = queries.reshape(len(queries), -1).astype(np.float64)
    r = references.reshape(len(references), -1).astype(np.float64)
    squared = (q**2).sum(1)[:, None] + (r**2).sum(1)[None, :] - 2 * q @ r.T
    return np.sqrt(np.maximum(squared.min(axis=1), 0.0) / q.shape[1])


def memorisation(training: np.ndarray, held_out: np.ndarray, synthetic: np.ndarray) -> MemorisationReport:
    """Compare synthetic and held-out real images by their nearest training image."""
    synth = _nearest(synthetic, training)
    held = _nearest(held_out, training)
    threshold = float(np.quantile(held, CLOSE_QUANTILE))
    return MemorisationReport(
        synthetic_median=float(np.median(synth)), held_out_median=float(np.median(held)),
        synthetic_min=float(synth.min()), held_out_min=float(held.min()),
        close_fraction=float(np.mean(synth < threshold)),
    )
