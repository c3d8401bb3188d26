"""Turning a site's update into what it uploads, and a published aggregate back into
``(sum of n_i x update_i, sum of n_i)``, for each secure mode.

- ``none``: the update as a safetensors file (TLS only; the coordinator sees it).
- ``ckks``: ``n x update``, ``n`` and this site's secret contribution tags encrypted
  with the federation's secret context and signed for the federation, round and site
  (:mod:`coordinator.secure.ckks_contributions`); the coordinator only adds
  ciphertexts, and the site decrypts a published aggregate only after checking that it
  holds one upload of that round from each of at least ``min_sites`` distinct sites.
- ``masking``: :class:`MaskingRound` runs this site's side of the Bonawitz et al.
  secure sum through the coordinator's relay (advertise, share, masked upload, sign the
  survivor set, unmask).

Client-level clipping (the plan's ``update_clip_norm``) scales the whole update into an
L2 ball before any of these, so one site's influence on the global model is bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from cryptography.hazmat.primitives import serialization
from safetensors.numpy import load, save

from coordinator.client import CoordinatorClient, RequestRefusedError
from coordinator.protocol import (
    FederationPlan,
    MaskingStep,
    masking_bounds,
    masking_round_id,
    masking_threshold,
)
from coordinator.provisioning import SiteKit
from coordinator.secure.errors import SecureAggregationError
from siteapp.federation.errors import FederationError, RoundMissedError
from siteapp.training.weights import WeightDict


class UpdateEncodingError(FederationError):
    """The update cannot be encrypted or masked within the federation's bounds."""


class AggregateRejectedError(FederationError):
    """A published aggregate failed this site's checks; nothing in it was used."""


def clip_update(vector: np.ndarray, max_norm: float | None) -> tuple[np.ndarray, float]:
    """Scale ``vector`` into the L2 ball of radius ``max_norm``; returns it and its norm
    before clipping. ``None`` leaves it unchanged."""
    norm = float(np.linalg.norm(np.asarray(vector, dtype=np.float64)))
    if max_norm is None or norm <= max_norm:
        return vector, norm
    return (np.asarray(vector, dtype=np.float64) * (max_norm / norm)).astype(vector.dtype), norm


def plaintext_body(update: WeightDict) -> bytes:
    """The plaintext-mode upload: float32 tensors by parameter name."""
    return save({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in update.items()})


def ckks_body(
    kit: SiteKit, secret_context: bytes, round_number: int, vector: np.ndarray, num_examples: int
) -> bytes:
    """The CKKS upload: encrypted with the federation's key, signed by this site."""
    from coordinator.secure.ckks_contributions import sign_upload

    key = serialization.load_pem_private_key(kit.key_pem, password=None)
    try:
        return sign_upload(
            secret_context, vector, num_examples, federation=kit.federation,
            round_number=round_number, site=kit.site,
            signing_key=key,  # type: ignore[arg-type]
            certificate_pem=kit.cert_pem,
        )
    except SecureAggregationError as exc:
        raise UpdateEncodingError(f"the update could not be encrypted: {exc}") from exc


def ckks_aggregate(
    kit: SiteKit, secret_context: bytes, plan: FederationPlan, round_number: int, blob: bytes
) -> tuple[np.ndarray, float]:
    """Check round ``round_number``'s published aggregate, then decrypt it."""
    from cryptography import x509

    from coordinator.secure.ckks_contributions import open_aggregate
    from coordinator.secure.errors import AggregateRefusedError

    try:
        total, count, _ = open_aggregate(
            secret_context, x509.load_pem_x509_certificate(kit.ca_pem), blob,
            federation=plan.federation, round_number=round_number, sites=plan.sites,
            min_sites=plan.min_sites,
        )
    except AggregateRefusedError as exc:
        raise AggregateRejectedError(
            f"this site refused round {round_number}'s aggregate and did not decrypt it: {exc} "
            "Tell the federation operator; the coordinator may be compromised"
        ) from exc
    except SecureAggregationError as exc:
        raise FederationError(
            f"the published encrypted aggregate cannot be decrypted ({exc}); check that the "
            "kit is this federation's"
        ) from exc
    return total, count


def masking_aggregate(blob: bytes) -> tuple[np.ndarray, float]:
    """The masking-mode result: the coordinator's unmasked secure sum and count."""
    try:
        tensors = load(blob)
        return np.asarray(tensors["sum"], dtype=np.float64), float(tensors["count"][0])
    except (KeyError, IndexError, ValueError) as exc:
        raise FederationError(f"the published secure sum is not readable ({exc})") from exc


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
    ) -> None:
        from coordinator.secure.masking import MaskingParticipant

        key = serialization.load_pem_private_key(kit.key_pem, password=None)
        self.client = client
        self.round_number = round_number
        self.bounds = masking_bounds(plan)
        self._reach = reach
        self.participant = MaskingParticipant(
            kit.site,
            masking_round_id(plan, round_number),
            key,  # type: ignore[arg-type]
            kit.cert_pem,
            kit.ca_pem,
            masking_threshold(plan),
            self.bounds,
        )

    def _post(self, step: MaskingStep, message: dict[str, Any]) -> None:
        try:
            self.client.post_masking(self.round_number, step, message)
        except RequestRefusedError as exc:
            if exc.status == 409:
                raise RoundMissedError(f"the coordinator no longer takes '{step}' messages: {exc.detail}") from exc
            raise

    def _get(self, step: MaskingStep) -> Any:
        try:
            return self.client.get_masking(self.round_number, step)
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
        self._require(MaskingStep.UPLOAD)
        inbox: list[dict[str, Any]] = self._get(MaskingStep.SHARE)
        try:
            return self.participant.masked_input(inbox, vector, num_examples)
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
