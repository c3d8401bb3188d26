"""Named defaults of local training, evaluation and inference.

One place for every number a test, the GUI or an operator may want to change; the
trainer and the CLI take these dataclasses instead of scattered literals.
"""

from __future__ import annotations

from dataclasses import dataclass

# How per-sample gradients are computed. "fused" (siteapp/training/per_sample_grads.py)
# computes them inside the one backward pass instead of next to the summed gradient, and
# clips with Opacus' DPOptimizer from norms taken there: on the default model on a CPU its
# DP step costs about 1.5x a plain step, Opacus' best mode ("hooks") 2.1-2.6x, the others
# more (benchmarks/dp_overhead.py --all-modes). It handles empty Poisson batches; use
# "hooks" for a model with a layer type it has no rule for.
DEFAULT_GRAD_SAMPLE_MODE = "fused"
GRAD_SAMPLE_MODES = ("fused", "hooks", "functorch", "ew", "ghost")
# "functorch" and "ew" fail on an empty batch, which Poisson sampling does produce.
TRAINING_GRAD_SAMPLE_MODES = ("fused", "hooks", "ghost")


@dataclass(frozen=True)
class TrainingDefaults:
    """Hyper-parameters of one local round when the plan does not name them."""

    # DP-SGD's noise per step is noise_multiplier * max_grad_norm / batch, so larger
    # batches help, but 128+ leave a 100-patient site too few steps for a model trained
    # from scratch (docs/phantom-benchmark.md has the measurements).
    expected_batch_patients: int = 32
    # Adam: on the phantom tasks it reaches in a few epochs what SGD needs many for,
    # and fewer steps means less noise for the same epsilon.
    optimizer: str = "adam"
    learning_rate: float = 5e-3
    momentum: float = 0.9  # SGD only
    # A round of one epoch is only ~3 steps at a 100-patient site; compact_cnn needs
    # ~100 steps to leave the "predict the majority class" plateau even without DP.
    epochs_per_round: float = 2.0
    # Per-patient gradient norms are ~10, so every gradient is clipped; with Adam the
    # clip then only sets the noise scale relative to the signal, which is the same
    # ratio for any clip value, so 1.0 is kept (see docs/phantom-benchmark.md).
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
