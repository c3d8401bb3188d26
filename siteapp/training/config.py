"""Named defaults of local training, evaluation and inference.

One place for every number a test, the GUI or an operator may want to change; the
trainer and the CLI take these dataclasses instead of scattered literals.
"""

from __future__ import annotations

from dataclasses import dataclass

# Opacus' way of computing per-sample gradients. "hooks" had the lowest DP/non-DP step
# time on the default model on a CPU (benchmarks/dp_overhead.py prints every mode) and
# is the only mode here that handles the empty batches Poisson sampling produces.
DEFAULT_GRAD_SAMPLE_MODE = "hooks"
GRAD_SAMPLE_MODES = ("hooks", "functorch", "ew", "ghost")
# "functorch" and "ew" fail on an empty batch, which Poisson sampling does produce.
TRAINING_GRAD_SAMPLE_MODES = ("hooks", "ghost")


@dataclass(frozen=True)
class TrainingDefaults:
    """Hyper-parameters of one local round when the plan does not name them."""

    expected_batch_patients: int = 16
    # Adam: on the phantom tasks it reaches in a few epochs what SGD needs many for,
    # and fewer steps means less noise for the same epsilon.
    optimizer: str = "adam"
    learning_rate: float = 2e-3
    momentum: float = 0.9  # SGD only
    epochs_per_round: float = 1.0
    max_grad_norm: float = 1.0
    init_seed: int = 0
    # Leave one core to the GUI and the rest of the machine.
    cpu_threads: int = 0


@dataclass(frozen=True)
class EvaluationDefaults:
    """How validation scores images and turns them into one score per patient."""

    operating_threshold: float = 0.5
    # A CT series can hold hundreds of slices; score an evenly spaced subset.
    max_images_per_patient: int = 16
    patient_aggregation: str = "mean"
    batch_size: int = 64


@dataclass(frozen=True)
class InferenceDefaults:
    """Limits of `infer` on new files."""

    max_images_per_study: int = 64
    saliency_dirname: str = "saliency"
    overlay_alpha: float = 0.45
    overlay_size: int = 256


DEFAULT_TASK = "lung-ct-nodule"
TRAINING = TrainingDefaults()
EVALUATION = EvaluationDefaults()
INFERENCE = InferenceDefaults()
