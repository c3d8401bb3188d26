"""The round state machine: accept uploads, close rounds, aggregate, publish, repeat.

Every transition is written to the store before anything depends on it, so a coordinator
killed at any moment resumes from the store: an ``aggregating`` round is aggregated again
from the acknowledged blobs (deterministically, into the same file) and publishing a round
and opening the next happen in one transaction, so nothing is aggregated twice.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save

from coordinator.aggregation import AggregationError
from coordinator.errors import (
    CallerForbiddenError,
    CoordinatorError,
    DuplicateUploadError,
    InitialModelExistsError,
    RoundError,
    UpdateRejectedError,
)
from coordinator.protocol import (
    MIN_SECURE_SITES,
    FederationPlan,
    FederationStatus,
    InitialModelReceipt,
    MetricsReport,
    RoundState,
    SecureMode,
    UploadReceipt,
    uses_secure_bisection,
)
from coordinator.round_state import MaskingStep, RoundPhase
from coordinator.secure.bisection import BisectionPlan
from coordinator.secure.errors import SecureAggregationError
from coordinator.server.blobs import BlobStore, PendingBlob
from coordinator.server.ckks_keys import CkksKeys
from coordinator.server.masking_rounds import ORDER as MASKING_ORDER
from coordinator.server.masking_rounds import MaskingSteps
from coordinator.server.model_codec import (
    TensorSpec,
    encode,
    layout_from_json,
    layout_to_json,
    read_layout,
    validate_update,
)
from coordinator.server.reports import federation_status
from coordinator.server.round_aggregation import aggregate_ckks, aggregate_plaintext
from coordinator.server.store import CoordinatorStore, RoundRow, UploadRow

LAYOUT_FACT = "model_layout"
INITIAL_FACT = "initial_model"
# Store-wide locks (:meth:`CoordinatorStore.exclusive`): every read-check-write of the
# round state, and the round driver, of which one runs at a time across all processes.
STATE_LOCK = "round-state"
DRIVER_LOCK = "round-driver"
# The coordinator's published answer to each probe of a secure bisection (its only
# state between probes: the search intervals are replayed from these bits).
PROBE_ANSWER_FACT = "probe_answer/round-{}/probe-{}"


class RoundService:
    """The federation's rounds over a store and a blob folder; safe to call from threads."""

    def __init__(
        self,
        plan: FederationPlan,
        store: CoordinatorStore,
        blobs: BlobStore,
        clock: Callable[[], float] = time.time,
        on_change: Callable[[], None] | None = None,
        recover: bool = True,
        ca_pem: bytes | None = None,
        pretrained_weights: Path | None = None,
        revocations: CoordinatorStore | None = None,
    ) -> None:
        """``recover=False`` opens read-only for the operator's status command: it neither
        removes half-received blobs nor opens round 1. ``ca_pem`` (the federation CA) lets
        a masking round refuse forged key advertisements before relaying them, and a CKKS
        round refuse an upload its site did not sign for this round and a key request with
        a certificate it did not issue; CKKS needs it. The CKKS public context comes from
        the sites (:class:`CkksKeys`), never from provisioning.
        ``pretrained_weights`` is the kit's verified copy of the file the plan pins.
        ``revocations`` is the store the operator revokes sites in, when it is not
        ``store`` (the federation's statistics run in a store of their own)."""
        if plan.mode is not SecureMode.NONE and ca_pem is None:
            raise CoordinatorError(f"a {plan.mode} federation needs its CA certificate to check signatures")
        self.plan = plan
        self.store = store
        self.blobs = blobs
        self.clock = clock
        self.on_change = on_change or (lambda: None)
        self.ca_pem = ca_pem
        self.pretrained_weights = pretrained_weights
        self.revocations = revocations or store
        self.masking = (
            MaskingSteps(plan, store, ca_pem, self.active_sites) if plan.mode is SecureMode.MASKING else None
        )
        self.bisection = BisectionPlan.of(plan) if uses_secure_bisection(plan) else None
        self.keys = (
            CkksKeys(plan, store, ca_pem, self.active_sites, clock)
            if plan.mode is SecureMode.CKKS and ca_pem is not None else None
        )
        if recover:
            blobs.clean_incoming()
            if self.keys is not None:
                self.keys.renew_if_members_changed()
        if recover and store.latest_round() is None:
            now = clock()
            store.open_round(1, now, None if self._waiting() else now + plan.round_deadline_s, self._first_step())

    # helpers ------------------------------------------------------------------------
    def _waiting(self) -> bool:
        """True while rounds cannot run: no initial model yet (plaintext), or not every
        site holds the CKKS key yet; such a round has no deadline."""
        if self.keys is not None:
            return not self.keys.ready()
        return self.plan.mode is SecureMode.NONE and self.store.fact(INITIAL_FACT) is None

    def _first_step(self) -> str | None:
        return MaskingStep.ADVERTISE.value if self.masking is not None else None

    def _current(self) -> RoundRow:
        row = self.store.latest_round()
        assert row is not None, "round 1 is created at start"
        return row

    def check_site(self, site: str) -> None:
        """Refuse a caller that is not enrolled in the plan or that the operator revoked."""
        if site not in self.plan.sites:
            raise CallerForbiddenError(
                f"'{site}' is not enrolled in federation '{self.plan.federation}'; "
                "use the enrolment kit the operator provisioned for your site"
            )
        revoked = self.revocations.revoked_at(site)
        if revoked is not None:
            raise CallerForbiddenError(
                f"the operator revoked site '{site}' from federation '{self.plan.federation}' "
                f"on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(revoked))}; "
                "ask the federation operator why before trying again"
            )

    def record_seen(self, site: str, at: float) -> None:
        """Remember when an enrolled site last called (the operator's status page)."""
        self.store.record_seen(site, at)

    def check_certificate(self, site: str, serial: str | None) -> None:
        """Refuse a certificate the operator retired (e.g. the kit a reissue replaced)."""
        revoked = self.revocations.certificate_revoked_at(serial) if serial else None
        if revoked is not None:
            raise CallerForbiddenError(
                f"this certificate of site '{site}' was revoked by the operator on "
                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(revoked))}; import the new "
                "enrolment kit your operator sent ('medfed-site enroll KIT')"
            )

    def _known_site(self, site: str) -> None:
        if site not in self.plan.sites:
            raise CoordinatorError(
                f"'{site}' is not a site of federation '{self.plan.federation}' "
                f"(sites: {', '.join(self.plan.sites)})"
            )

    def revoke(self, site: str) -> bool:
        """Stop ``site`` from making any further call; False when it was already revoked."""
        self._known_site(site)
        return self.store.revoke_site(site, self.clock())

    def revoke_certificate(self, site: str, serial: str) -> bool:
        """Retire one certificate of ``site`` (by serial): its other kits keep working."""
        self._known_site(site)
        return self.store.revoke_certificate(serial, site, self.clock())

    def active_sites(self) -> set[str]:
        """The plan's sites less those the operator revoked: whom a round waits for and
        whose uploads it aggregates (a revoked site's earlier upload is dropped)."""
        return {s for s in self.plan.sites if self.revocations.revoked_at(s) is None}

    def _active_uploads(self, round_number: int) -> list[UploadRow]:
        active = self.active_sites()
        return [u for u in self.store.uploads(round_number) if u.site in active]

    def _layout(self) -> list[TensorSpec] | None:
        raw = self.store.fact(LAYOUT_FACT)
        return layout_from_json(raw) if raw else None

    def _published_count(self) -> int:
        return sum(r.phase == RoundPhase.PUBLISHED for r in self.store.all_rounds())

    def finished(self) -> bool:
        """The plan's rounds are published, or more rounds failed than the plan tolerates
        (the operator may then resume the federation)."""
        return self._ends_federation(self.store.all_rounds())

    def _ends_federation(self, all_rounds: list[RoundRow]) -> bool:
        row = all_rounds[-1]
        if row.phase == RoundPhase.FAILED:
            return sum(r.phase == RoundPhase.FAILED for r in all_rounds) > self.plan.max_failed_rounds
        published = sum(r.phase == RoundPhase.PUBLISHED for r in all_rounds)
        return row.phase == RoundPhase.PUBLISHED and published >= self.plan.rounds

    def _latest_published_before(self, number: int) -> RoundRow | None:
        earlier = [r for r in self.store.all_rounds() if r.number < number and r.phase == RoundPhase.PUBLISHED]
        return earlier[-1] if earlier else None

    # reads --------------------------------------------------------------------------
    def state(self) -> RoundState:
        # One read of the rounds for every field: the driver (in this process or another)
        # may publish between two reads, and a state saying "finished" with nothing
        # published sent sites looking for a result that was not there yet.
        all_rounds = self.store.all_rounds()
        assert all_rounds, "round 1 is created at start"
        row = all_rounds[-1]
        published = [r.number for r in all_rounds if r.phase == RoundPhase.PUBLISHED]
        return RoundState(
            number=row.number,
            phase=RoundPhase(row.phase),
            opened_at=row.opened_at,
            deadline_at=row.deadline_at,
            extensions=row.extensions,
            submitted=[u.site for u in self.store.uploads(row.number)],
            waiting_for_initial_model=(
                self.plan.mode is SecureMode.NONE and self.store.fact(INITIAL_FACT) is None
            ),
            finished=self._ends_federation(all_rounds),
            last_published=max(published, default=0),
            masking_step=MaskingStep(row.masking_step) if row.masking_step else None,
            secure_sum=row.secure_sum,
            ckks_key=self.keys.state() if self.keys is not None and self.store.key_generation() else None,
        )

    def status(self) -> FederationStatus:
        """Rounds, submissions and example-weighted metrics, for the operator and sites."""
        return federation_status(self.plan, self.store, self.state())

    def result(self, round_number: int) -> tuple[Path, str]:
        row = self.store.round(round_number)
        if row is None or row.phase != RoundPhase.PUBLISHED or not row.result_path:
            raise RoundError(
                f"round {round_number} has no published result yet; poll the round state "
                "and download it once the round is published",
                status=404,
            )
        return self.blobs.path(row.result_path), str(row.result_sha256)

    def initial_model(self) -> tuple[Path, str]:
        raw = self.store.fact(INITIAL_FACT)
        if raw is None:
            raise RoundError(
                "no initial model has been uploaded yet; the first site to join uploads it",
                status=404,
            )
        relative, sha = raw.decode().split("\n")
        return self.blobs.path(relative), sha

    def pretrained_weights_file(self) -> tuple[Path, str]:
        """The operator's weights file and its SHA-256, for every enrolled site."""
        if self.plan.pretrained is None or self.pretrained_weights is None:
            raise RoundError("this federation starts from no pretrained weights file", status=404)
        return self.pretrained_weights, self.plan.pretrained.sha256

    # writes -------------------------------------------------------------------------
    def accept_initial_model(self, site: str, pending: PendingBlob) -> InitialModelReceipt:
        """Accept the seed-initialised model once; it fixes the parameter layout."""
        self.check_site(site)
        if self.plan.mode is not SecureMode.NONE:
            pending.discard()
            raise RoundError(
                f"in {self.plan.mode} mode there is no shared initial model upload: every site "
                "builds it from the plan's init_seed"
            )
        with pending:
            pending.flush()
            layout = read_layout(pending.temp_path, "initial model")
            validate_update(pending.temp_path, layout, what="initial model")
            with self.store.exclusive(STATE_LOCK):
                existing = self.store.fact(INITIAL_FACT)
                if existing is not None:
                    same = existing.decode().split("\n")[1] == pending.sha256
                    pending.discard()
                    raise InitialModelExistsError(
                        "the initial model was already uploaded"
                        + (" (identical to yours)" if same else " and yours differs from it: "
                           "check that your site builds the model from the plan's init_seed")
                    )
                final = pending.commit(f"initial-{pending.sha256[:16]}.safetensors")
                self.store.set_fact_once(LAYOUT_FACT, layout_to_json(layout))
                self.store.set_fact_once(
                    INITIAL_FACT, f"{self.blobs.relative(final)}\n{pending.sha256}".encode()
                )
                row = self._current()
                if row.number == 1 and row.deadline_at is None:
                    now = self.clock()
                    self.store.update_round(1, opened_at=now, deadline_at=now + self.plan.round_deadline_s)
        self.on_change()
        return InitialModelReceipt(
            sha256=pending.sha256, size_bytes=pending.size, parameters=sum(t.size for t in layout)
        )

    def _check_round_open(self, round_number: int) -> RoundRow:
        row = self._current()
        if self.finished():
            raise RoundError(f"the federation has ended (round {row.number} is {row.phase}); nothing more is accepted")
        if round_number < row.number or (
            round_number == row.number and row.phase not in (RoundPhase.OPEN, RoundPhase.COLLECTING)
        ):
            raise RoundError(
                f"round {round_number} is closed (late upload); the current round is "
                f"{row.number} ({row.phase}): fetch the round state and join that one"
            )
        if round_number > row.number:
            raise RoundError(f"round {round_number} has not opened yet; the current round is {row.number}")
        return row

    def probe_answer(self, site: str, round_number: int, probe: int) -> bytes:
        """The coordinator's answer to ``probe`` of a secure bisection round."""
        self.check_site(site)
        answer = self.store.fact(PROBE_ANSWER_FACT.format(round_number, probe))
        if self.bisection is None or answer is None:
            raise RoundError(
                f"round {round_number} has no answer to probe {probe} (yet); poll the round state",
                status=404,
            )
        return answer

    def _check_secure_sum(self, row: RoundRow, secure_sum: int) -> None:
        if secure_sum != row.secure_sum:
            raise RoundError(
                f"round {row.number} is at secure sum {row.secure_sum}, not {secure_sum}; fetch "
                "the round state and follow it",
                status=409,
            )

    def accept_update(
        self, site: str, round_number: int, pending: PendingBlob, num_examples: int | None,
        secure_sum: int = 0,
    ) -> UploadReceipt:
        """Validate, store durably and record a site's update; replaces its own open upload.
        In a round of several masked sums, ``secure_sum`` names the one it belongs to."""
        self.check_site(site)
        with pending:
            row = self._check_round_open(round_number)
            pending.flush()
            if self.masking is not None:
                self._check_secure_sum(row, secure_sum)
                length = self.masking.check_upload(row, site, pending.temp_path)
                self._check_vector_length(length, self._masked_length(secure_sum))
                num_examples = None
            elif secure_sum != 0:
                raise RoundError(f"a {self.plan.mode} round has one upload per site, not secure sums")
            elif self.plan.mode is SecureMode.NONE:
                layout = self._layout()
                if layout is None:
                    raise RoundError(
                        "the initial model has not been uploaded yet, so updates cannot be checked; "
                        "upload it first (PUT /v1/initial-model)"
                    )
                if num_examples is None or num_examples <= 0:
                    raise UpdateRejectedError("a plaintext update must state its number of examples (> 0)")
                cap = self.plan.limits.max_examples_per_site
                if num_examples > cap:
                    raise UpdateRejectedError(
                        f"the update claims {num_examples} examples but the plan weights a site by "
                        f"at most {cap}; state {cap} (the site app does)"
                    )
                validate_update(pending.temp_path, layout, self.plan.local.update_clip_norm)
            else:
                self._validate_ckks(site, round_number, pending.temp_path)
                num_examples = None
            with self.store.exclusive(STATE_LOCK):
                row = self._check_round_open(round_number)
                if self.masking is not None and (
                    row.masking_step != MaskingStep.UPLOAD.value or row.secure_sum != secure_sum
                ):
                    raise RoundError(
                        f"round {round_number} moved on to the '{row.masking_step}' step while the "
                        "masked update arrived; the survivor set is already fixed without it"
                    )
                if secure_sum > 0:
                    self._record_sum_upload(site, row, secure_sum, pending)
                    replaced = False
                else:
                    replaced = self._record_round_upload(site, row, pending, num_examples)
        self.on_change()
        return UploadReceipt(
            round=round_number, site=site, sha256=pending.sha256, size_bytes=pending.size,
            num_examples=num_examples, replaced=replaced,
        )

    def _record_round_upload(
        self, site: str, row: RoundRow, pending: PendingBlob, num_examples: int | None
    ) -> bool:
        """Keep a site's upload of the round (under the lock); True when it replaced one."""
        previous = {u.site: u for u in self.store.uploads(row.number)}.get(site)
        if previous is not None and previous.sha256 == pending.sha256:
            raise DuplicateUploadError(
                f"duplicate upload: round {row.number} already holds this exact update "
                f"from '{site}'; nothing to do",
            )
        final = pending.commit(f"{site}-{pending.sha256[:16]}.bin")
        replaced = self.store.record_upload(
            UploadRow(
                round=row.number, site=site, blob_path=self.blobs.relative(final),
                sha256=pending.sha256, size_bytes=pending.size,
                num_examples=num_examples, received_at=self.clock(),
            ),
            set_phase=RoundPhase.COLLECTING.value if row.phase == RoundPhase.OPEN else None,
        )
        if replaced is not None and replaced.blob_path != self.blobs.relative(final):
            self.blobs.path(replaced.blob_path).unlink(missing_ok=True)
        return replaced is not None

    def _record_sum_upload(self, site: str, row: RoundRow, secure_sum: int, pending: PendingBlob) -> None:
        """Keep a site's masked upload to a later sum of the round (once; under the lock)."""
        if any(u.site == site for u in self.store.sum_uploads(row.number, secure_sum)):
            raise DuplicateUploadError(
                f"duplicate upload: '{site}' already sent its part of secure sum {secure_sum} "
                f"of round {row.number}"
            )
        final = pending.commit(f"{site}-sum{secure_sum}-{pending.sha256[:16]}.bin")
        upload = UploadRow(
            round=row.number, site=site, blob_path=self.blobs.relative(final), sha256=pending.sha256,
            size_bytes=pending.size, num_examples=None, received_at=self.clock(),
        )
        self.store.record_sum_upload(upload, secure_sum)

    def _masked_length(self, secure_sum: int) -> int:
        """Values in one masked upload to ``secure_sum`` (the count word not included)."""
        assert self.plan.update_length is not None
        if self.bisection is not None and self.bisection.is_probe(secure_sum):
            return self.bisection.probe_words(self.plan.update_length) - 1
        return self.plan.update_length

    def _validate_ckks(self, site: str, round_number: int, path: Path) -> None:
        from cryptography import x509

        from coordinator.secure.ckks_contributions import open_upload

        assert self.keys is not None and self.ca_pem is not None
        try:
            length = open_upload(
                self.keys.public_context(), x509.load_pem_x509_certificate(self.ca_pem),
                path.read_bytes(), federation=self.plan.federation,
                round_number=round_number, site=site,
            )
        except SecureAggregationError as exc:
            raise UpdateRejectedError(f"the encrypted update is malformed: {exc}") from exc
        self._check_vector_length(length)

    def _check_vector_length(self, length: int, expected: int | None = None) -> None:
        """An encrypted or masked update must hold the plan's number of values: the plan,
        not the first upload, fixes it, so one site cannot lock the others out."""
        expected = self.plan.update_length if expected is None else expected
        if length != expected:
            raise UpdateRejectedError(
                f"the encrypted update holds {length} values but this federation's updates hold "
                f"{expected}; the site trained a different model than the plan's"
            )

    def ckks(self) -> CkksKeys:
        """The CKKS key's relay; refuses in another mode."""
        if self.keys is None:
            raise RoundError(f"this federation runs in {self.plan.mode} mode, without a CKKS key")
        return self.keys

    def ckks_key_changed(self) -> None:
        """Wake the driver: the key may have become ready (the round's deadline starts)."""
        self.on_change()

    def masking_post(
        self, site: str, round_number: int, step: MaskingStep, body: object, secure_sum: int = 0
    ) -> None:
        """Relay one site's masking message of ``step`` (stored durably before the 2xx)."""
        self.check_site(site)
        if self.masking is None:
            raise RoundError(f"this federation runs in {self.plan.mode} mode, without masking steps")
        with self.store.exclusive(STATE_LOCK):
            row = self._check_round_open(round_number)
            self._check_secure_sum(row, secure_sum)
            self.masking.post(row, site, step, body)
        self.on_change()

    def masking_get(self, site: str, round_number: int, step: MaskingStep, secure_sum: int = 0) -> object:
        """The messages of a closed ``step`` addressed to ``site`` (or to everyone)."""
        self.check_site(site)
        if self.masking is None:
            raise RoundError(f"this federation runs in {self.plan.mode} mode, without masking steps")
        with self.store.exclusive(STATE_LOCK):
            row = self._check_round_open(round_number)
            self._check_secure_sum(row, secure_sum)
            return self.masking.get(row, site, step)

    def record_metrics(self, site: str, round_number: int, report: MetricsReport) -> None:
        """Keep a site's validation figures of a published round's model, within bounds."""
        self.check_site(site)
        row = self.store.round(round_number)
        if row is None or row.phase != RoundPhase.PUBLISHED:
            raise RoundError(
                f"round {round_number} has no published model yet, so there is nothing to "
                "validate; report metrics after downloading its result",
                status=404 if row is None else 409,
            )
        validation = self.plan.validation
        if validation.mechanism == "off":
            raise UpdateRejectedError("this federation's plan asks sites not to report validation figures")
        bins = [len(counts) for counts in report.noisy_counts]
        if bins != [validation.score_bins] * 2:
            raise UpdateRejectedError(
                f"the validation histogram must have 2 rows of {validation.score_bins} bins "
                f"(the plan's), got {bins}"
            )
        # Exact counts stay at the site: the stored row holds the noised histogram only.
        self.store.record_metrics(round_number, site, 0, {"noisy_counts": report.noisy_counts})

    # the driver ---------------------------------------------------------------------
    def advance(self) -> bool | None:
        """Close the current round if its rule says so, aggregate a closed round, and
        open the next round after a failed one.

        Called by every server process's driver on every change and tick; returns True
        when the state moved, None when another driver (thread or process) is advancing
        right now, in which case nothing was done.
        """
        with self.store.exclusive(DRIVER_LOCK, wait=False) as held:
            if not held:
                return None
            moved = self._renew_ckks_key()
            moved = self._maybe_close() or moved
            row = self._current()
            if row.phase == RoundPhase.AGGREGATING:
                self._aggregate_and_publish(row.number)
                moved = True
            with self.store.exclusive(STATE_LOCK):
                moved = self._open_after_failure() or moved
        if moved:
            self.on_change()
        return moved

    def _renew_ckks_key(self) -> bool:
        """After a revocation, start the next CKKS key for the sites left. A round that
        holds uploads under the old key fails (the revoked site holds that key); one
        without waits for the new key."""
        if self.keys is None:
            return False
        with self.store.exclusive(STATE_LOCK):
            if not self.keys.renew_if_members_changed():
                return False
            row = self._current()
            if row.phase in (RoundPhase.OPEN, RoundPhase.COLLECTING):
                if self.store.uploads(row.number):
                    self._fail(row.number, "a site was revoked, so the federation's encryption key "
                               "is replaced; this round's uploads under the old key are not used")
                else:
                    self.store.update_round(row.number, deadline_at=None)
        return True

    def _maybe_close(self) -> bool:
        with self.store.exclusive(STATE_LOCK):
            row = self._current()
            if row.phase not in (RoundPhase.OPEN, RoundPhase.COLLECTING):
                return False
            if self.keys is not None and row.deadline_at is None:
                if not self.keys.ready():
                    return False
                self.store.update_round(row.number, opened_at=self.clock(),
                                        deadline_at=self.clock() + self.plan.round_deadline_s)
                return True
            if self.masking is not None:
                return self._maybe_next_masking_step(row)
            submitted = {u.site for u in self._active_uploads(row.number)}
            if submitted >= self.active_sites() or self._deadline_allows(row, len(submitted), self.plan.min_sites):
                self.store.update_round(row.number, phase=RoundPhase.AGGREGATING.value)
                return True
            return self._handle_missed_deadline(row, len(submitted), self.plan.min_sites)

    def _deadline_allows(self, row: RoundRow, count: int, needed: int) -> bool:
        return row.deadline_at is not None and self.clock() >= row.deadline_at and count >= needed

    def _handle_missed_deadline(self, row: RoundRow, count: int, needed: int) -> bool:
        """At a deadline with too few sites: extend or fail, as the plan says."""
        if row.deadline_at is None or self.clock() < row.deadline_at:
            return False
        if self.plan.on_deadline == "extend" and row.extensions < self.plan.max_extensions:
            self.store.update_round(
                row.number,
                deadline_at=row.deadline_at + self.plan.round_deadline_s,
                extensions=row.extensions + 1,
            )
        else:
            step = f" at the {row.masking_step} step" if row.masking_step else ""
            self._fail(
                row.number,
                f"only {count} of the {needed} required sites took part{step} by the "
                f"deadline (after {row.extensions} extensions)",
            )
        return True

    def _maybe_next_masking_step(self, row: RoundRow) -> bool:
        assert self.masking is not None and row.masking_step is not None
        step = MaskingStep(row.masking_step)
        done = self.masking.completed(row.number, step, row.secure_sum)
        needed = self.masking.needed(step)
        complete = done >= self.masking.expected(row.number, step, row.secure_sum) and len(done) >= needed
        if not (complete or self._deadline_allows(row, len(done), needed)):
            return self._handle_missed_deadline(row, len(done), needed)
        self.masking.close_step(row.number, step, row.secure_sum)
        if step is MaskingStep.UNMASK:
            self.store.update_round(row.number, phase=RoundPhase.AGGREGATING.value)
        else:
            self.store.update_round(
                row.number,
                masking_step=MASKING_ORDER[MASKING_ORDER.index(step) + 1].value,
                deadline_at=self.clock() + self.plan.round_deadline_s,
            )
        return True

    def _open_after_failure(self) -> bool:
        """A failed round does not end the federation: open the next one (from the store,
        so a coordinator killed in between does it on restart), unless the plan's budget
        of failed rounds is spent; then the operator decides ('resume')."""
        row = self._current()
        if row.phase != RoundPhase.FAILED or self.finished():
            return False
        self.open_next_round(row.number)
        return True

    def open_next_round(self, after: int) -> None:
        now = self.clock()
        deadline = None if self._waiting() else now + self.plan.round_deadline_s
        self.store.open_round(after + 1, now, deadline, self._first_step())

    def waiting_for_operator(self) -> bool:
        """The last round failed and the plan's budget of failed rounds is spent: no round
        opens until the operator resumes (:meth:`resume`)."""
        return self._current().phase == RoundPhase.FAILED and self.finished()

    def resume(self) -> int:
        """The operator's decision after the failed-round budget is spent: open the next
        round; returns its number."""
        with self.store.exclusive(STATE_LOCK):
            row = self._current()
            if not self.waiting_for_operator():
                raise CoordinatorError(
                    f"round {row.number} is {row.phase} and the federation is not waiting for "
                    "the operator; there is nothing to resume"
                )
            self.open_next_round(row.number)
        return row.number + 1

    def _fail(self, number: int, reason: str) -> None:
        self.store.update_round(number, phase=RoundPhase.FAILED.value, failure=reason)

    def _aggregate_and_publish(self, number: int) -> None:
        row = self.store.round(number)
        assert row is not None
        if self.masking is not None:
            survivors = self.masking.survivors(number, row.secure_sum)
            uploads = [u for u in self.masking.uploads(number, row.secure_sum) if u.site in survivors]
        else:
            uploads = self._active_uploads(number)
        paths = [self.blobs.path(u.blob_path) for u in uploads]
        state_rel: str | None = None
        total: int | None = None
        try:
            if self.plan.mode is not SecureMode.NONE and len(uploads) < MIN_SECURE_SITES:
                raise RoundError(
                    f"only {len(uploads)} site(s) uploaded; a secure aggregate of fewer than "
                    f"{MIN_SECURE_SITES} sites would reveal their updates, so it is not published"
                )
            if self.plan.mode is SecureMode.NONE:
                layout = self._layout()
                assert layout is not None
                previous = self._latest_published_before(number)
                global_path = (
                    self.blobs.path(previous.result_path)
                    if previous is not None and previous.result_path
                    else self.initial_model()[0]
                )
                state = (
                    load_file(str(self.blobs.path(previous.state_path)))
                    if previous is not None and previous.state_path
                    else {}
                )
                outcome = aggregate_plaintext(
                    self.plan, layout, global_path,
                    [(p, int(u.num_examples or 0)) for p, u in zip(paths, uploads, strict=True)],
                    state,
                )
                if not all(np.isfinite(w).all() for w in outcome.weights):
                    raise AggregationError(
                        "the aggregate is not finite (an update or its example count overflowed); "
                        "nothing was published"
                    )
                data = encode(layout, outcome.weights)
                total = outcome.total_examples
                name = f"round-{number}.safetensors"
                if outcome.optimiser_state:
                    state_file = self.blobs.write_bytes("state", name, save(outcome.optimiser_state))
                    state_rel = self.blobs.relative(state_file)
            elif self.bisection is not None:
                finished = self._bisection_sum(row, paths)
                if finished is None:
                    return
                data, total = finished
                name = f"round-{number}.safetensors"
            elif self.masking is not None:
                data, total = self.masking.aggregate(number, paths)
                name = f"round-{number}.safetensors"
            else:
                assert self.keys is not None
                data = aggregate_ckks(self.keys.public_context(), paths)
                name = f"round-{number}.ckks"
        except (AggregationError, CoordinatorError, SecureAggregationError) as exc:
            self._fail(number, str(exc))
            return
        result = self.blobs.write_bytes("results", name, data)
        now = self.clock()
        self.store.publish_round(
            number,
            result_path=self.blobs.relative(result),
            result_sha256=hashlib.sha256(data).hexdigest(),
            total_examples=total,
            state_path=state_rel,
            published_at=now,
            next_round=(
                (number + 1, now, None if self._waiting() else now + self.plan.round_deadline_s,
                 self._first_step())
                if self._published_count() + 1 < self.plan.rounds
                else None
            ),
        )

    # secure bisection ---------------------------------------------------------------
    def _bisection_sum(self, row: RoundRow, paths: list[Path]) -> tuple[bytes, int | None] | None:
        """Finish one masked sum of a bisection round. A probe: unmask the packed counts,
        store the answer (the counts themselves are never stored) and open the next sum;
        None then. After the last probe of a median, the estimate; after the winsorised
        mean's weighted sum, that sum. Repeatable after a restart: a stored answer is kept."""
        assert self.bisection is not None and self.masking is not None
        assert self.plan.update_length is not None
        number, secure_sum = row.number, row.secure_sum
        if not self.bisection.is_probe(secure_sum):
            return self.masking.aggregate(number, paths, secure_sum)
        answers = self._probe_answers(number, secure_sum)
        key = PROBE_ANSWER_FACT.format(number, secure_sum)
        if self.store.fact(key) is None:
            counts = self.masking.unmasked_words(number, paths, secure_sum)
            search = self.bisection.coordinator(self.plan.update_length, answers)
            self.store.set_fact_once(key, search.answer(counts))
        answers = self._probe_answers(number, secure_sum + 1)
        if secure_sum + 1 < self.bisection.sums:
            with self.store.exclusive(STATE_LOCK):
                self.store.update_round(
                    number, phase=RoundPhase.COLLECTING.value, secure_sum=secure_sum + 1,
                    masking_step=MaskingStep.ADVERTISE.value,
                    deadline_at=self.clock() + self.plan.round_deadline_s,
                )
            return None
        estimate = self.bisection.coordinator(self.plan.update_length, answers).search.estimate[0]
        data = save({"update": np.ascontiguousarray(estimate, dtype=np.float64),
                     "sites": np.array([len(paths)], dtype=np.float64)})
        return data, None

    def _probe_answers(self, number: int, probes: int) -> list[bytes]:
        """The stored answers to probes ``0 .. probes - 1`` of round ``number``."""
        answers = [self.store.fact(PROBE_ANSWER_FACT.format(number, p)) for p in range(probes)]
        if any(a is None for a in answers):
            raise CoordinatorError(f"round {number} lacks the answer to an earlier probe; its store is damaged")
        return [a for a in answers if a is not None]
