"""Shamir secret sharing over the prime field GF(2^521 - 1).

Pairwise masking shares 32-byte secrets (self-mask seeds and X25519 private keys); the
field is larger than any of them, so a secret is one field element. A share is
``(x, y)`` with ``x`` in ``1..n`` (the holder's position in the round's sorted site list).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from coordinator.secure import settings
from coordinator.secure.errors import ProtocolViolationError, ThresholdNotMetError

Share = tuple[int, int]
_PRIME = settings.SHAMIR_PRIME


def split_secret(secret: bytes, xs: Sequence[int], threshold: int) -> dict[int, int]:
    """Split ``secret`` into one share per x in ``xs``; any ``threshold`` of them rebuild it.

    Returns ``{x: y}``. Fewer than ``threshold`` shares reveal nothing about the secret.
    """
    value = int.from_bytes(secret, "big")
    if value >= _PRIME:
        raise ValueError("the secret is larger than the Shamir field")
    if not 1 <= threshold <= len(xs):
        raise ValueError(f"threshold {threshold} must be between 1 and {len(xs)}")
    if len(set(xs)) != len(xs) or any(not 0 < x < _PRIME for x in xs):
        raise ValueError("share x-coordinates must be distinct and non-zero")
    coefficients = [value] + [secrets.randbelow(_PRIME) for _ in range(threshold - 1)]
    return {x: _evaluate(coefficients, x) for x in xs}


def _evaluate(coefficients: Sequence[int], x: int) -> int:
    result = 0
    for coefficient in reversed(coefficients):
        result = (result * x + coefficient) % _PRIME
    return result


def _interpolate(shares: Sequence[Share], at: int) -> int:
    """Lagrange interpolation of the polynomial through ``shares``, evaluated at ``at``."""
    total = 0
    for i, (x_i, y_i) in enumerate(shares):
        numerator, denominator = 1, 1
        for j, (x_j, _) in enumerate(shares):
            if i != j:
                numerator = numerator * (at - x_j) % _PRIME
                denominator = denominator * (x_i - x_j) % _PRIME
        total = (total + y_i * numerator * pow(denominator, -1, _PRIME)) % _PRIME
    return total


def reconstruct_secret(shares: Sequence[Share], threshold: int, length: int) -> bytes:
    """Rebuild a ``length``-byte secret from at least ``threshold`` shares.

    Uses the first ``threshold`` shares and checks every further share lies on the same
    polynomial, so a corrupted or forged share is detected rather than silently used.
    """
    distinct = dict(shares)
    if len(distinct) != len(shares):
        raise ProtocolViolationError("Two shares with the same x-coordinate were supplied.")
    if len(shares) < threshold:
        raise ThresholdNotMetError(
            f"Only {len(shares)} shares of a secret arrived but {threshold} are needed; "
            "too many sites dropped out, so the round must be restarted."
        )
    basis = list(shares[:threshold])
    for x, y in shares[threshold:]:
        if _interpolate(basis, x) != y % _PRIME:
            raise ProtocolViolationError(
                "The secret shares are inconsistent (a share was corrupted or forged); "
                "the round must be restarted."
            )
    value = _interpolate(basis, 0)
    if value >= 1 << (8 * length):
        raise ProtocolViolationError(
            "The reconstructed secret is out of range (a share was corrupted or forged); "
            "the round must be restarted."
        )
    return value.to_bytes(length, "big")
