"""Turning a site's update into what it uploads, and a published aggregate back into
``(sum of n_i x update_i, sum of n_i)``, for each mode.

- ``none``: the update as a safetensors file (TLS only; the coordinator sees it).
- ``ckks``: ``n x update``, ``n`` and this site's secret contribution tags encrypted
  with the federation's secret context and signed for the federation, round and site
  (:mod:`coordinator.secure.ckks_contributions`); the coordinator only adds
  ciphertexts, and the site decrypts a published aggregate only after checking that it
  holds one upload of that round from each of at least ``min_sites`` distinct sites.
- ``masking``: the published secure sum (or a secure median's estimate); the masked
  upload itself comes from :class:`siteapp.federation.masking_round.MaskingRound`.

Client-level clipping (the plan's ``update_clip_norm``) scales the whole update into an
L2 ball before any of these, so one site's influence on the global model is bounded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from cryptography.hazmat.primitives import serialization
from safetensors.numpy import load, save

from coordinator.kits import SiteKit
from coordinator.protocol import FederationPlan
from coordinator.secure.errors import SecureAggregationError
from siteapp.federation.errors import FederationError
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
    kit: SiteKit, secret_for: Callable[[str], bytes], plan: FederationPlan, round_number: int,
    blob: bytes,
) -> tuple[np.ndarray, float]:
    """Check round ``round_number``'s published aggregate, then decrypt it with the key
    (``secret_for(fingerprint)``) its uploads were made with."""
    from cryptography import x509

    from coordinator.secure.ckks_contributions import aggregate_context, open_aggregate
    from coordinator.secure.errors import AggregateRefusedError

    try:
        secret_context = secret_for(aggregate_context(blob))
    except SecureAggregationError as exc:
        raise AggregateRejectedError(
            f"this site refused round {round_number}'s aggregate: {exc} Tell the federation "
            "operator; the coordinator may be compromised"
        ) from exc
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
    """The masking-mode result: the coordinator's unmasked secure sum and count, or a
    secure median's estimate itself (``update``, returned with a count of 1)."""
    try:
        tensors = load(blob)
        if "update" in tensors:
            return np.asarray(tensors["update"], dtype=np.float64), 1.0
        return np.asarray(tensors["sum"], dtype=np.float64), float(tensors["count"][0])
    except (KeyError, IndexError, ValueError) as exc:
        raise FederationError(f"the published secure sum is not readable ({exc})") from exc
