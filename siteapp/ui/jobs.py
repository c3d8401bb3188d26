"""The jobs the GUI runs in a child process (see :mod:`siteapp.ui.child_process`).

Each is ``job(ctx, **kwargs)``: a thin adapter from a :class:`JobContext` to the plain
function of the layer below, importable without Qt so the spawned child starts light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from siteapp.ui.workers import JobContext

if TYPE_CHECKING:
    from siteapp.federation.join_report import JoinReport, Progress
    from siteapp.federation.run_options import RunnerOptions
    from siteapp.training.inference import InferenceReport
    from siteapp.training.local import LocalTrainingReport
    from siteapp.training.segmentation_inference import SegmentationReport


def local_training(ctx: JobContext[dict[str, object]], data_dir: Path, rounds: int, task: str,
                   device: str) -> LocalTrainingReport:
    """Local-only DP training: progress per step over all rounds, one event per round."""
    from siteapp.training.local import LocalTrainingOptions, train_local

    done_rounds: list[dict[str, object]] = []

    def progress(step: int, steps: int, _loss: float) -> None:
        ctx.progress(len(done_rounds) * steps + step, rounds * steps)

    def on_round(summary: dict[str, object]) -> None:
        done_rounds.append(summary)
        ctx.publish(summary)

    options = LocalTrainingOptions(rounds=rounds, task=task, device=device)
    return train_local(data_dir, options, progress=progress, on_round=on_round, cancel=ctx.cancel)


def predict(ctx: JobContext[object], data_dir: Path, paths: list[Path],
            saliency_class: str | None = None) -> InferenceReport | SegmentationReport:
    """The site's model on ``paths``: class, every class's probability and the saliency of
    ``saliency_class`` (default: the predicted class) per study; a segmentation model's
    predicted mask per series instead, exported as DICOM SEG."""
    from siteapp.training.inference import predict_or_segment

    ctx.status("running the model")
    return predict_or_segment(data_dir, paths, saliency_class=saliency_class)


def auto_device(ctx: JobContext[object]) -> str:
    """What ``auto`` resolves to on this machine (``cuda (NVIDIA ...)``, ``mps``, ``cpu``)."""
    from siteapp.training.device import describe_device, resolve_device

    return describe_device(resolve_device("auto"))


def federation_join(ctx: JobContext[Progress], data_dir: Path, device: str,
                    max_rounds: int | None = None, options: RunnerOptions | None = None,
                    https_proxy: str | None = None) -> JoinReport:
    """Take part in rounds with :class:`RoundRunner`; each step change is published.

    ``options`` (a ``RunnerOptions``) overrides the defaults, e.g. shorter polls; its
    device is replaced by ``device``, and its proxy by ``https_proxy`` when one is set
    (the Settings page's; else the environment's).
    """
    from dataclasses import replace

    from siteapp.federation.run_options import RunnerOptions
    from siteapp.federation.runner import RoundRunner

    options = replace(options or RunnerOptions(), device=device)
    if https_proxy:
        options = replace(options, client=replace(options.client, https_proxy=https_proxy))
    runner = RoundRunner(data_dir, options=options, on_progress=ctx.publish, stop=ctx.cancel)
    return runner.run(max_rounds=max_rounds)
