"""Preprocessed-pixel cache, so training epochs after the first read no DICOM.

Entries live under ``<data_dir>/cache/<task>/`` as ``.npy`` files named by a hash of
the instance UID and every task setting that changes the pixels (plus a pipeline
version), so changing the matrix or window never serves stale images. Writes go to a
unique temporary file renamed into place, which is atomic: several threads or
processes may fill the cache at once and a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from pathlib import Path

import numpy as np

from siteapp.dicom.config import CACHE_DIRNAME
from siteapp.dicom.pixels import preprocess
from siteapp.tasks import TaskPreset

#: Bump when ``pixels.preprocess`` changes its output, to invalidate every entry.
PIPELINE_VERSION = 1


class PreprocessCache:
    """Load preprocessed images, computing and storing them on first use."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / CACHE_DIRNAME
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def entry_path(self, instance_uid: str, task: TaskPreset, frame: int = 0) -> Path:
        key = "|".join(map(str, (PIPELINE_VERSION, instance_uid, frame, task.name, *task.pixel_settings)))
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.root / task.name / digest[:2] / f"{digest}.npy"

    def load(self, instance_uid: str, path: Path, task: TaskPreset, frame: int = 0) -> np.ndarray:
        """The image ``preprocess(path, task, frame)`` returns, from the cache when present."""
        entry = self.entry_path(instance_uid, task, frame)
        try:
            image = np.load(entry, allow_pickle=False)
        except (OSError, ValueError):
            image = None  # missing, or damaged by a crash outside our atomic writes
        if image is not None and image.shape == (task.matrix, task.matrix):
            with self._lock:
                self.hits += 1
            return image
        image = preprocess(Path(path), task, frame)
        self._store(entry, image)
        with self._lock:
            self.misses += 1
        return image

    def _store(self, entry: Path, image: np.ndarray) -> None:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.stem}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        try:
            with tmp.open("wb") as fh:
                np.save(fh, image, allow_pickle=False)
            os.replace(tmp, entry)
        except OSError:
            tmp.unlink(missing_ok=True)  # a full disk only costs recomputation later
