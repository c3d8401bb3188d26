"""The site's side of federation rounds: :class:`RoundRunner`.

One plain object that the CLI (``medfed-site join``), the GUI (in a worker thread) and
the tests drive the same way::

    runner = RoundRunner(data_dir, on_progress=print_progress, stop=stop_event)
    report = runner.run(max_rounds=3)     # -> JoinReport, one RoundOutcome per round

For each round it: polls the round state; pulls the plan and checks it against the
site's policy and privacy cap (before anything is recorded or trained); obtains the
global model (plaintext: downloads it; CKKS/masking: decrypts or reads the previous
aggregate and applies the plan's server rule at the site); records the round's privacy
cost in the ledger; trains one DP-SGD round; clips the update to the plan's client-level
norm; encrypts or masks it; uploads it; waits for the aggregate; evaluates the new global
model on the site's validation patients (exact metrics stay here) and reports them as a
Gaussian-noised histogram whose cost the ledger's validation line records first.

Progress is reported through ``on_progress(Progress)`` with the steps of
:class:`SiteStep`; setting ``stop`` ends the run at the next safe point (during training,
between two DP steps). Every step is persisted first (:mod:`round_records`), so a run
that was stopped, killed or lost the coordinator resumes with ``run()`` again, without
training a round twice unrecorded in the privacy ledger.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from coordinator.client import (
    CoordinatorClient,
    CoordinatorUnreachableError,
    RequestRefusedError,
    UpdateAlreadyHeldError,
)
from coordinator.durable_files import durable_writer
from coordinator.errors import CoordinatorError
from coordinator.protocol import (
    CkksKeyState,
    FederationPlan,
    MetricsReport,
    RoundState,
    SecureMode,
    uses_secure_bisection,
)
from coordinator.round_state import MaskingStep, RoundPhase, SiteRoundStatus, SiteStep
from coordinator.task_definition import PercentileScope
from coordinator.words import Words, say
from siteapp.dicom.task_fit import check_task_fits
from siteapp.federation.audit import AuditLog
from siteapp.federation.bisection_round import BisectionRound
from siteapp.federation.ckks_keys import SiteCkksKeys, key_folder
from siteapp.federation.connection import site_client
from siteapp.federation.enrolment import load_enrolled_kit
from siteapp.federation.errors import (
    CoordinatorOutageError,
    FederationError,
    JoinStoppedError,
    RoundAbortedError,
    RoundMissedError,
)
from siteapp.federation.global_model import GlobalModelFetcher
from siteapp.federation.join_report import JoinReport, Progress, RoundOutcome
from siteapp.federation.masking_round import MaskingRound
from siteapp.federation.policy import check_plan, check_privacy, load_policy
from siteapp.federation.round_polling import at_masking_step, masking_step_reached, wait_for_round
from siteapp.federation.round_records import SiteRound, SiteRounds
from siteapp.federation.run_options import RunnerOptions
from siteapp.federation.settings import CONTEXT, STATE_DIRNAME
from siteapp.federation.site_training import SiteTraining
from siteapp.federation.update_encoding import ckks_body, plaintext_body
from siteapp.privacy.accountant import MechanismRun
from siteapp.privacy.calibration import calibrate_noise_multiplier
from siteapp.privacy.ledger import EntryStatus, PrivacyCapExceededError, PrivacyLedger, RecordSet
from siteapp.privacy.randomness import seed_for
from siteapp.privacy.validation_release import (
    HISTOGRAM_SENSITIVITY,
    SEGMENTATION_HISTOGRAM_SENSITIVITY,
    noised_histogram,
    release_mechanism,
)
from siteapp.synthesis.plan_rounds import GENERATOR_CONTEXT_SUFFIX, is_generator_round

_ACCEPTING = (RoundPhase.OPEN, RoundPhase.COLLECTING)
_UPLOAD_WORDS = {
    SecureMode.NONE: say("packing the update (plaintext over TLS)"),
    SecureMode.CKKS: say("encrypting the update (CKKS)"),
    SecureMode.MASKING: say("masking the update (secure sum)"),
}


class RoundRunner:
    """Takes part in a federation's rounds from one site data folder (see module doc)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        options: RunnerOptions | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.options = options or RunnerOptions()
        self.on_progress = on_progress
        self.stop = stop or threading.Event()
        self.enrolment, self.kit = load_enrolled_kit(self.data_dir)
        self.audit = AuditLog(self.data_dir)
        self.ledger = PrivacyLedger(self.data_dir)
        self.records = SiteRounds(self.data_dir, self.enrolment.federation)
        self.state_dir = self.data_dir / STATE_DIRNAME / self.enrolment.federation
        self._client: CoordinatorClient | None = None
        self._training: SiteTraining | None = None
        self._global: GlobalModelFetcher | None = None
        self._ckks_keys: SiteCkksKeys | None = None

    # plumbing -------------------------------------------------------------------------
    @property
    def client(self) -> CoordinatorClient:
        if self._client is None:
            # The client is the one retry layer: it waits out an outage of up to
            # ``unreachable_patience_s`` itself, honouring ``stop`` while it waits.
            self._client = site_client(
                self.data_dir,
                self.kit,
                dataclasses.replace(
                    self.options.client, patience_s=self.options.waits.unreachable_patience_s
                ),
                on_retry=lambda why: self._emit(SiteStep.WAITING, None, why, reachable=False),
                sleep=self._sleep,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self._ckks_keys = None

    @property
    def ckks_keys(self) -> SiteCkksKeys:
        """This site's CKKS keys and its part in sharing them (CKKS mode)."""
        if self._ckks_keys is None:
            self._ckks_keys = SiteCkksKeys(self.client, self.kit, key_folder(self.data_dir))
        return self._ckks_keys

    def _round_state(self) -> RoundState:
        """The round state, doing this site's part in sharing the CKKS key on the way:
        rounds wait until every site holds it."""
        state = self.client.round_state()
        key = state.ckks_key
        if key is not None:
            holder = key.holder == self.enrolment.site
            if not self.ckks_keys.holds_current(key) or (holder and key.waiting_for):
                self.ckks_keys.step(key)
            if not key.ready:
                self._emit(SiteStep.WAITING, None, key.describe())
        return state

    def _holds_ready_key(self, key: CkksKeyState | None) -> bool:
        return key is None or (key.ready and self.ckks_keys.holds_current(key))

    def _sleep(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise JoinStoppedError("stopped while retrying; run join again to resume")

    def _emit(self, step: SiteStep, round_number: int | None, words: Words,
              fraction: float | None = None, reachable: bool = True) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(step, round_number, str(words), fraction, reachable, words))

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise JoinStoppedError("stopped; everything done so far is saved, run join again to resume")

    def _wait_for(self, predicate: Callable[[RoundState], bool], round_number: int | None, words: Words, step: SiteStep = SiteStep.WAITING) -> RoundState:
        self._emit(step, round_number, words)
        waits = self.options.waits
        return wait_for_round(
            self._round_state, predicate, timeout_s=waits.round_wait_timeout_s,
            poll_s=waits.poll_interval_s, what=str(words), sleep=self._sleep,
        )

    # the loop -------------------------------------------------------------------------
    def run(self, max_rounds: int | None = None) -> JoinReport:
        """Take part in rounds until the plan ends or ``max_rounds`` rounds are done.

        Raises :class:`FederationError` subclasses (plan refused, cap exceeded,
        coordinator unreachable, round failed); a stop request returns the report with
        ``stopped`` set.
        """
        started = time.time()
        # The enrolled plan's task against this site's data, before the coordinator is
        # called and before any privacy is spent (SiteTraining checks again).
        check_task_fits(self.data_dir, self.kit.plan.task)
        report = JoinReport(
            self.enrolment.federation, self.enrolment.site, self.enrolment.mode,
            self.kit.plan.strategy.value,
        )
        try:
            self._ensure_federation_windows()
            while max_rounds is None or len(report.rounds) < max_rounds:
                pending = self.records.awaiting_report()
                if pending is not None:
                    finished = self._finish(pending, resumed=True)
                    if finished is not None:
                        report.rounds.append(finished)
                    continue
                state = self._wait_for(
                    lambda s: s.finished or self._joinable(s), None, say("waiting for the next round")
                )
                if state.finished:
                    report.finished = True
                    break
                left = None if max_rounds is None else max_rounds - len(report.rounds)
                outcome = self._take_part(state, left)
                if outcome is not None:
                    report.rounds.append(outcome)
            else:
                report.finished = self._finished_now()
        except JoinStoppedError as exc:
            report.stopped = str(exc)
        except RequestRefusedError as exc:
            raise RoundAbortedError(f"{exc}; nothing was lost, fix the cause and run join again") from exc
        except CoordinatorUnreachableError as exc:
            raise CoordinatorOutageError(say(
                "{why}. Gave up after {seconds:.0f} s; this site's progress is saved, run join "
                "again to resume", why=exc.words or str(exc),
                seconds=self.options.waits.unreachable_patience_s)) from exc
        except CoordinatorError as exc:
            raise FederationError(str(exc)) from exc
        finally:
            self.close()
        report.epsilon_spent = self.ledger.epsilon_spent()
        report.delta = self.ledger.summary()["delta"]  # type: ignore[assignment]
        report.bytes_sent = self.audit.bytes_sent(since=started)
        return report

    def _ensure_federation_windows(self) -> None:
        """A task windowed with the federation's percentiles needs its statistics first:
        take part in (or read) the statistics round once per federation."""
        from siteapp.federation.statistics_round import StatisticsRound
        from siteapp.statistics.windows import load_task_statistics

        task = self.kit.plan.task
        if task.windowing.scope is not PercentileScope.FEDERATION:
            return
        kept = load_task_statistics(self.data_dir, task.name)
        if kept is not None and kept.federation == self.enrolment.federation and kept.federation_windows:
            return
        self._emit(SiteStep.WAITING, None, say(
            "the task windows images with the federation's statistics: taking part in the "
            "statistics round first (its cost goes to the ledger)"))
        StatisticsRound(
            self.data_dir, options=self.options, stop=self.stop,
            on_progress=lambda message: self._emit(SiteStep.WAITING, None, say("statistics: {what}", what=message)),
        ).run()

    def _finished_now(self) -> bool:
        """Best effort, for the report only: has the federation ended?"""
        try:
            return self.client.round_state().finished
        except CoordinatorError:
            return False

    def _joinable(self, state: RoundState) -> bool:
        record = self.records.get(state.number)
        if record is not None and record.status in (
            SiteRoundStatus.UPLOADED, SiteRoundStatus.REPORTED, SiteRoundStatus.MISSED
        ):
            return False
        if state.phase not in _ACCEPTING or not self._holds_ready_key(state.ckks_key):
            return False
        if self.kit.plan.mode is SecureMode.MASKING and record is None:
            return state.secure_sum == 0 and state.masking_step in (None, MaskingStep.ADVERTISE)
        return True

    def _site_training(self, plan: FederationPlan) -> SiteTraining:
        if self._training is None:
            weights = self._pretrained_weights(plan)
            self._training = SiteTraining(self.data_dir, plan, self.options, self.enrolment.site, weights)
        return self._training

    def global_weights(self, plan: FederationPlan, after_round: int, state: RoundState | None = None) -> dict[str, np.ndarray]:
        """The global model's trainable weights after round ``after_round`` (0: initial)."""
        if self._global is None:
            training = self._site_training(plan)
            self._global = GlobalModelFetcher(
                self.client, plan, self.kit, self.state_dir,
                training.initial_weights, training.layout,
                self.ckks_keys.secret_for if plan.mode is SecureMode.CKKS else None,
            )
        return self._global.weights(after_round, state)

    def _pretrained_weights(self, plan: FederationPlan) -> Path | None:
        """The operator's weights file the plan pins, downloaded once from the coordinator
        and kept only if its size and SHA-256 are the plan's (None: the plan has none)."""
        from coordinator.pretrained import file_sha256

        if plan.pretrained is None:
            return None
        path = self.state_dir / f"pretrained-{plan.pretrained.sha256[:16]}.weights"
        if path.is_file() and file_sha256(path) == plan.pretrained.sha256:
            return path
        download = path.with_name(path.name + ".download")
        sha = self.client.download_pretrained_weights(download, plan.pretrained.size_bytes)
        if sha != plan.pretrained.sha256 or download.stat().st_size != plan.pretrained.size_bytes:
            download.unlink(missing_ok=True)
            raise RoundAbortedError(
                "the coordinator served pretrained weights other than the file the plan pins "
                f"(SHA-256 {sha[:12]}..., plan {plan.pretrained.sha256[:12]}...); nothing was "
                "loaded; tell the federation's operator"
            )
        download.replace(path)
        return path

    def _take_part(self, state: RoundState, rounds_wanted: int | None) -> RoundOutcome | None:
        number = state.number
        plan = self.client.plan()
        check_plan(plan, load_policy(self.data_dir), self.enrolment)
        record = self.records.get(number)
        if plan.mode is SecureMode.MASKING and record is not None:
            self._mark_missed(record, "this site restarted during a masking round (its keys were lost)")
            return None
        local = self._site_training(plan)
        sample_rate, steps = local.sampling(number)
        sigma = self._noise_multiplier(plan, sample_rate, steps, local.records, number)
        needs_training = record is None or record.status is SiteRoundStatus.RECORDED
        if needs_training:
            rounds_left = max(1, plan.rounds - number + 1)  # failed rounds add round numbers
            if rounds_wanted is not None:
                rounds_left = min(rounds_left, rounds_wanted)
            now, later = self._remaining_rounds(plan, number, rounds_left)
            check_privacy(self.ledger, sigma, sample_rate, steps, local.records, now, later)
        # The model of the latest published round: a failed round published nothing.
        global_weights = self.global_weights(plan, state.last_published, state)
        masking = None
        bisection = None
        try:
            if uses_secure_bisection(plan):
                bisection = BisectionRound(self.client, self.kit, plan, number, self._sum_waiter(number),
                                           lambda s, of: self._emit_sum(number, s, of))
                bisection.share_keys()
            elif plan.mode is SecureMode.MASKING:
                masking = MaskingRound(self.client, self.kit, plan, number, self._masking_waiter(number))
                self._emit(SiteStep.SHARING_KEYS, number, say("agreeing pairwise masks with the other sites"))
                masking.share_keys()
            if needs_training:
                record = self._train(plan, number, record, global_weights, sigma, sample_rate, steps)
            assert record is not None
            vector = np.load(self.state_dir / str(record.update_path))
            if bisection is not None:
                record = self._contribute(plan, record, vector, bisection)
            else:
                record = self._upload(plan, record, vector, masking)
            if masking is not None:
                self._emit(SiteStep.WAITING_FOR_OTHERS, number, say("confirming who took part"))
                masking.confirm_survivors()
                self._emit(SiteStep.WAITING_FOR_OTHERS, number, say("helping remove the masks"))
                masking.answer_unmask()
        except RoundMissedError as exc:
            self._mark_missed(record or SiteRound(self.enrolment.federation, number, SiteRoundStatus.MISSED), str(exc))
            return None
        return self._finish(record, resumed=not needs_training, noise_multiplier=sigma,
                            update_norm=local.last_norm)

    def _noise_multiplier(self, plan: FederationPlan, sample_rate: float, steps: int, records: int,
                          number: int) -> float:
        """The noise that makes one round cost the plan's per-round epsilon on its own
        (the generator's share in a generator round), at the smaller of the plan's delta
        and the site's."""
        delta = min(plan.local.target_delta, self.ledger.delta_for(records))
        target = plan.local.target_epsilon_per_round
        if plan.generator is not None and is_generator_round(plan, number):
            target = plan.generator.target_epsilon_per_round
        return calibrate_noise_multiplier(target, delta, sample_rate, steps, rounds=1)

    def _remaining_rounds(self, plan: FederationPlan, number: int, rounds_left: int) -> tuple[int, list[MechanismRun]]:
        """Of ``rounds_left`` rounds from ``number`` on: how many are like this one, and
        the mechanisms of the others (the classifier's rounds after the generator's), so
        the cap check projects the whole plan before the generator spends anything."""
        if plan.generator is None or not is_generator_round(plan, number):
            return rounds_left, []
        now = min(rounds_left, plan.generator.rounds - number + 1)
        local = self._site_training(plan)
        later = plan.generator.rounds + 1
        sample_rate, steps = local.sampling(later)
        sigma = self._noise_multiplier(plan, sample_rate, steps, local.records, later)
        return now, [MechanismRun(sigma, sample_rate, steps)] * (rounds_left - now)

    def _masking_waiter(self, number: int, secure_sum: int = 0) -> Callable[[MaskingStep], bool]:
        waiter = self._sum_waiter(number)
        return lambda step: waiter(secure_sum, step)

    def _sum_waiter(self, number: int) -> Callable[[int, MaskingStep], bool]:
        """``reach(secure_sum, step)``: wait until round ``number`` is at that masked sum's
        step or past it (a sum being unmasked is past its steps); True when exactly there."""

        def reach(secure_sum: int, step: MaskingStep) -> bool:
            words = (say("waiting for the other sites ({step} step)", step=step) if secure_sum == 0
                     else say("waiting for the other sites ({step} step of secure sum {n})",
                              step=step, n=secure_sum + 1))
            state = self._wait_for(lambda s: masking_step_reached(s, number, secure_sum, step), number,
                                   words, SiteStep.WAITING_FOR_OTHERS)
            return at_masking_step(state, number, secure_sum, step)

        return reach

    def _emit_sum(self, number: int, secure_sum: int, of: int) -> None:
        self._emit(SiteStep.SHARING_KEYS, number, say(
            "secure median: masked sum {n} of {of}, agreeing pairwise masks with the other sites",
            n=secure_sum + 1, of=of))

    def _mark_missed(self, record: SiteRound, why: str) -> None:
        if record.ledger_entry_id is not None and record.status is SiteRoundStatus.RECORDED:
            self.ledger.mark_finished(record.ledger_entry_id, EntryStatus.CANCELLED)
        self.records.save(record.advanced(SiteRoundStatus.MISSED, note=why))
        self._emit(SiteStep.WAITING, record.round,
                   say("round {n} went on without this site: {why}", n=record.round, why=why))

    # one round's steps ----------------------------------------------------------------
    def _train(
        self, plan: FederationPlan, number: int, record: SiteRound | None,
        global_weights: dict[str, np.ndarray], sigma: float, sample_rate: float, steps: int,
    ) -> SiteRound:
        local = self._site_training(plan)
        if record is not None and record.ledger_entry_id is not None:
            # Training was interrupted: that attempt may have touched the data, so its
            # ledger entry stays counted; the retry gets an entry of its own.
            self.ledger.mark_finished(record.ledger_entry_id, EntryStatus.CANCELLED)
        context = f"{CONTEXT}:{plan.federation}"
        if is_generator_round(plan, number):
            context += GENERATOR_CONTEXT_SUFFIX
        entry = self.ledger.record_planned_round(
            number, sigma, sample_rate, steps, local.records,
            context=context,
            seeded=self.options.insecure_fixed_dp_seed is not None,
            delta=plan.local.target_delta,
        )
        record = self.records.save(SiteRound(
            plan.federation, number, SiteRoundStatus.RECORDED, ledger_entry_id=entry.id,
            num_examples=local.records, epsilon_after=entry.epsilon_after,
        ))
        words = (say("training the synthetic-image generator with differential privacy")
                 if is_generator_round(plan, number) else say("training with differential privacy"))
        self._emit(SiteStep.TRAINING, number, words, 0.0)

        def progress(step: int, total: int, _loss: float) -> None:
            self._emit(SiteStep.TRAINING, number, say("training step {step} of {total}", step=step, total=total),
                       step / total)

        from siteapp.training.trainer import TrainingCancelledError

        try:
            vector = local.train(global_weights, number, sigma, sample_rate, steps, progress, self.stop)
        except TrainingCancelledError as exc:
            raise JoinStoppedError(
                "stopped during training; the round's privacy cost stays recorded, run join "
                "again to resume"
            ) from exc
        name = f"round-{number:04d}.update.npy"
        with durable_writer(self.state_dir / name) as fh:
            np.save(fh, vector)
        return self.records.save(record.advanced(SiteRoundStatus.TRAINED, update_path=name))

    def _contribute(self, plan: FederationPlan, record: SiteRound, vector: np.ndarray,
                    bisection: BisectionRound) -> SiteRound:
        """This site's probes of a secure median (or winsorised mean): the record says
        UPLOADED from the first masked upload on, so a restart afterwards waits for the
        published result (as a dropout of the later probes) and never trains again."""
        number = record.round
        examples = min(int(record.num_examples or 0), plan.limits.max_examples_per_site)
        saved = record

        def send(body: bytes, carried: Words, secure_sum: int) -> int:
            nonlocal saved
            self._emit(SiteStep.UPLOADING, number, say("uploading {size} bytes (secure sum {n})",
                                                       size=len(body), n=secure_sum + 1))
            sha, size = self._send_update(number, body, None, carried, secure_sum)
            if saved.status is not SiteRoundStatus.UPLOADED:
                saved = self.records.save(saved.advanced(SiteRoundStatus.UPLOADED, upload_sha256=sha, upload_bytes=size))
            return size

        sent = bisection.contribute(vector, examples, send)
        return self.records.save(saved.advanced(SiteRoundStatus.UPLOADED, upload_bytes=sent))

    def _send_update(self, number: int, body: bytes, count: int | None, carried: Words,
                     secure_sum: int = 0) -> tuple[str, int]:
        """Upload one body; returns its SHA-256 and size (a retry the coordinator already
        holds counts as sent)."""
        try:
            receipt = self.client.upload_update(number, body, count, carried, secure_sum)
            return receipt.sha256, receipt.size_bytes
        except UpdateAlreadyHeldError:
            return hashlib.sha256(body).hexdigest(), len(body)
        except RequestRefusedError as exc:
            if exc.status == 409:
                raise RoundMissedError(f"the coordinator no longer accepts round {number}: {exc.detail}") from exc
            raise RoundAbortedError(f"the coordinator refused this site's update: {exc.detail}") from exc

    def _upload(self, plan: FederationPlan, record: SiteRound, vector: np.ndarray, masking: MaskingRound | None) -> SiteRound:
        number = record.round
        # The plan weights a site by at most this many examples; the coordinator refuses more.
        examples = min(int(record.num_examples or 0), plan.limits.max_examples_per_site)
        self._emit(SiteStep.ENCRYPTING, number, _UPLOAD_WORDS[plan.mode])
        if plan.mode is SecureMode.CKKS:
            body = ckks_body(self.kit, self._current_ckks_key(number), number, vector, examples)
            carried = say("CKKS-encrypted model update ({size} values x patients, and the patient count)",
                          size=vector.size)
            count = None
        elif masking is not None:
            body = masking.masked_body(vector, examples)
            carried = say("masked model update ({size} quantised values x patients, and the patient count)",
                          size=vector.size)
            count = None
        else:
            layout = self._site_training(plan).layout
            from siteapp.training.weights import unflatten

            body = plaintext_body(unflatten(vector, layout))
            carried = say("plaintext model update ({size} float32 values) and the number of training patients",
                          size=vector.size)
            count = examples
        self._emit(SiteStep.UPLOADING, number, say("uploading {size} bytes", size=len(body)))
        sha, size = self._send_update(number, body, count, carried)
        return self.records.save(record.advanced(SiteRoundStatus.UPLOADED, upload_sha256=sha, upload_bytes=size))

    def _current_ckks_key(self, number: int) -> bytes:
        """The federation's current CKKS key, waiting for it if it was just replaced."""
        state = self._wait_for(lambda s: s.number != number or self._holds_ready_key(s.ckks_key),
                               number, say("waiting for the federation's encryption key"))
        key = state.ckks_key
        if state.number != number or key is None or key.fingerprint is None:
            raise RoundMissedError(f"round {number} closed while the encryption key was replaced")
        return self.ckks_keys.secret_for(key.fingerprint)

    def _finish(self, record: SiteRound, *, resumed: bool, noise_multiplier: float | None = None,
                update_norm: float | None = None) -> RoundOutcome | None:
        """Wait for the round's aggregate, evaluate the new global model, report it; None
        when the round failed at the coordinator (the federation goes on with the next)."""
        number = record.round
        state = self._wait_for(
            lambda s: s.last_published >= number or s.number > number or s.phase == RoundPhase.FAILED,
            number, say("waiting for the other sites' updates"), SiteStep.WAITING_FOR_OTHERS,
        )
        if state.last_published < number:
            failure = next((r.failure for r in self.client.status().rounds if r.number == number), None)
            if record.ledger_entry_id is not None:
                self.ledger.mark_finished(record.ledger_entry_id, EntryStatus.COMPLETED)  # the update left
            self._mark_missed(record, f"the round failed at the coordinator ({failure or state.phase}); "
                                      "this site's privacy cost of it stays counted")
            return None
        plan = self.client.plan()
        weights = self.global_weights(plan, number, state)
        site = self._site_training(plan)
        if is_generator_round(plan, number):
            # The classifier did not change: nothing to validate, nothing to report.
            metrics: dict[str, object] = {
                "validation_report": "not reported: a generator round (the classifier did not change)"
            }
        else:
            metrics, histogram = site.evaluate(weights, number, self.ledger.epsilon_spent())
            metrics["validation_report"] = self._report_validation(
                plan, number, histogram, len(site.val_set)
            )
        if record.ledger_entry_id is not None:
            self.ledger.mark_finished(record.ledger_entry_id, EntryStatus.COMPLETED)
        record = self.records.save(record.advanced(SiteRoundStatus.REPORTED, metrics=metrics))
        entry = next((e for e in self.ledger.entries() if e.id == record.ledger_entry_id), None)
        headline = "dice" if plan.task.is_segmentation else "auc"
        value = metrics.get(headline)
        self._emit(SiteStep.AGGREGATED, number, say(
            "round {n} aggregated; validation {metric} {value}", n=number,
            metric="Dice" if headline == "dice" else "AUC",
            value="n/a" if not isinstance(value, float) else f"{value:.3f}"))
        return RoundOutcome(
            round=number, mode=plan.mode.value, strategy=plan.strategy.value,
            num_examples=int(record.num_examples or 0), upload_bytes=int(record.upload_bytes or 0),
            noise_multiplier=entry.noise_multiplier if entry else noise_multiplier,
            epsilon_after=float(record.epsilon_after or self.ledger.epsilon_spent()),
            delta=self.ledger.reporting_delta(), update_norm=update_norm, metrics=metrics,
            resumed=resumed,
        )

    def _report_validation(
        self, plan: FederationPlan, number: int, histogram: np.ndarray | None, patients: int
    ) -> str:
        """Send the validation histogram, noised, after recording its cost in the ledger's
        validation line; or say why nothing was sent (the plan, the site's policy, the cap)."""
        validation = plan.validation
        if validation.mechanism == "off":
            return "not reported: the plan asks for no validation figures"
        if not load_policy(self.data_dir).report_validation:
            return "not reported: this site's policy refuses to report validation figures"
        if histogram is None:
            return "not reported: the task names no positive class to score against the rest"
        fixed = self.options.insecure_fixed_dp_seed
        release = release_mechanism(validation.noise_multiplier)
        try:
            entry = self.ledger.record_planned_round(
                number, release.noise_multiplier, release.sample_rate, release.steps, patients,
                context=f"{CONTEXT}:{plan.federation}", seeded=fixed is not None,
                record_set=RecordSet.VALIDATION,
            )
        except PrivacyCapExceededError as exc:
            self._emit(SiteStep.WAITING, number, say("validation figures not reported: {why}", why=str(exc)))
            return f"not reported: {exc}"
        seed = seed_for(fixed, self.enrolment.site, number, "validation")
        sensitivity = (SEGMENTATION_HISTOGRAM_SENSITIVITY if plan.task.is_segmentation
                       else HISTOGRAM_SENSITIVITY)
        noised = noised_histogram(histogram, validation.noise_multiplier, seed, sensitivity)
        self.client.report_metrics(number, MetricsReport(noisy_counts=noised.tolist()))
        self.ledger.mark_finished(entry.id, EntryStatus.COMPLETED)
        return (f"reported with Gaussian noise {validation.noise_multiplier:g} per count; "
                f"validation patients' epsilon {entry.epsilon_after:.2f}")
