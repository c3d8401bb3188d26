"""The coordinator's side of a pairwise-masking round: relay, track steps, unmask.

Steps (``rounds.masking_step``): ``advertise`` (each site posts its signed key
advertisement) -> ``share`` (each advertiser posts encrypted Shamir shares addressed to
every peer) -> ``upload`` (each site that shared uploads its masked vector) -> ``unmask``
(each survivor answers the unmask request). Messages are opaque JSON to the coordinator:
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
    NotEnrolledError,
    PayloadTooLargeError,
    RoundError,
    UpdateRejectedError,
)
from coordinator.protocol import (
    FederationPlan,
    MaskingStep,
    masking_bounds,
    masking_round_id,
    masking_threshold,
)
from coordinator.server.store import CoordinatorStore, RoundRow

ORDER = [MaskingStep.ADVERTISE, MaskingStep.SHARE, MaskingStep.UPLOAD, MaskingStep.UNMASK]
BROADCAST = "*"


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
        """Sites that completed ``step`` of round ``number``."""
        if step is MaskingStep.UPLOAD:
            return {u.site for u in self.store.uploads(number)}
        return {sender for sender, _, _ in self.store.messages(number, step.value)}

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
            raise RoundError(f"duplicate upload: '{site}' already sent its '{step}' message this round")

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
                    raise NotEnrolledError(f"a share must be sent by '{site}' itself and name its recipient")
                out[recipient] = json.dumps(message)
            return out
        claimed = body.get("site_id")
        if claimed != site:
            raise NotEnrolledError(f"a '{step}' message from '{site}' cannot speak for '{claimed}'")
        if body.get("round_id") != round_id:
            raise UpdateRejectedError(f"the message is for round '{body.get('round_id')}', not '{round_id}'")
        if step is MaskingStep.ADVERTISE and self.ca_pem is not None:
            self._check_advertisement(body, round_id)
        return {BROADCAST: json.dumps(body)}

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
        if step is MaskingStep.UNMASK:
            if row.masking_step != MaskingStep.UNMASK.value:
                raise RoundError(f"round {row.number} is not at the unmask step yet; poll the round state", status=409)
            from coordinator.secure.masking import unmask_request

            return unmask_request(masking_round_id(self.plan, row.number), sorted(self.participants(row.number, MaskingStep.UPLOAD)))
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
