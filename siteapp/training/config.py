"""Named defaults of local training, evaluation and inference.

One place for every number a test, the GUI or an operator may want to change; the
trainer and the CLI take these dataclasses instead of scattered literals.
"""

from __future__ import annotations

from dataclasses import dataclass

# How per-sample gradients are computed. "fused" (siteapp/training/per_sample_grads.py)
# computes them inside the one backward pass instead of next to the summed gradient, and
# clips with Opacus' DPOptimizer from norms taken there: the cheapest mode against a plain
# step, well below Opacus' best ("hooks"); the ratios per batch size are in
# docs/benchmarks.md (dp_overhead, `ratio.*`; benchmarks/dp_overhead.py --all-modes).
# It handles empty Poisson batches; use
# "hooks" for a model with a layer type it has no rule for.
DEFAULT_GRAD_SAMPLE_MODE = "fused"
GRAD_SAMPLE_MODES = ("fused", "hooks", "functorch", "ew", "ghost")
# "functorch" and "ew" fail on an empty batch, which Poisson sampling does produce.
TRAINING_GRAD_SAMPLE_MODES = ("fused", "hooks", "ghost")
# How the step size moves within one round: "constant", or "cosine" (from the learning
# rate down to 0, so a DP round ends on an average of many noisy steps).
LEARNING_RATE_SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class TrainingDefaults:
    """Hyper-parameters of one local round when the plan does not name them."""

    # Tuned for the default path: DP training of the head only, on the task's frozen
    # public backbone (siteapp.training.initial_model); docs/phantom-benchmark.md has the
    # measurements. DP-SGD's noise per step is noise_multiplier * max_grad_norm / batch.
    expected_batch_patients: int = 32
    # Plain SGD: a linear head on fixed features is a convex problem where SGD's large
    # steps beat Adam's, whose per-coordinate normalisation turns noise into full-size
    # steps. 1.0 suits the ~130-parameter head; a model trained from scratch
    # (--from-scratch) needs Adam at ~5e-3 instead.
    optimizer: str = "sgd"
    learning_rate: float = 1.0
    momentum: float = 0.9  # SGD only
    epochs_per_round: float = 2.0
    # Anneal the step to 0 within each round (LEARNING_RATE_SCHEDULES): with SGD at lr 1
    # and constant steps a DP model's validation AUC swung by up to 0.08 from one round to
    # the next; annealed, each round ends on an average of many noisy steps.
    learning_rate_schedule: str = "cosine"
    # With SGD the clip sets the step size of a clipped gradient; 1.0 with lr 1.0 measured best.
    max_grad_norm: float = 1.0
    init_seed: int = 0
    # Leave one core to the GUI and the rest of the machine.
    cpu_threads: int = 0


# A network trained from scratch (every layer, no pretrained backbone) needs Adam at a
# small step instead: SGD at the head's 1.0 diverges (docs/phantom-benchmark.md).
FROM_SCRATCH_OPTIMIZER = "adam"
FROM_SCRATCH_LEARNING_RATE = 5e-3


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


@dataclass(frozen=True)
class PretrainDefaults:
    """Pretraining on the PUBLIC phantom cohort (``siteapp.training.pretrain``).

    The seed is far from the demo's and tests' site seeds (0, 1, ...), so no public
    patient is any hospital's patient. The cohort is modest on purpose: a backbone that
    already solved every site's scanner would leave nothing for the federation to add.
    """

    seed: int = 7919
    # 160 patients x 80 epochs gives a backbone (public validation AUC 1.0) on which
    # every model, local-only DP included, scores 0.99: nothing left to federate. 80 x 45
    # (public AUC 0.80) leaves the head real work (docs/phantom-benchmark.md).
    patients: int = 80
    slices: int = 4
    epochs: float = 45.0
    expected_batch_patients: int = 32
    optimizer: str = "adam"
    learning_rate: float = 3e-3
    # The L2 norm a typical patient's whitened feature vector gets (FeatureWhitener): with
    # DP-SGD's clipping norm 1 and the head's SGD at lr 1, 3 measured best on the demo
    # federation (docs/phantom-benchmark.md).
    feature_norm: float = 3.0
    # How far the public covariance is shrunk towards its average variance before
    # whitening (0.1: 240 public images for 64 channels; docs/phantom-benchmark.md).
    whitening_shrinkage: float = 0.1
    shipped_file: str = "models/lung-ct-nodule-public.safetensors"


PRETRAIN = PretrainDefaults()
