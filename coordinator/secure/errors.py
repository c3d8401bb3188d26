"""Errors raised by the secure-aggregation libraries.

Every message says what went wrong and what the caller (a site app or the coordinator)
should do next; the server maps these to 4xx answers, the site app shows them.
"""

from __future__ import annotations

import numpy as np


class SecureAggregationError(Exception):
    """Base class of every error raised by :mod:`coordinator.secure`."""


class InvalidUpdateError(SecureAggregationError):
    """An uploaded encrypted or masked update is truncated, garbage or made for other
    parameters; the coordinator should refuse it and the site should upload again."""


class InvalidContextError(SecureAggregationError):
    """A CKKS context file is damaged, of an unknown version, or lacks what the
    operation needs (for example the secret key to decrypt)."""


class UpdateOutOfRangeError(SecureAggregationError, ValueError):
    """An update (or its example count) is too large to be summed without overflow;
    the site should clip its update or the federation should raise the bound."""


def require_finite_update(flat: np.ndarray) -> None:
    """Refuse an update holding NaN or Inf before it is encrypted or masked: once inside
    a ciphertext or a masked sum it would silently poison the whole federation's result."""
    if flat.size and not np.all(np.isfinite(flat)):
        raise UpdateOutOfRangeError(
            "The update contains NaN or infinite values; training diverged. Lower the "
            "learning rate or re-run the round before uploading."
        )


class SiteSignatureError(SecureAggregationError):
    """A statement said to be signed by a site is unsigned, wrongly signed, tampered, or
    its certificate is not one the federation's CA issued to that site."""


class KeyAdvertisementError(SiteSignatureError):
    """A pairwise-masking key advertisement is unsigned, wrongly signed, tampered or
    comes from a certificate the federation's CA did not issue."""


class ProtocolViolationError(SecureAggregationError):
    """A pairwise-masking message breaks the protocol (wrong round, unknown site,
    a request that would reveal both secrets of one site, a bad share)."""


class ThresholdNotMetError(SecureAggregationError):
    """Fewer sites than the threshold are still in the round; the round cannot be
    completed securely and must be abandoned and restarted."""


class AggregateRefusedError(SecureAggregationError):
    """A published aggregate is not what it claims (another round's, one site's upload,
    a site counted twice, too few sites); the site refuses to decrypt or apply it."""
