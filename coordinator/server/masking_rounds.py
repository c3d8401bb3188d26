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

A round may run several masked sums one after another (``RoundRow.secure_sum``: a secure
median's probes): each is a whole masking round of its own, with fresh keys and its own
round id, among the sites that finished the sum before. :meth:`MaskingSteps.unmasked_words`
is the generic step any such sum ends with: the survivors' uint32 vectors summed, every
mask removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ValidationError
from safetensors.numpy import save

from coordinator.errors import (
    CallerForbiddenError,
    DuplicateUploadError,
    MessageRejectedError,
    RoundError,
    UpdateRejectedError,
)
from coordinator.protocol import (
    EncryptedShare,
    FederationPlan,
    KeyAdvertisement,
    UnmaskResponse,
    masking_round_id,
    masking_threshold,
)
from coordinator.round_state import MaskingStep
from coordinator.secure.quantisation import masking_bounds
from coordinator.server.store import CoordinatorStore, RoundRow, UploadRow

Message = TypeVar("Message", bound=BaseModel)
ORDER = list(MaskingStep)
BROADCAST = "*"
SURVIVORS_FACT = "masking_survivors/round-{}"


def _survivors_key(number: int, secure_sum: int) -> str:
    key = SURVIVORS_FACT.format(number)
    return key if secure_sum == 0 else f"{key}/sum-{secure_sum}"


def message_step(step: MaskingStep, secure_sum: int) -> str:
    """How the store files a step's messages: the step, prefixed by a later sum's index."""
    return step.value if secure_sum == 0 else f"{secure_sum}:{step.value}"


def _after(step: str | None, other: MaskingStep) -> bool:
    return step is not None and ORDER.index(MaskingStep(step)) > ORDER.index(other)


class MaskingSteps:
    """Relay and step bookkeeping for masking rounds over the coordinator's store."""

    def __init__(
        self,
        plan: FederationPlan,
        store: CoordinatorStore,
        ca_pem: bytes | None = None,
        active_sites: Callable[[], set[str]] | None = None,
    ) -> None:
        """``ca_pem`` (the federation CA) lets the relay refuse forged key advertisements:
        relayed, a single one would make every honest site refuse the whole round.
        ``active_sites`` names the sites not revoked: a revoked site is waited for no
        longer, and a masked upload it made before the survivor set froze counts as a
        dropout's."""
        self.plan = plan
        self.store = store
        self.threshold = masking_threshold(plan)
        self.ca_pem = ca_pem
        self.active_sites = active_sites or (lambda: set(plan.sites))

    def uploads(self, number: int, secure_sum: int = 0) -> list[UploadRow]:
        """The masked uploads of one sum of round ``number``."""
        return self.store.uploads(number) if secure_sum == 0 else self.store.sum_uploads(number, secure_sum)

    def participants(self, number: int, step: MaskingStep, secure_sum: int = 0) -> set[str]:
        """Sites that completed ``step`` of round ``number`` (once the upload step closed,
        its participants are the frozen survivor set; revoked sites included: their
        advertisements fixed the Shamir positions and their shares are in the masks)."""
        if step is MaskingStep.UPLOAD:
            frozen = self.frozen_survivors(number, secure_sum)
            return set(frozen) if frozen is not None else {u.site for u in self.uploads(number, secure_sum)}
        return {sender for sender, _, _ in self.store.messages(number, message_step(step, secure_sum))}

    def frozen_survivors(self, number: int, secure_sum: int = 0) -> list[str] | None:
        """The survivor set fixed when round ``number``'s upload step closed, if it has."""
        raw = self.store.fact(_survivors_key(number, secure_sum))
        return None if raw is None else list(json.loads(raw))

    def close_step(self, number: int, step: MaskingStep, secure_sum: int = 0) -> None:
        """Called (under the round lock) before the round moves past ``step``: closing the
        upload step freezes the survivor set every later request is served from."""
        if step is MaskingStep.UPLOAD:
            survivors = sorted(self.survivors(number, secure_sum))
            self.store.set_fact_once(_survivors_key(number, secure_sum), json.dumps(survivors).encode())

    def survivors(self, number: int, secure_sum: int = 0) -> set[str]:
        """Sites whose masked uploads are summed: the frozen set, or until it freezes the
        sites that uploaded and were not revoked since."""
        frozen = self.frozen_survivors(number, secure_sum)
        if frozen is not None:
            return set(frozen)
        return {u.site for u in self.uploads(number, secure_sum)} & self.active_sites()

    def completed(self, number: int, step: MaskingStep, secure_sum: int = 0) -> set[str]:
        """The sites not revoked that completed ``step``."""
        return self.participants(number, step, secure_sum) & self.active_sites()

    def expected(self, number: int, step: MaskingStep, secure_sum: int = 0) -> set[str]:
        """Who must complete ``step``: every site not revoked that completed the step
        before; a later sum starts with the sites that finished the sum before it (a site
        that dropped out stays out for the rest of the round)."""
        index = ORDER.index(step)
        if index > 0:
            return self.completed(number, ORDER[index - 1], secure_sum)
        if secure_sum == 0:
            return self.active_sites()
        return self.completed(number, ORDER[-1], secure_sum - 1)

    def needed(self, step: MaskingStep) -> int:
        return max(self.threshold, self.plan.min_sites) if step is MaskingStep.UPLOAD else self.threshold

    # relay ----------------------------------------------------------------------------
    def post(self, row: RoundRow, site: str, step: MaskingStep, body: Any) -> None:
        """Store one site's message of ``step`` (its size was checked as it arrived)."""
        if step is MaskingStep.UPLOAD:
            raise RoundError("masked vectors are uploaded with PUT .../update", status=405)
        if row.masking_step != step.value:
            raise RoundError(
                f"round {row.number} is at the '{row.masking_step}' step, not '{step}'; fetch the "
                "round state and follow it"
            )
        if site not in self.expected(row.number, step, row.secure_sum):
            raise RoundError(
                f"'{site}' did not take part in the step before '{step}' of round {row.number}, "
                "so it cannot join this one; wait for the next round"
            )
        round_id = masking_round_id(self.plan, row.number, row.secure_sum)
        bodies = self._check_body(step, site, round_id, row.number, row.secure_sum, body)
        if not self.store.add_messages(row.number, message_step(step, row.secure_sum), site, bodies):
            raise DuplicateUploadError(f"duplicate upload: '{site}' already sent its '{step}' message this round")

    def _check_body(
        self, step: MaskingStep, site: str, round_id: str, number: int, secure_sum: int, body: Any
    ) -> dict[str, str]:
        if not isinstance(body, dict):
            raise UpdateRejectedError(f"the '{step}' message must be a JSON object")
        if step is MaskingStep.SHARE:
            return self._check_shares(site, round_id, number, secure_sum, body)
        claimed = body.get("site_id")
        if claimed != site:
            raise CallerForbiddenError(f"a '{step}' message from '{site}' cannot speak for '{claimed}'")
        if body.get("round_id") != round_id:
            raise UpdateRejectedError(f"the message is for round '{body.get('round_id')}', not '{round_id}'")
        if step is MaskingStep.ADVERTISE:
            _parse(KeyAdvertisement, body, "key advertisement")
            if self.ca_pem is not None:
                self._check_advertisement(body, round_id)
        elif step is MaskingStep.CONSISTENCY:
            self._check_consistency(body, round_id, number, secure_sum)
        else:
            self._check_unmask_response(
                site, number, secure_sum, _parse(UnmaskResponse, body, "unmask response")
            )
        return {BROADCAST: json.dumps(body)}

    def _check_shares(
        self, site: str, round_id: str, number: int, secure_sum: int, body: dict[str, Any]
    ) -> dict[str, str]:
        """A site's shares go to every other advertiser, or to none: a site that shared
        with only some peers and then dropped out would leave the survivors unable to
        remove its masks."""
        peers = self.participants(number, MaskingStep.ADVERTISE, secure_sum) - {site}
        if set(body) != peers:
            raise MessageRejectedError(
                f"the shares must go to every other site that advertised keys ({', '.join(sorted(peers))}), "
                f"not to {', '.join(sorted(map(str, body))) or 'nobody'}"
            )
        out = {}
        for recipient, message in body.items():
            share = _parse(EncryptedShare, message, "share")
            if share.sender != site or share.recipient != recipient:
                raise CallerForbiddenError(f"a share must be sent by '{site}' itself and name its recipient")
            if share.round_id != round_id:
                raise UpdateRejectedError(f"the share is for round '{share.round_id}', not '{round_id}'")
            out[recipient] = json.dumps(message)
        return out

    def _check_unmask_response(
        self, site: str, number: int, secure_sum: int, response: UnmaskResponse
    ) -> None:
        """The response must answer the request the coordinator makes: the site's own
        Shamir position, a seed share for each survivor and a key share for each site
        that shared keys but did not survive; anything else would fail the unmasking."""
        advertisers = sorted(self.participants(number, MaskingStep.ADVERTISE, secure_sum))
        position = advertisers.index(site) + 1
        survivors = self.survivors(number, secure_sum)
        dropped = self.participants(number, MaskingStep.SHARE, secure_sum) - survivors
        if response.x != position:
            raise MessageRejectedError(
                f"the unmask response carries share position {response.x}, but '{site}' holds position {position}"
            )
        if set(response.seed_shares) != survivors or set(response.key_shares) != dropped:
            raise MessageRejectedError(
                "the unmask response must hold a seed share for each survivor "
                f"({', '.join(sorted(survivors))}) and a key share for each dropped site "
                f"({', '.join(sorted(dropped)) or 'none'}), and nothing else"
            )

    def _check_consistency(self, body: dict[str, Any], round_id: str, number: int, secure_sum: int) -> None:
        """Relay only a valid signature on the frozen set: one on another set, or forged,
        would make every honest site refuse to unmask."""
        from cryptography import x509

        from coordinator.secure.errors import SecureAggregationError
        from coordinator.secure.masking import verify_survivor_signature

        survivors = self.frozen_survivors(number, secure_sum)
        if self.ca_pem is None or survivors is None:
            raise RoundError("the survivor set is not frozen yet; poll the round state", status=409)
        try:
            verify_survivor_signature(body, x509.load_pem_x509_certificate(self.ca_pem), round_id, survivors)
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
        secure_sum = row.secure_sum
        round_id = masking_round_id(self.plan, row.number, secure_sum)
        if step in (MaskingStep.CONSISTENCY, MaskingStep.UNMASK):
            survivors = self.frozen_survivors(row.number, secure_sum)
            if survivors is None or not _after(row.masking_step, ORDER[ORDER.index(step) - 1]):
                raise RoundError(f"round {row.number} is not at the {step} step yet; poll the round state", status=409)
            from coordinator.secure.masking import consistency_request, unmask_request

            if step is MaskingStep.CONSISTENCY:
                return consistency_request(round_id, survivors)
            signatures = [
                json.loads(b)
                for _, _, b in self.store.messages(row.number, message_step(MaskingStep.CONSISTENCY, secure_sum))
            ]
            return unmask_request(round_id, survivors, signatures)
        if not _after(row.masking_step, step):
            done = len(self.participants(row.number, step, secure_sum))
            raise RoundError(
                f"the '{step}' step of round {row.number} is still open ({done} sites so far); poll again",
                status=409,
            )
        key = message_step(step, secure_sum)
        if step is MaskingStep.ADVERTISE:
            return [json.loads(b) for _, _, b in self.store.messages(row.number, key)]
        if step is MaskingStep.SHARE:
            return [json.loads(b) for _, _, b in self.store.messages(row.number, key, recipient=site)]
        raise RoundError(f"nothing to read at the '{step}' step", status=405)

    def check_upload(self, row: RoundRow, site: str, path: Path) -> int:
        """Validate a masked upload; returns its vector length."""
        from coordinator.secure.errors import SecureAggregationError
        from coordinator.secure.masking import validate_masked_blob

        if row.masking_step != MaskingStep.UPLOAD.value:
            raise RoundError(f"round {row.number} is at the '{row.masking_step}' step; masked uploads come after the shares")
        if site not in self.expected(row.number, MaskingStep.UPLOAD, row.secure_sum):
            raise RoundError(f"'{site}' did not share its keys this round, so its masked upload could not be unmasked")
        try:
            return int(validate_masked_blob(path.read_bytes()))
        except SecureAggregationError as exc:
            raise UpdateRejectedError(f"the masked update is malformed: {exc}") from exc

    # aggregation ----------------------------------------------------------------------
    def unmasked_words(self, number: int, blobs: list[Path], secure_sum: int = 0) -> np.ndarray:
        """The secure sum of an integer vector: the survivors' masked uint32 uploads of one
        sum (``blobs``) added mod 2^32 with every mask removed, the last word included."""
        from coordinator.secure.masking import MaskedSum, unmask_words

        total = MaskedSum()
        for path in blobs:
            with open(path, "rb") as fh:
                total.add_stream(fh)
        advertisements = [
            json.loads(b) for _, _, b in self.store.messages(number, message_step(MaskingStep.ADVERTISE, secure_sum))
        ]
        responses = [
            json.loads(b) for _, _, b in self.store.messages(number, message_step(MaskingStep.UNMASK, secure_sum))
        ]
        return unmask_words(
            total,
            advertisements,
            self.participants(number, MaskingStep.SHARE, secure_sum),
            self.survivors(number, secure_sum),
            responses,
            self.threshold,
            masking_round_id(self.plan, number, secure_sum),
        )

    def aggregate(self, number: int, blobs: list[Path], secure_sum: int = 0) -> tuple[bytes, int]:
        """Sum the survivors' masked vectors, remove the masks: the plain weighted sum."""
        from coordinator.secure.quantisation import dequantise_sum

        words = self.unmasked_words(number, blobs, secure_sum)
        vector, count = dequantise_sum(words, masking_bounds(self.plan))
        data = save({"sum": np.asarray(vector, dtype=np.float64), "count": np.array([count], dtype=np.float64)})
        return data, round(count)


def _parse(model: type[Message], body: Any, what: str) -> Message:
    """``body`` as ``model``, or a 422 that names the first problem."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or what
        raise MessageRejectedError(f"the {what} is refused, not relayed ({where}: {first['msg']})") from exc
