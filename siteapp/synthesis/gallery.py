"""Synthetic samples per class beside real ones, for staff to judge the generator.

A plain function the GUI calls in a worker (and a test can call directly): it reads the
enrolled plan, the latest global weights this site decrypted or downloaded, and a few of
this site's own training images per class. Nothing here is sent or stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from siteapp.errors import UserFacingError
from siteapp.federation.settings import STATE_DIRNAME

DEFAULT_PER_CLASS = 4
_WEIGHTS_FILE = re.compile(r"^round-(\d{4,})\.weights\.safetensors$")


class NoGeneratorError(UserFacingError):
    """This site has no generator to draw from yet; the message says why."""


@dataclass(frozen=True)
class Gallery:
    """``real[c]`` and ``synthetic[c]``: ``(H, W)`` images in [0, 1] of class ``classes[c]``."""

    classes: tuple[str, ...]
    real: tuple[tuple[np.ndarray, ...], ...]
    synthetic: tuple[tuple[np.ndarray, ...], ...]
    after_round: int


def latest_generator_round(data_dir: Path, federation: str) -> tuple[int, Path] | None:
    """The newest global weights file with a trained generator (round >= 1), or None."""
    folder = Path(data_dir) / STATE_DIRNAME / federation / "global"
    found = [(int(m.group(1)), p) for p in folder.glob("round-*.weights.safetensors")
             if (m := _WEIGHTS_FILE.match(p.name)) and int(m.group(1)) >= 1]
    return max(found) if found else None


def synthetic_gallery(data_dir: Path, per_class: int = DEFAULT_PER_CLASS) -> Gallery:
    """``per_class`` real training images and ``per_class`` synthetic ones per class."""
    from safetensors.numpy import load_file

    from siteapp.federation.enrolment import load_enrolled_kit
    from siteapp.synthesis.generator import sample_images
    from siteapp.synthesis.plan_rounds import split_weights
    from siteapp.synthesis.synthetic_data import generator_with, plan_generator
    from siteapp.training.datasets import site_dataset

    _, kit = load_enrolled_kit(Path(data_dir))
    plan = kit.plan
    generator = plan_generator(plan, plan.task)
    if generator is None:
        raise NoGeneratorError(
            f"federation '{plan.federation}' trains no generator of synthetic images (its plan "
            "has no generator section); ask the operator if you need one"
        )
    latest = latest_generator_round(Path(data_dir), plan.federation)
    if latest is None:
        raise NoGeneratorError(
            "no generator round has been aggregated at this site yet; join the federation's "
            "rounds first, then look again"
        )
    number, path = latest
    _, weights = split_weights(load_file(path))
    generator = generator_with(generator, weights)
    dataset = site_dataset(Path(data_dir), plan.task, "train")
    labels = dataset.labels()
    real, synthetic = [], []
    for index in range(plan.task.num_classes):
        patients = np.flatnonzero(labels == index)[:per_class]
        real.append(tuple(dataset.image(int(p), 0)[0].numpy() for p in patients))
        drawn = sample_images(generator, [index] * per_class).numpy()[:, 0]
        synthetic.append(tuple(drawn))
    return Gallery(tuple(plan.task.classes), tuple(real), tuple(synthetic), number)
