"""Named defaults of ``make demo``: the phantom federation, its training and its budget.

One place for every number the demo uses, so the README's claims, the benchmark and the
test all run the same configuration (the test shrinks patients and rounds only).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from coordinator.protocol import SecureMode, Strategy

DEFAULT_DEMO_DIR = Path(os.environ.get("MEDFED_DEMO_DIR", "demo-run"))
DEMO_TASK = "lung-ct-nodule"
# The built-in tasks that have a phantom generator (siteapp.dicom.phantom), so a demo.
DEMO_TASKS = ("lung-ct-nodule", "chest-xray", "mammo-mass", "lung-ct-nodule-3d",
              "lung-ct-nodule-seg")
# A segmentation task's phantom: the classification phantom's images with lesion masks
# (DICOM SEG) beside them.
PHANTOM_OF_TASK = {"lung-ct-nodule-seg": "lung-ct-nodule"}
FEDERATION_NAME = "medfed-demo"

# Positive fractions that ``--skew 1`` moves the three phantom sites to (``--skew 0``
# keeps the scanners' own profiles, 50 / 35 / 25 %): one site sees mostly nodules, one
# almost none, the classic label-skewed federation.
STRONG_SKEW_POSITIVE_FRACTIONS = (0.8, 0.3, 0.1)

# Run-folder layout (``--out``): a site's data folder is ``site-<n>``, stable on purpose:
# ``make gui`` opens ``site-1`` enrolled in the demo federation.
PHANTOM_DIRNAME = "phantom"
FEDERATION_DIRNAME = "federation"
BASELINES_DIRNAME = "baselines"
LOGS_DIRNAME = "logs"
RESULTS_FILENAME = "results.json"
PLOT_FILENAME = "demo-auc.png"


# What a segmentation demo changes (flags not given on the command line): MONAI's U-Net
# trained from scratch needs Adam at a small step (SGD at the head's lr 1 diverges), more
# than one slice per patient (each is an image with a mask) and a looser client clip (the
# U-Net's update is ~80 k values, not a ~130-value head; still well inside CKKS's exact
# range). Fewer, smaller sites keep it to minutes on a laptop CPU.
SEGMENTATION_DEFAULTS: dict[str, Any] = {
    "model": "unet_small", "optimizer": "adam", "learning_rate": 0.03,
    "learning_rate_schedule": "constant", "patients": 80, "slices": 2, "rounds": 5,
    "epochs_per_round": 4, "batch_patients": 16, "update_clip_norm": 20.0,
}


def site_name(number: int) -> str:
    return f"site-{number}"


@dataclass(frozen=True)
class DemoSettings:
    """What one demo run does; every field is a command-line flag of the same name."""

    sites: int = 3
    # Of a full-size site (the third phantom site has half): 360 / 360 / 180 patients, a
    # quarter of each held out: sites small enough that DP noise limits a site alone, while
    # the whitened head learns fast enough that the federation nearly matches the pooled
    # non-DP model (docs/phantom-benchmark.md has the measurements over seeds and draws).
    patients: int = 360
    slices: int = 1  # CT slices per patient (one: the budget goes to more patients)
    seed: int = 0
    skew: float = 0.0  # 0: the scanners' own class balance, 1: STRONG_SKEW_POSITIVE_FRACTIONS
    rounds: int = 8
    epochs_per_round: int = 3
    batch_patients: int = 32  # expected patients per Poisson batch
    # The sites' optimiser, named in the plan and used by both baselines too, so a change
    # of the trainer's default cannot make the comparison unequal. SGD at lr 1 suits the
    # task's default model, whose public pretrained backbone is frozen: DP trains only
    # its ~130-parameter head. A model trained from scratch (``--model lesion_cnn``)
    # needs ``--optimizer adam --learning-rate 5e-3``.
    optimizer: str = "sgd"
    learning_rate: float = 1.0
    # Annealing the step within each round ends it on an average of many noisy DP steps
    # rather than the last few; the centralized non-DP baseline is no worse with it
    # (docs/phantom-benchmark.md).
    learning_rate_schedule: str = "cosine"
    # Per-patient clipping norm of DP-SGD: about the norm of the lesion model's per-patient
    # gradients, so clipping barely biases them and the noise (proportional) stays small.
    max_grad_norm: float = 1.0
    # L2 bound on a site's whole update (post-processing: no privacy cost). It keeps
    # patients x |update| inside the CKKS context's exact range (2**18 / 100 sites per
    # site: 270 training patients x 4 fits) when the local optimiser takes large steps.
    update_clip_norm: float = 4.0
    epsilon_cap: float = 8.0
    delta: float = 1e-5
    model: str = "compact_cnn"  # the task preset's default model (pretrained backbone)
    # The operator's weights file for ``model`` (docs/networks.md) and how many of its
    # stages stay frozen; None: the app's own initial model.
    pretrained_weights: Path | None = None
    frozen_stages: int = 0
    strategy: Strategy = Strategy.FEDAVG
    mode: SecureMode = SecureMode.CKKS
    task: str = DEMO_TASK
    # Train at the resolution the task file asks for (its ``input``) instead of its
    # ``demo_input``, on a phantom generated with detectors fine enough for it.
    full_resolution: bool = False
    # One torch thread per process: the coordinator and three sites share the CPU.
    torch_threads: int = 1
    # Seconds a site may wait for the others in one round before the demo gives up.
    round_wait_s: float = 300.0
    # None: the task file's windowing; image/site/federation: its percentiles (1-99 if it
    # names none) read from each image, the site's or the federation's images of the same
    # scanner model (docs/federated-statistics.md; the harmonisation benchmark).
    windowing_scope: str | None = None

    def working_task(self) -> Any:
        """The task the sites train: at its demo working resolution (with
        ``full_resolution``, at the grid its file asks for), with the windowing
        ``windowing_scope`` asks for."""
        from coordinator.task_definition import PercentileScope, Windowing
        from siteapp.tasks import demo_task, load_task

        task = load_task(self.task) if self.full_resolution else demo_task(self.task)
        if self.windowing_scope is None:
            return task
        percentiles = task.windowing.percentiles or (1.0, 99.0)
        windowing = Windowing(percentiles=percentiles, scope=PercentileScope(self.windowing_scope))
        return task.model_copy(update={"windowing": windowing})

    def detector_scale(self) -> int:
        """How much finer than usual the phantom's detectors are (1 at the demo grid)."""
        from siteapp.dicom.phantom import detector_scale_for

        if not self.full_resolution:
            return 1
        return detector_scale_for(self.task, self.working_task().pixel_spacing_mm)

    def starting_model(self) -> Any:
        """The federation's initial model, which the baselines start from too: on the
        operator's weights file when there is one, else the app's own."""
        from siteapp.training.initial_model import initial_model, operator_initial_model

        task = self.working_task()
        if self.pretrained_weights is None:
            return initial_model(task, self.model, self.seed)
        return operator_initial_model(
            task, self.model, self.seed, self.pretrained_weights, self.frozen_stages
        )

    @property
    def segmentation(self) -> bool:
        return self.task in PHANTOM_OF_TASK

    @property
    def score_key(self) -> str:
        """The headline figure's key in the sites' metrics and the results: ``auc``, or
        ``dice`` for a segmentation task."""
        return "dice" if self.segmentation else "auc"

    @property
    def score_label(self) -> str:
        return "Dice" if self.segmentation else "AUC"

    def with_changes(self, **changes: object) -> DemoSettings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def site_names(self) -> list[str]:
        return [site_name(n) for n in range(1, self.sites + 1)]
