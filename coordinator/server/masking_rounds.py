"""The coordinator's side of a pairwise-masking round: relay, track steps, unmask.

Steps (``rounds.masking_step``): ``advertise`` (each site posts its signed key
advertisement) -> ``share`` (each advertiser posts encrypted Shamir shares addressed to
every peer) -> ``upload`` (each site that shared uploads its masked vector) ->
``consistency`` (each survivor signs the survivor set, frozen in the store when the
upload step closed, so every site is served the same one) -> ``unmask`` (each survivor
that signed answers the unmask request, which carries the signatures). Messages are
opaque JSON to the coordinator:
it only checks who sends and to whom (the sender is the certificate's site, never a
field of the body), stores them durably, and hands each site the messages addressed to
it once the step has closed. The math is :mod:`coordinator.secure.masking`'s.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save

from coordinator.errors import (
    CallerForbiddenError,
    DuplicateUploadError,
    PayloadTooLargeError,
    RoundError,
    UpdateRejectedError,
)
from coordinator.protocol import FederationPlan, MaskingStep, masking_round_id, masking_threshold
from coordinator.secure.quantisation import masking_bounds
from coordinator.server.store import CoordinatorStore, RoundRow

ORDER = list(MaskingStep)
BROADCAST = "*"
SURVIVORS_FACT = "masking_survivors/round-{}"


def _after(step: str | None, other: MaskingStep) -> bool:
    return step is not None and ORDER.index(MaskingStep(step)) > ORDER.index(other)


class MaskingSteps:
    """Relay and step bookkeeping for masking rounds over the coordinator's store."""

    def __init__(self, plan: FederationPlan, store: CoordinatorStore, ca_pem: bytes | None = None) -> None:
        """``ca_pem`` (the federation CA) lets the relay refuse forged key advertisements:
        relayed, a single one would make every honest site refuse the whole round."""
        self.plan = plan
        self.store = store
        self.threshold = masking_threshold(plan)
        self.ca_pem = ca_pem

    def participants(self, number: int, step: MaskingStep) -> set[str]:
        """Sites that completed ``step`` of round ``number`` (once the upload step closed,
        its participants are the frozen survivor set)."""
        if step is MaskingStep.UPLOAD:
            frozen = self.frozen_survivors(number)
            return set(frozen) if frozen is not None else {u.site for u in self.store.uploads(number)}
        return {sender for sender, _, _ in self.store.messages(number, step.value)}

    def frozen_survivors(self, number: int) -> list[str] | None:
        """The survivor set fixed when round ``number``'s upload step closed, if it has."""
        raw = self.store.fact(SURVIVORS_FACT.format(number))
        return None if raw is None else list(json.loads(raw))

    def close_step(self, number: int, step: MaskingStep) -> None:
        """Called (under the round lock) before the round moves past ``step``: closing the
        upload step freezes the survivor set every later request is served from."""
        if step is MaskingStep.UPLOAD:
            survivors = sorted(u.site for u in self.store.uploads(number))
            self.store.set_fact_once(SURVIVORS_FACT.format(number), json.dumps(survivors).encode())

    def expected(self, number: int, step: MaskingStep) -> set[str]:
        """Who must complete ``step``: everyone who completed the step before it."""
        index = ORDER.index(step)
        return set(self.plan.sites) if index == 0 else self.participants(number, ORDER[index - 1])

    def needed(self, step: MaskingStep) -> int:
        return max(self.threshold, self.plan.min_sites) if step is MaskingStep.UPLOAD else self.threshold

    # relay ----------------------------------------------------------------------------
    def post(self, row: RoundRow, site: str, step: MaskingStep, body: Any, size: int) -> None:
        if size > self.plan.limits.max_message_bytes:
            raise PayloadTooLargeError(
                f"the masking message is {size} bytes, over the limit of {self.plan.limits.max_message_bytes}"
            )
        if step is MaskingStep.UPLOAD:
            raise RoundError("masked vectors are uploaded with PUT .../update", status=405)
        if row.masking_step != step.value:
            raise RoundError(
                f"round {row.number} is at the '{row.masking_step}' step, not '{step}'; fetch the "
                "round state and follow it"
            )
        if site not in self.expected(row.number, step):
            raise RoundError(
                f"'{site}' did not take part in the step before '{step}' of round {row.number}, "
                "so it cannot join this one; wait for the next round"
            )
        round_id = masking_round_id(self.plan, row.number)
        bodies = self._check_body(step, site, round_id, row.number, body)
        if not self.store.add_messages(row.number, step.value, site, bodies):
            raise DuplicateUploadError(f"duplicate upload: '{site}' already sent its '{step}' message this round")

    def _check_body(self, step: MaskingStep, site: str, round_id: str, number: int, body: Any) -> dict[str, str]:
        if not isinstance(body, dict):
            raise UpdateRejectedError(f"the '{step}' message must be a JSON object")
        if step is MaskingStep.SHARE:
            advertisers = self.participants(number, MaskingStep.ADVERTISE)
            out = {}
            for recipient, message in body.items():
                if recipient not in advertisers or recipient == site:
                    raise UpdateRejectedError(f"shares may only go to other advertisers, not '{recipient}'")
                if not isinstance(message, dict) or message.get("sender") != site or message.get("recipient") != recipient:
                    raise CallerForbiddenError(f"a share must be sent by '{site}' itself and name its recipient")
                out[recipient] = json.dumps(message)
            return out
        claimed = body.get("site_id")
        if claimed != site:
            raise CallerForbiddenError(f"a '{step}' message from '{site}' cannot speak for '{claimed}'")
        if body.get("round_id") != round_id:
            raise UpdateRejectedError(f"the message is for round '{body.get('round_id')}', not '{round_id}'")
        if step is MaskingStep.ADVERTISE and self.ca_pem is not None:
            self._check_advertisement(body, round_id)
        if step is MaskingStep.CONSISTENCY:
            self._check_consistency(body, site, number)
        return {BROADCAST: json.dumps(body)}

    def _check_consistency(self, body: dict[str, Any], site: str, number: int) -> None:
        """Relay only a valid signature on the frozen set: one on another set, or forged,
        would make every honest site refuse to unmask."""
        from cryptography import x509

        from coordinator.secure.errors import SecureAggregationError
        from coordinator.secure.masking import verify_survivor_signature

        survivors = self.frozen_survivors(number)
        if self.ca_pem is None or survivors is None:
            raise RoundError("the survivor set is not frozen yet; poll the round state", status=409)
        try:
            verify_survivor_signature(
                body, x509.load_pem_x509_certificate(self.ca_pem), masking_round_id(self.plan, number), survivors
            )
        except SecureAggregationError as exc:
            raise UpdateRejectedError(f"the survivor signature is refused, not relayed: {exc}") from exc

    def _check_advertisement(self, body: dict[str, Any], round_id: str) -> None:
        from cryptography import x509

        from coordinator.secure.advertisement import verify_advertisement
        from coordinator.secure.errors import SecureAggregationError

        assert self.ca_pem is not None
        try:
            verify_advertisement(body, x509.load_pem_x509_certificate(self.ca_pem), round_id)
        except SecureAggregationError as exc:
            raise UpdateRejectedError(f"the key advertisement is refused, not relayed: {exc}") from exc

    def get(self, row: RoundRow, site: str, step: MaskingStep) -> Any:
        """What a site reads after a step: all advertisements, its shares, the unmask request."""
        round_id = masking_round_id(self.plan, row.number)
        if step in (MaskingStep.CONSISTENCY, MaskingStep.UNMASK):
            survivors = self.frozen_survivors(row.number)
            if survivors is None or not _after(row.masking_step, ORDER[ORDER.index(step) - 1]):
                raise RoundError(f"round {row.number} is not at the {step} step yet; poll the round state", status=409)
            from coordinator.secure.masking import consistency_request, unmask_request

            if step is MaskingStep.CONSISTENCY:
                return consistency_request(round_id, survivors)
            signatures = [json.loads(b) for _, _, b in self.store.messages(row.number, MaskingStep.CONSISTENCY.value)]
            return unmask_request(round_id, survivors, signatures)
        if not _after(row.masking_step, step):
            done = len(self.participants(row.number, step))
            raise RoundError(
                f"the '{step}' step of round {row.number} is still open ({done} sites so far); poll again",
                status=409,
            )
        if step is MaskingStep.ADVERTISE:
            return [json.loads(b) for _, _, b in self.store.messages(row.number, step.value)]
        if step is MaskingStep.SHARE:
            return [json.loads(b) for _, _, b in self.store.messages(row.number, step.value, recipient=site)]
        raise RoundError(f"nothing to read at the '{step}' step", status=405)

    def check_upload(self, row: RoundRow, site: str, path: Path) -> int:
        """Validate a masked upload; returns its vector length."""
        from coordinator.secure.errors import SecureAggregationError
        from coordinator.secure.masking import validate_masked_blob

        if row.masking_step != MaskingStep.UPLOAD.value:
            raise RoundError(f"round {row.number} is at the '{row.masking_step}' step; masked uploads come after the shares")
        if site not in self.expected(row.number, MaskingStep.UPLOAD):
            raise RoundError(f"'{site}' did not share its keys this round, so its masked upload could not be unmasked")
        try:
            return int(validate_masked_blob(path.read_bytes()))
        except SecureAggregationError as exc:
            raise UpdateRejectedError(f"the masked update is malformed: {exc}") from exc

    # aggregation ----------------------------------------------------------------------
    def aggregate(self, number: int, blobs: list[Path]) -> tuple[bytes, int]:
        """Sum the survivors' masked vectors, remove the masks: the plain weighted sum."""
        from coordinator.secure.masking import MaskedSum, unmask

        total = MaskedSum()
        for path in blobs:
            with open(path, "rb") as fh:
                total.add_stream(fh)
        advertisements = [json.loads(b) for _, _, b in self.store.messages(number, MaskingStep.ADVERTISE.value)]
        responses = [json.loads(b) for _, _, b in self.store.messages(number, MaskingStep.UNMASK.value)]
        vector, count = unmask(
            total,
            advertisements,
            self.participants(number, MaskingStep.SHARE),
            self.participants(number, MaskingStep.UPLOAD),
            responses,
            self.threshold,
            masking_bounds(self.plan),
            masking_round_id(self.plan, number),
        )
        data = save({"sum": np.asarray(vector, dtype=np.float64), "count": np.array([count], dtype=np.float64)})
        return data, round(count)
