"""This site's part in the federation's statistics round (``medfed-site statistics``).

Describe the site's training patients (intensity histograms per modality and scanner
model, patients per class: :mod:`siteapp.statistics.histograms`), record the release in
the privacy ledger, add Gaussian noise, and send it through a pairwise-masking secure sum
beside the training rounds (``coordinator.statistics``): the coordinator learns only the
noised sum over the sites. The published sum becomes the federation's histograms,
suppressed below the plan's ``min_count``, and the windows a ``"scope": "federation"``
task uses (:mod:`siteapp.statistics.collect`).

A site that comes after the round was published reads the published sum without
sending anything; one that restarts mid-round lost its masking keys and is dropped from
that round (the others finish without it), and takes the published result later.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load

from coordinator.client import RequestRefusedError
from coordinator.errors import CoordinatorError
from coordinator.protocol import FederationPlan, MaskingStep, RoundPhase, RoundState
from coordinator.statistics import STATISTICS_PREFIX, StatisticsLayout, statistics_plan
from coordinator.words import say
from siteapp.federation.connection import site_client
from siteapp.federation.enrolment import load_enrolled_kit
from siteapp.federation.errors import FederationError, JoinStoppedError, RoundMissedError
from siteapp.federation.masking_round import MaskingRound
from siteapp.federation.round_polling import at_masking_step, masking_step_reached, wait_for_round
from siteapp.federation.run_options import RunnerOptions
from siteapp.federation.settings import KIT_DIRNAME
from siteapp.privacy.ledger import EntryStatus, PrivacyLedger
from siteapp.privacy.randomness import seed_for
from siteapp.statistics.collect import keep_federation_statistics
from siteapp.statistics.histograms import site_histograms
from siteapp.statistics.release import noised_statistics, record_release
from siteapp.statistics.windows import TaskStatistics

_ACCEPTING = (RoundPhase.OPEN, RoundPhase.COLLECTING)
CARRIED = say("federation statistics: intensity histograms and class counts (Gaussian-noised, masked)")


@dataclass(frozen=True)
class StatisticsOutcome:
    """What a statistics run did and what the site now keeps."""

    statistics: TaskStatistics
    sent: bool  # False: the round was already published, nothing left this site
    epsilon_after: float | None  # the training patients' epsilon after the release
    round_number: int


class StatisticsRound:
    """Takes part in (or reads) the federation's statistics from one site data folder."""

    def __init__(
        self,
        data_dir: Path,
        *,
        options: RunnerOptions | None = None,
        on_progress: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.options = options or RunnerOptions()
        self.on_progress = on_progress
        self.stop = stop or threading.Event()
        self.enrolment, self.kit = load_enrolled_kit(self.data_dir)
        self.ledger = PrivacyLedger(self.data_dir)
        self.plan: FederationPlan = statistics_plan(self.kit.plan)
        self.client = site_client(
            self.data_dir, self.kit, self.options.client, sleep=self._sleep, routes=STATISTICS_PREFIX
        )

    def _sleep(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise JoinStoppedError("stopped; run the statistics again to take part or read the result")

    def _say(self, message: str) -> None:
        if self.on_progress is not None:
            self.on_progress(message)

    def _wait_for(self, predicate: Callable[[RoundState], bool], message: str) -> RoundState:
        self._say(message)
        waits = self.options.waits
        return wait_for_round(
            self.client.round_state, predicate, timeout_s=waits.round_wait_timeout_s,
            poll_s=waits.poll_interval_s, what=message, sleep=self._sleep,
        )

    def run(self) -> StatisticsOutcome:
        """Send this site's noised statistics in the open round, or read the published
        ones; keep the federation's histograms and windows either way."""
        try:
            return self._run()
        except RequestRefusedError as exc:
            raise FederationError(f"the coordinator refused the statistics: {exc}") from exc
        except CoordinatorError as exc:
            raise FederationError(str(exc)) from exc
        finally:
            self.client.close()

    def _run(self) -> StatisticsOutcome:
        served = self.client.plan()
        if served != self.plan:
            raise FederationError(
                "the coordinator serves another statistics plan than the one this site derives "
                "from its enrolled plan; nothing was sent. Ask the federation operator"
            )
        task = self.kit.plan.task
        layout = StatisticsLayout.of(self.kit.plan)
        self._say("reading this site's training images")
        site = site_histograms(self.data_dir, task, layout)
        state = self._wait_for(
            lambda s: s.last_published >= 1 or s.finished
            or (s.phase in _ACCEPTING and s.masking_step in (None, MaskingStep.ADVERTISE)),
            "waiting for the statistics round to open",
        )
        settings = self.kit.plan.statistics
        fixed = self.options.insecure_fixed_dp_seed
        entry = None
        if state.last_published < 1 and not state.finished:
            number = state.number
            entry = record_release(
                self.ledger, self.enrolment.federation, settings.noise_multiplier, site.patients,
                seeded=fixed is not None,
            )
            seed = seed_for(fixed, self.enrolment.site, "statistics", number)
            noised = noised_statistics(site.vector(), settings.noise_multiplier, seed)
            try:
                self._send(number, noised)
            except RoundMissedError as exc:
                self._say(f"this site missed the statistics round ({exc}); reading the result")
            state = self._wait_for(
                lambda s: s.last_published >= 1 or s.finished or s.number > number,
                "waiting for the other sites' statistics",
            )
        if state.last_published < 1 and state.finished:
            raise FederationError(
                "the federation's statistics rounds failed more often than its plan allows (too "
                "few sites took part by their deadlines) and no more open by themselves; ask the "
                "federation operator to run 'medfed-coordinator resume --statistics', then run "
                "the statistics again" + ("" if entry is None else "; this site's noised figures "
                                          "were counted in its privacy budget")
            )
        if state.last_published < 1:
            raise FederationError(
                "the statistics round failed (too few sites took part by its deadline); run the "
                "statistics again, the next round opens by itself"
            )
        total, sites = self._published(state.last_published)
        kept = keep_federation_statistics(
            self.data_dir, task, settings, site, total, sites, self.enrolment.federation,
            seeded=fixed is not None,
        )
        if entry is not None:
            self.ledger.mark_finished(entry.id, EntryStatus.COMPLETED)
        return StatisticsOutcome(
            kept, sent=entry is not None,
            epsilon_after=None if entry is None else entry.epsilon_after,
            round_number=state.last_published,
        )

    def _send(self, number: int, noised: np.ndarray) -> None:
        def reach(step: MaskingStep) -> bool:
            state = self._wait_for(lambda s: masking_step_reached(s, number, 0, step),
                                   f"waiting for the other sites ({step} step)")
            return at_masking_step(state, number, 0, step)

        masking = MaskingRound(self.client, self.kit, self.plan, number, reach)
        self._say("agreeing pairwise masks with the other sites")
        masking.share_keys()
        body = masking.masked_body(noised, 1)
        self._say("sending the masked, noised statistics")
        self.client.upload_update(number, body, None, carried=CARRIED)
        masking.confirm_survivors()
        masking.answer_unmask()

    def _published(self, number: int) -> tuple[np.ndarray, int]:
        """The published sum of round ``number`` and how many sites it holds."""
        folder = self.data_dir / KIT_DIRNAME / "statistics"
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / f"round-{number}.safetensors"
        self.client.download_result(number, dest)
        tensors = load(dest.read_bytes())
        total, count = tensors["sum"], tensors["count"]
        if total.shape != (self.plan.update_length,) or count.shape != (1,) or not np.isfinite(total).all():
            raise FederationError("the published statistics do not have the plan's shape; ask the operator")
        return np.asarray(total, dtype=np.float64), round(float(count[0]))
