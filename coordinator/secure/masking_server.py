"""Pairwise-masking secure sum, coordinator side: add masked uploads, remove the masks.

The coordinator never sees an unmasked update: it adds uint32 vectors mod 2^32
(:class:`MaskedSum`), then, from the survivors' unmask responses, rebuilds each survivor's
self-mask seed and each dropped site's mask-agreement key with Shamir, regenerates those
masks and subtracts them (:func:`unmask`). What remains is the sum of the survivors'
quantised count-weighted updates.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

import numpy as np
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from coordinator.secure import shamir
from coordinator.secure.errors import (
    InvalidUpdateError,
    ProtocolViolationError,
    SiteSignatureError,
    ThresholdNotMetError,
)
from coordinator.secure.masked_blob import HEADER, WORD, read_header, validate_masked_blob
from coordinator.secure.masks import SEED_BYTES, apply_mask, derive_key, mask_stream, pairwise_sign
from coordinator.secure.quantisation import QuantisationBounds, dequantise_sum
from coordinator.secure.site_signatures import verify_site_signature

__all__ = [
    "CONSISTENCY_REQUEST_TYPE",
    "CONSISTENCY_TYPE",
    "UNMASK_REQUEST_TYPE",
    "UNMASK_RESPONSE_TYPE",
    "MaskedSum",
    "consistency_fields",
    "consistency_request",
    "unmask",
    "unmask_request",
    "unmask_words",
    "validate_masked_blob",
    "verify_survivor_signature",
]

UNMASK_REQUEST_TYPE = "masking.unmask"
UNMASK_RESPONSE_TYPE = "masking.unmask_response"
CONSISTENCY_REQUEST_TYPE = "masking.consistency_request"
CONSISTENCY_TYPE = "masking.consistency"
CONSISTENCY_DOMAIN = "medfed-masking-consistency-v1"
_STREAM_WORDS = 1 << 20


def consistency_fields(round_id: str, site: str, survivors: list[str]) -> dict[str, Any]:
    """What a survivor signs in the consistency step: the round and the sorted set."""
    return {"type": CONSISTENCY_TYPE, "round_id": round_id, "site_id": site, "survivors": survivors}


def verify_survivor_signature(
    entry: Any, ca_certificate: x509.Certificate, round_id: str, survivors: list[str]
) -> str:
    """Check one survivor's signature on exactly ``survivors`` (sorted) for ``round_id``;
    returns the signing site. Raises :class:`ProtocolViolationError` saying why not."""
    site = str(entry.get("site_id")) if isinstance(entry, dict) else "?"
    if not isinstance(entry, dict) or entry.get("survivors") != survivors or site not in survivors:
        raise ProtocolViolationError(
            f"The survivor signature of {site!r} is for another survivor set than "
            f"{survivors}: the coordinator showed sites different sets."
        )
    if set(entry) != {"type", "round_id", "site_id", "survivors", "certificate", "signature"}:
        raise ProtocolViolationError(f"The survivor signature of {site!r} has unexpected fields.")
    try:
        verify_site_signature(
            CONSISTENCY_DOMAIN, consistency_fields(round_id, site, survivors),
            entry.get("signature"), entry.get("certificate"), ca_certificate, site,
        )
    except SiteSignatureError as error:
        raise ProtocolViolationError(f"A survivor signature is refused: {error}") from error
    return site


def consistency_request(round_id: str, survivors: Iterable[str]) -> dict[str, Any]:
    """The coordinator's request to the survivors to sign the survivor set it froze."""
    return {"type": CONSISTENCY_REQUEST_TYPE, "round_id": round_id, "survivors": sorted(survivors)}


def unmask_request(
    round_id: str, survivors: Iterable[str], signatures: list[dict[str, Any]]
) -> dict[str, Any]:
    """The coordinator's request to the survivors for their unmasking shares, with the
    survivors' signatures on the survivor set (the consistency check)."""
    return {
        "type": UNMASK_REQUEST_TYPE, "round_id": round_id, "survivors": sorted(survivors),
        "signatures": signatures,
    }


class MaskedSum:
    """Running sum of masked uploads mod 2^32; holds one vector, reads uploads in chunks."""

    def __init__(self) -> None:
        self._total: np.ndarray | None = None
        self.updates = 0

    @property
    def length(self) -> int | None:
        """Vector length of the uploads summed so far (without the count word)."""
        return None if self._total is None else self._total.size - 1

    @property
    def total(self) -> np.ndarray:
        """A copy of the masked sum (``length + 1`` uint32 words)."""
        if self._total is None:
            raise InvalidUpdateError("No masked update has been added yet; wait for uploads.")
        return self._total.copy()

    def add(self, blob: bytes) -> None:
        """Add one masked upload (bytes), validated first."""
        validate_masked_blob(blob)
        self._start(read_header(blob))
        assert self._total is not None
        words = np.frombuffer(blob, dtype=WORD, offset=HEADER.size)
        np.add(self._total, words, out=self._total)
        self.updates += 1

    def add_stream(self, stream: BinaryIO) -> None:
        """Add one masked upload read chunk by chunk (e.g. from its file on disk).

        A stream that ends early is rolled back, so the sum is never half-updated.
        """
        length = read_header(stream.read(HEADER.size))
        self._start(length)
        assert self._total is not None
        done = 0
        while done < self._total.size:
            want = min(_STREAM_WORDS, self._total.size - done)
            raw = stream.read(want * WORD.itemsize)
            if len(raw) != want * WORD.itemsize:
                if done:
                    np.subtract(self._total[:done], self._rolled[:done], out=self._total[:done])
                raise InvalidUpdateError(
                    "The masked update ended early (truncated upload); the site should upload "
                    "it again."
                )
            chunk = np.frombuffer(raw, dtype=WORD)
            self._rolled[done : done + want] = chunk
            np.add(self._total[done : done + want], chunk, out=self._total[done : done + want])
            done += want
        if stream.read(1):
            np.subtract(self._total, self._rolled, out=self._total)
            raise InvalidUpdateError(
                "The masked update is longer than its header says; the site should upload it again."
            )
        self.updates += 1

    def _start(self, length: int) -> None:
        if self._total is None:
            self._total = np.zeros(length + 1, dtype=np.uint32)
            self._rolled = np.zeros(length + 1, dtype=np.uint32)
        elif self._total.size != length + 1:
            raise InvalidUpdateError(
                f"The masked update has {length} parameters but the round's sum has "
                f"{self._total.size - 1}; the site trained a different model and must re-join."
            )


def _mask_keys(advertisements: Iterable[dict[str, Any]]) -> dict[str, bytes]:
    """Raw mask-agreement public keys by site, from the relayed advertisements."""
    keys: dict[str, bytes] = {}
    for advertisement in advertisements:
        try:
            keys[str(advertisement["site_id"])] = base64.b64decode(
                advertisement["mask_public_key"], validate=True
            )
        except (KeyError, ValueError) as error:
            raise ProtocolViolationError(
                f"A stored key advertisement is malformed ({error})."
            ) from error
    return keys


def _check_responses(
    responses: Sequence[dict[str, Any]],
    survivors: frozenset[str],
    positions: dict[str, int],
    round_id: str,
    threshold: int,
) -> None:
    seen: set[str] = set()
    for response in responses:
        site = str(response.get("site_id"))
        if (
            response.get("type") != UNMASK_RESPONSE_TYPE
            or response.get("round_id") != round_id
            or site not in survivors
            or site in seen
            or response.get("x") != positions.get(site)
        ):
            raise ProtocolViolationError(
                f"The unmask response of {site!r} is not for this round, comes from a site "
                "that did not upload, repeats a site, or carries the wrong share position."
            )
        seen.add(site)
    if len(seen) < threshold:
        raise ThresholdNotMetError(
            f"Only {len(seen)} sites answered the unmask request but the threshold is "
            f"{threshold}; the masks cannot be removed and the round must be restarted."
        )


def _shares_of(responses: Sequence[dict[str, Any]], field: str, site: str) -> list[shamir.Share]:
    try:
        return [(int(r["x"]), int(r[field][site], 16)) for r in responses]
    except (KeyError, ValueError, TypeError) as error:
        raise ProtocolViolationError(
            f"An unmask response lacks a readable {field} entry for {site} ({error})."
        ) from error


def unmask(
    masked_sum: MaskedSum,
    advertisements: Sequence[dict[str, Any]],
    shared_sites: Iterable[str],
    survivors: Iterable[str],
    responses: Sequence[dict[str, Any]],
    threshold: int,
    bounds: QuantisationBounds,
    round_id: str,
) -> tuple[np.ndarray, float]:
    """Remove every mask and return ``(sum of n_i * update_i, sum of n_i)`` of survivors.

    ``advertisements`` are the ones relayed in step 1 (they fix each site's Shamir
    position), ``shared_sites`` the sites whose shares were relayed in step 2,
    ``survivors`` the sites whose uploads are in ``masked_sum`` and ``responses`` their
    answers to :func:`unmask_request`. Raises :class:`ThresholdNotMetError` below the
    threshold and :class:`ProtocolViolationError` for inconsistent input.
    """
    total = unmask_words(
        masked_sum, advertisements, shared_sites, survivors, responses, threshold, round_id
    )
    return dequantise_sum(total, bounds)


def unmask_words(
    masked_sum: MaskedSum,
    advertisements: Sequence[dict[str, Any]],
    shared_sites: Iterable[str],
    survivors: Iterable[str],
    responses: Sequence[dict[str, Any]],
    threshold: int,
    round_id: str,
) -> np.ndarray:
    """The survivors' uint32 inputs summed mod 2^32, every mask removed (as :func:`unmask`,
    without reading the words as quantised updates)."""
    mask_keys = _mask_keys(advertisements)
    positions = {site: index + 1 for index, site in enumerate(sorted(mask_keys))}
    shared = frozenset(shared_sites)
    alive = frozenset(survivors)
    if not alive <= shared or not shared <= set(mask_keys):
        raise ProtocolViolationError(
            "Survivors must have shared keys and every key-sharing site must have advertised."
        )
    if len(alive) < threshold:
        raise ThresholdNotMetError(
            f"Only {len(alive)} sites uploaded but the threshold is {threshold}; the round "
            "cannot complete securely and must be restarted."
        )
    if masked_sum.updates != len(alive):
        raise ProtocolViolationError(
            f"The masked sum holds {masked_sum.updates} uploads but {len(alive)} survivors "
            "were named; every survivor's upload must be added exactly once."
        )
    _check_responses(responses, alive, positions, round_id, threshold)
    total = masked_sum.total
    for site in sorted(alive):
        seed = shamir.reconstruct_secret(
            _shares_of(responses, "seed_shares", site), threshold, SEED_BYTES
        )
        apply_mask(total, mask_stream(seed, total.size), -1)
    for dropped in sorted(shared - alive):
        raw = shamir.reconstruct_secret(
            _shares_of(responses, "key_shares", dropped), threshold, SEED_BYTES
        )
        private_key = X25519PrivateKey.from_private_bytes(raw)
        public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        if public != mask_keys[dropped]:
            raise ProtocolViolationError(
                f"The rebuilt key of dropped site {dropped} does not match its advertised "
                "key (a share was corrupted); the round must be restarted."
            )
        for site in sorted(alive):
            peer = X25519PublicKey.from_public_bytes(mask_keys[site])
            seed = derive_key(private_key, peer, "mask", round_id, dropped, site)
            apply_mask(total, mask_stream(seed, total.size), -pairwise_sign(site, dropped))
    return total
