"""One headless demo site: ``python -m siteapp.demo.site_worker DATA_DIR``.

It takes part in every round of the federation its data folder is enrolled in, through
the same :class:`RoundRunner` as ``medfed-site join``, and reports to the demo as JSON
lines on stdout (the demo turns them into one live line per round and site):

- ``{"event": "progress", "round", "step", "fraction"}`` when the step changes or
  training advances by a step of :data:`PROGRESS_STEP`;
- ``{"event": "round", "round", "auc", "epsilon", "upload_bytes", "noise_multiplier",
  "seconds": {step: s}, "uploaded_at", "at"}`` once the round's global model is
  evaluated (``uploaded_at`` and ``at`` are wall-clock epoch seconds);
- ``{"event": "done", "epsilon", "bytes_sent", "stopped"}`` or ``{"event": "error",
  "message"}`` at the end.

``seconds`` splits the round's wall time by what the site was doing: ``training``,
``encrypting``, ``uploading``, ``waiting for others``, ``decrypting`` (downloading the
aggregate, decrypting it and applying the server rule) and ``evaluating``. SIGTERM stops
the runner at its next safe point. ``--insecure-fixed-dp-seed`` seeds DP sampling, image
choice and noise so the demo's numbers repeat; the ledger marks those rounds seeded
(nominal epsilon), and a real site never does that.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from coordinator.round_state import SiteStep
from siteapp.errors import UserFacingError

PROGRESS_STEP = 0.05
DECRYPTING = "decrypting"
EVALUATING = "evaluating"


class StepClock:
    """Accumulates wall time per (round, step) from step changes (the runner's
    :class:`~coordinator.round_state.SiteStep` plus ``decrypting`` and ``evaluating``)."""

    def __init__(self) -> None:
        self.seconds: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.uploaded_at: dict[int, float] = {}  # wall clock (epoch s) when the upload ended
        self.round: int = 0
        self.step = str(SiteStep.WAITING)
        self.since = time.perf_counter()

    def switch(self, step: str, round_number: int | None = None) -> None:
        now = time.perf_counter()
        self.seconds[self.round][self.step] += now - self.since
        if self.step == SiteStep.UPLOADING and step != SiteStep.UPLOADING:
            self.uploaded_at[self.round] = time.time()
        self.since, self.step = now, step
        if round_number is not None:
            self.round = round_number

    def take(self, round_number: int) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.seconds.pop(round_number, {}).items()}


def emit(event: dict[str, Any]) -> None:
    print(json.dumps(event), flush=True)


def run(data_dir: Path, seed: int | None, device: str, wait_s: float) -> int:
    import torch

    from siteapp.federation.join_report import Progress
    from siteapp.federation.round_records import SiteRounds
    from siteapp.federation.run_options import RunnerOptions
    from siteapp.federation.runner import RoundRunner
    from siteapp.federation.settings import RunnerDefaults

    torch.set_num_threads(1)
    stop = threading.Event()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    clock = StepClock()
    last: dict[str, Any] = {"step": None, "fraction": -1.0}
    options = RunnerOptions(
        device=device,
        waits=RunnerDefaults(poll_interval_s=0.2, round_wait_timeout_s=wait_s),
        insecure_fixed_dp_seed=seed,
    )

    def on_progress(progress: Progress) -> None:
        step = str(progress.step)
        if step != clock.step or (progress.round or clock.round) != clock.round:
            clock.switch(step, progress.round)
        if progress.step is SiteStep.AGGREGATED and progress.round is not None:
            report_round(progress.round)
            return
        fraction = progress.fraction if progress.fraction is not None else -1.0
        if step != last["step"] or fraction - last["fraction"] >= PROGRESS_STEP or fraction == 1.0:
            last.update(step=step, fraction=fraction)
            emit({"event": "progress", "round": progress.round, "step": step,
                  "fraction": progress.fraction})

    runner = RoundRunner(data_dir, options=options, on_progress=on_progress, stop=stop)
    records = SiteRounds(data_dir, runner.enrolment.federation)
    original_global_weights = runner.global_weights

    def timed_global_weights(*args: Any, **kwargs: Any) -> Any:
        before = clock.step
        clock.switch(DECRYPTING)
        try:
            return original_global_weights(*args, **kwargs)
        finally:
            clock.switch(EVALUATING if before == SiteStep.WAITING_FOR_OTHERS else before)

    runner.global_weights = timed_global_weights  # type: ignore[method-assign]

    def report_round(number: int) -> None:
        record = records.get(number)
        metrics = (record.metrics or {}) if record else {}
        entry = next((e for e in runner.ledger.entries()
                      if record is not None and e.id == record.ledger_entry_id), None)
        emit({
            "event": "round", "round": number, "auc": metrics.get("auc"),
            "dice": metrics.get("dice"), "per_class_auc": _per_class_auc(metrics),
            "per_region_dice": {k.split(":", 1)[1]: v for k, v in metrics.items()
                                if k.startswith("dice:")},
            "epsilon": record.epsilon_after if record else None,
            "upload_bytes": record.upload_bytes if record else None,
            "noise_multiplier": entry.noise_multiplier if entry else None,
            "train_patients": record.num_examples if record else None,
            "seconds": clock.take(number),
            "uploaded_at": clock.uploaded_at.get(number),
            "at": time.time(),
        })
        last.update(step=None, fraction=-1.0)

    report = runner.run()
    emit({"event": "done", "epsilon": report.epsilon_spent, "bytes_sent": report.bytes_sent,
          "finished": report.finished, "stopped": report.stopped})
    return 130 if report.stopped else 0


def _per_class_auc(metrics: dict[str, Any]) -> dict[str, object]:
    """Each class's one-vs-rest AUC from the site's validation figures."""
    per_class = metrics.get("per_class")
    if not isinstance(per_class, dict):
        return {}
    return {name: figures.get("auc") for name, figures in per_class.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m siteapp.demo.site_worker",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--insecure-fixed-dp-seed", type=int, default=None,
                        help="tests and the demo only: DP randomness from this seed (nominal epsilon)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--wait-s", type=float, default=300.0)
    args = parser.parse_args(argv)
    try:
        return run(args.data_dir, args.insecure_fixed_dp_seed, args.device, args.wait_s)
    except UserFacingError as exc:
        emit({"event": "error", "message": str(exc)})
        return exc.exit_code
    except KeyboardInterrupt:
        emit({"event": "error", "message": "interrupted"})
        return 130


if __name__ == "__main__":
    sys.exit(main())
