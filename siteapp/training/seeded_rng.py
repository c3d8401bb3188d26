"""Torch's process-wide random generator, shared safely by threads.

Models (the classifier, the synthetic-image generator) draw their initial weights from
torch's global generator under a seed (``init_seed``), so every site builds the same
ones. ``fork_rng`` keeps that from disturbing the rest of the process, but not the other
way round: another thread drawing from the global generator meanwhile (the generator's
reparameterisation noise while a site trains, another build seeding it) takes values out
of the seeded stream, and the model built gets other initial weights than the other
sites'. Several sites run as threads of one process (the loopback federation tests, the
demo), so every seeded build and every draw from the global generator holds this lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Re-entrant: a seeded build may call code that draws under the lock itself. The
# module imports torch only inside seeded(), so torch-free modules may import the lock.
GLOBAL_RNG_LOCK = threading.RLock()


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Torch's global (CPU) generator seeded with ``seed`` for the block, no other thread
    drawing from it meanwhile, and its previous state restored afterwards."""
    import torch

    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
