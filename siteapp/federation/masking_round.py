"""This site's side of one pairwise-masking round (Bonawitz et al. secure sum) through
the coordinator's relay: advertise, share, masked upload, sign the survivor set, unmask.

A round may hold several masked sums (``secure_sum``: a secure median's probes); each is
one :class:`MaskingRound` with its own keys and round id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from cryptography.hazmat.primitives import serialization

from coordinator.client import CoordinatorClient, RequestRefusedError, UpdateAlreadyHeldError
from coordinator.kits import SiteKit
from coordinator.protocol import FederationPlan, masking_round_id, masking_threshold
from coordinator.round_state import MaskingStep
from coordinator.secure.errors import SecureAggregationError
from coordinator.secure.quantisation import masking_bounds, quantise_weighted
from siteapp.federation.errors import FederationError, RoundMissedError
from siteapp.federation.update_encoding import UpdateEncodingError


class MaskingRound:
    """This site's side of one pairwise-masking round; the secrets live in memory only,
    so a site that restarts mid-round counts as dropped (the others finish without it).

    ``reach(step)`` blocks until the coordinator's round is at ``step`` or beyond and
    says whether it is exactly at ``step`` (the runner polls and honours stop/timeouts).
    """

    def __init__(
        self,
        client: CoordinatorClient,
        kit: SiteKit,
        plan: FederationPlan,
        round_number: int,
        reach: Callable[[MaskingStep], bool],
        secure_sum: int = 0,
    ) -> None:
        from coordinator.secure.masking import MaskingParticipant

        key = serialization.load_pem_private_key(kit.key_pem, password=None)
        self.client = client
        self.round_number = round_number
        self.secure_sum = secure_sum
        self.bounds = masking_bounds(plan)
        self._reach = reach
        self.participant = MaskingParticipant(
            kit.site,
            masking_round_id(plan, round_number, secure_sum),
            key,  # type: ignore[arg-type]
            kit.cert_pem,
            kit.ca_pem,
            masking_threshold(plan),
            self.bounds,
        )

    def _post(self, step: MaskingStep, message: dict[str, Any]) -> None:
        try:
            self.client.post_masking(self.round_number, step, message, self.secure_sum)
        except UpdateAlreadyHeldError:
            return  # a retry after a lost reply: the coordinator holds this site's message
        except RequestRefusedError as exc:
            if exc.status == 409:
                raise RoundMissedError(f"the coordinator no longer takes '{step}' messages: {exc.detail}") from exc
            raise

    def _get(self, step: MaskingStep) -> Any:
        try:
            return self.client.get_masking(self.round_number, step, self.secure_sum)
        except RequestRefusedError as exc:
            if exc.status == 409:
                raise RoundMissedError(f"the '{step}' messages are no longer available: {exc.detail}") from exc
            raise

    def _require(self, step: MaskingStep) -> None:
        if not self._reach(step):
            raise RoundMissedError(
                f"masking round {self.round_number} moved past the '{step}' step without this site"
            )

    def share_keys(self) -> None:
        """Advertise this round's public keys, then send Shamir shares to every peer."""
        self._post(MaskingStep.ADVERTISE, self.participant.advertise())
        self._require(MaskingStep.SHARE)
        advertisements: list[dict[str, Any]] = self._get(MaskingStep.ADVERTISE)
        try:
            shares = self.participant.share_keys(advertisements)
        except SecureAggregationError as exc:
            raise FederationError(f"the key advertisements were refused: {exc}") from exc
        self._post(MaskingStep.SHARE, shares)

    def masked_body(self, vector: np.ndarray, num_examples: int) -> bytes:
        """The masked upload: ``n x quantised update + masks`` mod 2^32."""
        try:
            words = quantise_weighted(vector, num_examples, self.bounds)
        except SecureAggregationError as exc:
            raise UpdateEncodingError(f"the update could not be masked: {exc}") from exc
        return self.masked_words_body(words)

    def masked_words_body(self, words: np.ndarray) -> bytes:
        """The masked upload of any uint32 vector (a secure sum of integers: packed counts,
        a histogram), its last word included: ``words + masks`` mod 2^32."""
        self._require(MaskingStep.UPLOAD)
        inbox: list[dict[str, Any]] = self._get(MaskingStep.SHARE)
        try:
            return self.participant.masked_words(inbox, words)
        except SecureAggregationError as exc:
            raise UpdateEncodingError(f"the update could not be masked: {exc}") from exc

    def confirm_survivors(self) -> None:
        """Sign the survivor set the coordinator froze (the consistency check)."""
        if not self._reach(MaskingStep.CONSISTENCY):
            return
        request = self._get(MaskingStep.CONSISTENCY)
        try:
            signed = self.participant.sign_survivors(request)
        except SecureAggregationError as exc:
            raise FederationError(f"the survivor set was refused: {exc}") from exc
        self._post(MaskingStep.CONSISTENCY, signed)

    def answer_unmask(self) -> None:
        """Reveal the shares the coordinator needs to remove the masks (once), only
        against ``threshold`` survivors' signatures on the set this site signed."""
        if not self._reach(MaskingStep.UNMASK):
            return
        request = self._get(MaskingStep.UNMASK)
        try:
            answer = self.participant.unmask(request)
        except SecureAggregationError as exc:
            raise FederationError(f"the unmask request was refused: {exc}") from exc
        self._post(MaskingStep.UNMASK, answer)
