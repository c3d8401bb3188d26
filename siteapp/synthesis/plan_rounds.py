"""The generator in a federation's rounds, without torch: which rounds train it and how
its weights ride in the federation's one update vector.

A plan with a ``generator`` section trains the generator in rounds ``1 .. rounds`` and the
classifier after them. Every update holds both models' trainable values (the generator's
under :data:`GENERATOR_PREFIX`), the model not trained in that round contributing zeros,
so the coordinator, the encryption modes and the plan's ``update_length`` stay as they
are. A generator round's ledger entry has a context of its own
(:data:`GENERATOR_CONTEXT_SUFFIX`) and composes with the classifier's under the cap.
"""

from __future__ import annotations

import numpy as np

from coordinator.protocol import FederationPlan

GENERATOR_PREFIX = "synthetic_generator."
GENERATOR_CONTEXT_SUFFIX = ":generator"
WeightDict = dict[str, np.ndarray]


def is_generator_round(plan: FederationPlan, number: int) -> bool:
    """Whether round ``number`` trains the generator (rounds 1 .. generator.rounds; a
    failed round among them is not repeated)."""
    return plan.generator is not None and number <= plan.generator.rounds


def synthetic_count(plan: FederationPlan) -> int:
    """How many synthetic patients a classifier round adds (0 without augmentation)."""
    if plan.augmentation is None:
        return 0
    return len(plan.augmentation.classes) * plan.augmentation.images_per_class


def joined_weights(classifier: WeightDict, generator: WeightDict) -> WeightDict:
    """One weight dict for the update vector: the classifier's, then the generator's."""
    return {**classifier, **{GENERATOR_PREFIX + k: v for k, v in generator.items()}}


def split_weights(weights: WeightDict) -> tuple[WeightDict, WeightDict]:
    """``(classifier, generator)`` parts of a joined weight dict."""
    classifier = {k: v for k, v in weights.items() if not k.startswith(GENERATOR_PREFIX)}
    generator = {k[len(GENERATOR_PREFIX):]: v for k, v in weights.items() if k.startswith(GENERATOR_PREFIX)}
    return classifier, generator


def zeros_like(weights: WeightDict) -> WeightDict:
    return {k: np.zeros_like(v) for k, v in weights.items()}
