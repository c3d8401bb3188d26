"""Pairwise-masking secure sum, site side (Bonawitz et al., CCS 2017).

One round, all messages relayed opaquely by the coordinator as JSON-able dicts/bytes:

1. :meth:`MaskingParticipant.advertise` - two fresh X25519 public keys, signed with the
   site's certificate key.
2. :meth:`MaskingParticipant.share_keys` - given everyone's advertisements (checked
   against the federation CA), Shamir-share the self-mask seed and the mask-agreement
   private key, one AES-GCM-encrypted share pair per peer.
3. :meth:`MaskingParticipant.masked_input` - given the shares addressed to this site,
   upload ``quantised update + self mask + pairwise masks`` mod 2^32.
4. :meth:`MaskingParticipant.sign_survivors` - given the survivor set the coordinator
   froze when the upload step closed, sign it (once per round): Bonawitz et al.'s
   consistency check against a coordinator that shows sites different survivor sets.
5. :meth:`MaskingParticipant.unmask` - given the survivors and at least ``threshold``
   signatures of distinct survivors on exactly the set this site signed, reveal shares
   of the survivors' self-mask seeds and of the dropped sites' private keys, never both
   for one site, and only once per round.

The coordinator side (:class:`MaskedSum`, :func:`unmask`) is in
:mod:`coordinator.secure.masking_server` and re-exported here. With the consistency
check, a coordinator that lies about who survived learns one site's update only with
``2 * threshold - n`` colluding sites; the plan's default threshold (over two thirds of
the sites) makes that more than a third of them (docs/security.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from coordinator.secure import shamir
from coordinator.secure.advertisement import (
    ADVERTISEMENT_TYPE,
    SigningKey,
    b64decode,
    b64encode,
    sign_advertisement,
    verify_advertisement,
)
from coordinator.secure.errors import ProtocolViolationError, ThresholdNotMetError
from coordinator.secure.masked_blob import pack_masked
from coordinator.secure.masking_server import (
    CONSISTENCY_DOMAIN,
    CONSISTENCY_REQUEST_TYPE,
    UNMASK_REQUEST_TYPE,
    UNMASK_RESPONSE_TYPE,
    MaskedSum,
    consistency_fields,
    consistency_request,
    unmask,
    unmask_request,
    unmask_words,
    validate_masked_blob,
    verify_survivor_signature,
)
from coordinator.secure.masks import SEED_BYTES, apply_mask, derive_key, mask_stream, pairwise_sign
from coordinator.secure.quantisation import QuantisationBounds, quantise_weighted
from coordinator.secure.site_signatures import sign_fields

__all__ = [
    "MaskedSum",
    "MaskingParticipant",
    "QuantisationBounds",
    "consistency_request",
    "minimum_threshold",
    "unmask",
    "unmask_request",
    "unmask_words",
    "validate_masked_blob",
    "verify_advertisement",
]

SHARE_TYPE = "masking.share"
_NONCE_BYTES = 12


def minimum_threshold(site_count: int) -> int:
    """The smallest threshold a participant accepts: a strict majority of the sites."""
    return site_count // 2 + 1


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_private(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def share_aad(round_id: str, sender: str, recipient: str) -> bytes:
    """Associated data binding an encrypted share to its round, sender and recipient."""
    return "\x1f".join(("medfed-share-v1", round_id, sender, recipient)).encode()


@dataclass(frozen=True)
class _Peer:
    """A verified participant of the round: its Shamir x-coordinate and public keys."""

    site_id: str
    x: int
    cipher_key: X25519PublicKey
    mask_key: X25519PublicKey


def _load_pem_certificate(pem: bytes | str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)


class MaskingParticipant:
    """One site's side of one pairwise-masking round; create a fresh one per round.

    Holds the round's secrets in memory only: a site that restarts mid-round simply
    counts as dropped, and the others finish the round without it.
    """

    def __init__(
        self,
        site_id: str,
        round_id: str,
        signing_key: SigningKey,
        certificate_pem: bytes | str,
        ca_certificate_pem: bytes | str,
        threshold: int,
        bounds: QuantisationBounds | None = None,
    ) -> None:
        self.site_id = site_id
        self.round_id = round_id
        self.threshold = threshold
        self.bounds = bounds or QuantisationBounds()
        self._signing_key = signing_key
        self._certificate_pem = (
            certificate_pem.decode() if isinstance(certificate_pem, bytes) else certificate_pem
        )
        self._ca = _load_pem_certificate(ca_certificate_pem)
        self._cipher_key = X25519PrivateKey.generate()
        self._mask_key = X25519PrivateKey.generate()
        self._self_seed = os.urandom(SEED_BYTES)
        self._peers: dict[str, _Peer] | None = None
        # sender -> (share of sender's mask private key, share of sender's self seed)
        self._held: dict[str, tuple[int, int]] = {}
        self._shared_sites: frozenset[str] | None = None
        self._signed_survivors: frozenset[str] | None = None
        self._unmask_answer: tuple[frozenset[str], dict[str, Any]] | None = None

    def advertise(self) -> dict[str, Any]:
        """Round step 1: the signed advertisement of this site's two public keys."""
        advertisement: dict[str, Any] = {
            "type": ADVERTISEMENT_TYPE,
            "round_id": self.round_id,
            "site_id": self.site_id,
            "cipher_public_key": b64encode(_raw_public(self._cipher_key.public_key())),
            "mask_public_key": b64encode(_raw_public(self._mask_key.public_key())),
            "certificate": self._certificate_pem,
        }
        advertisement["signature"] = sign_advertisement(advertisement, self._signing_key)
        return advertisement

    def share_keys(self, advertisements: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Round step 2: verify all advertisements, return ``{peer: encrypted shares}``.

        Raises :class:`KeyAdvertisementError` if any advertisement is forged or tampered
        (the coordinator should drop such a site before relaying the list), and
        :class:`ThresholdNotMetError` if too few sites advertised.
        """
        if self._peers is not None:
            raise ProtocolViolationError("This site has already shared its keys this round.")
        peers = self._verify_peers(list(advertisements))
        xs = [peer.x for peer in peers.values()]
        key_shares = shamir.split_secret(_raw_private(self._mask_key), xs, self.threshold)
        seed_shares = shamir.split_secret(self._self_seed, xs, self.threshold)
        self._peers = peers
        messages: dict[str, dict[str, Any]] = {}
        for peer in peers.values():
            if peer.site_id == self.site_id:
                self._held[self.site_id] = (key_shares[peer.x], seed_shares[peer.x])
                continue
            plaintext = json.dumps(
                {
                    "x": peer.x,
                    "key_share": format(key_shares[peer.x], "x"),
                    "seed_share": format(seed_shares[peer.x], "x"),
                }
            ).encode()
            key = derive_key(
                self._cipher_key,
                peer.cipher_key,
                "share",
                self.round_id,
                self.site_id,
                peer.site_id,
            )
            nonce = os.urandom(_NONCE_BYTES)
            ciphertext = AESGCM(key).encrypt(
                nonce, plaintext, share_aad(self.round_id, self.site_id, peer.site_id)
            )
            messages[peer.site_id] = {
                "type": SHARE_TYPE,
                "round_id": self.round_id,
                "sender": self.site_id,
                "recipient": peer.site_id,
                "nonce": b64encode(nonce),
                "ciphertext": b64encode(ciphertext),
            }
        return messages

    def _verify_peers(self, advertisements: list[dict[str, Any]]) -> dict[str, _Peer]:
        keys: dict[str, tuple[X25519PublicKey, X25519PublicKey]] = {}
        for advertisement in advertisements:
            site = str(advertisement.get("site_id"))
            if site in keys:
                raise ProtocolViolationError(f"Site {site} advertised keys twice this round.")
            keys[site] = verify_advertisement(advertisement, self._ca, self.round_id)
        own = keys.get(self.site_id)
        if own is None or _raw_public(own[1]) != _raw_public(self._mask_key.public_key()):
            raise ProtocolViolationError(
                "The relayed advertisements do not contain this site's own keys unchanged; "
                "the coordinator relayed a wrong list. Leave this round."
            )
        site_count = len(keys)
        if not minimum_threshold(site_count) <= self.threshold <= site_count:
            raise ThresholdNotMetError(
                f"The threshold {self.threshold} does not suit {site_count} advertised "
                f"sites (it must be between {minimum_threshold(site_count)} and "
                f"{site_count}); wait for more sites or fix the round plan."
            )
        return {
            site: _Peer(site, index + 1, cipher_key, mask_key)
            for index, (site, (cipher_key, mask_key)) in enumerate(sorted(keys.items()))
        }

    def _require_peers(self) -> dict[str, _Peer]:
        if self._peers is None:
            raise ProtocolViolationError("Call share_keys before this step of the round.")
        return self._peers

    def masked_input(
        self,
        share_messages: Iterable[dict[str, Any]],
        vector: np.ndarray,
        num_examples: int,
    ) -> bytes:
        """Round step 3: take in the shares sent to this site and return the masked upload.

        The upload is ``num_examples * quantised(vector)`` and ``num_examples`` plus the
        self mask and one pairwise mask per site that shared its keys, mod 2^32.
        """
        return self.masked_words(share_messages, quantise_weighted(vector, num_examples, self.bounds))

    def masked_words(self, share_messages: Iterable[dict[str, Any]], words: np.ndarray) -> bytes:
        """Round step 3 for any uint32 input (e.g. the packed counts of a median probe):
        the words plus the self mask and the pairwise masks, mod 2^32."""
        peers = self._require_peers()
        if self._shared_sites is not None:
            raise ProtocolViolationError("This site has already uploaded its masked input.")
        for message in share_messages:
            self._accept_share(peers, message)
        shared = frozenset(self._held)
        if len(shared) < self.threshold:
            raise ThresholdNotMetError(
                f"Only {len(shared)} sites (this one included) shared their keys but the "
                f"threshold is {self.threshold}; the round cannot complete securely."
            )
        words = np.array(words, dtype=np.uint32)
        apply_mask(words, mask_stream(self._self_seed, words.size), +1)
        for site in sorted(shared - {self.site_id}):
            seed = derive_key(
                self._mask_key, peers[site].mask_key, "mask", self.round_id, self.site_id, site
            )
            apply_mask(words, mask_stream(seed, words.size), pairwise_sign(self.site_id, site))
        self._shared_sites = shared
        return pack_masked(words)

    def _accept_share(self, peers: dict[str, _Peer], message: dict[str, Any]) -> None:
        sender = str(message.get("sender"))
        if (
            message.get("type") != SHARE_TYPE
            or message.get("round_id") != self.round_id
            or message.get("recipient") != self.site_id
            or sender not in peers
            or sender == self.site_id
        ):
            raise ProtocolViolationError(
                f"A relayed share (from {sender!r}) is not addressed to this site in this "
                "round or comes from a site that did not advertise keys."
            )
        if sender in self._held:
            raise ProtocolViolationError(f"Site {sender} sent its shares twice.")
        key = derive_key(
            self._cipher_key, peers[sender].cipher_key, "share", self.round_id, sender, self.site_id
        )
        try:
            plaintext = AESGCM(key).decrypt(
                b64decode(message.get("nonce"), "nonce"),
                b64decode(message.get("ciphertext"), "ciphertext"),
                share_aad(self.round_id, sender, self.site_id),
            )
            content = json.loads(plaintext)
            x, key_share, seed_share = (
                int(content["x"]),
                int(content["key_share"], 16),
                int(content["seed_share"], 16),
            )
        except (InvalidTag, ValueError, KeyError, TypeError) as error:
            raise ProtocolViolationError(
                f"The shares from {sender} cannot be decrypted or read; they were altered "
                "in transit. Leave this round."
            ) from error
        if x != peers[self.site_id].x:
            raise ProtocolViolationError(f"The shares from {sender} were made for another site.")
        self._held[sender] = (key_share, seed_share)

    def _check_survivors(self, survivor_list: list[str]) -> frozenset[str]:
        if self._shared_sites is None:
            raise ProtocolViolationError("This site has not uploaded a masked input yet.")
        survivors = frozenset(survivor_list)
        if len(survivor_list) != len(survivors) or not survivors <= self._shared_sites:
            raise ProtocolViolationError(
                "The survivors list repeats sites or names sites that never shared keys."
            )
        if self.site_id not in survivors:
            raise ProtocolViolationError(
                "The coordinator lists this site as dropped although it uploaded."
            )
        if len(survivors) < self.threshold:
            raise ThresholdNotMetError(
                f"Only {len(survivors)} sites uploaded but the threshold is "
                f"{self.threshold}; refusing to unmask. The round must be restarted."
            )
        return survivors

    def sign_survivors(self, request: dict[str, Any]) -> dict[str, Any]:
        """Round step 4 (consistency): sign the survivor set the coordinator froze.

        Signs one set per round (a repeat of the same set gets the same answer): the
        shares are revealed only against ``threshold`` signatures on the set signed here.
        """
        self._require_peers()
        if request.get("type") != CONSISTENCY_REQUEST_TYPE or request.get("round_id") != self.round_id:
            raise ProtocolViolationError("The consistency request is not for this round.")
        survivor_list = sorted(str(site) for site in request.get("survivors", []))
        if self._signed_survivors is not None and self._signed_survivors != frozenset(survivor_list):
            raise ProtocolViolationError(
                "The coordinator showed this site a second, different set of survivors; "
                "refusing to sign it. Leave this round."
            )
        self._signed_survivors = self._check_survivors(survivor_list)
        fields = consistency_fields(self.round_id, self.site_id, survivor_list)
        return {
            **fields,
            "certificate": self._certificate_pem,
            "signature": sign_fields(CONSISTENCY_DOMAIN, fields, self._signing_key),
        }

    def _count_signatures(self, signatures: Any, survivors: frozenset[str]) -> int:
        """Distinct survivors that signed exactly ``survivors``; a bad entry is refused."""
        if not isinstance(signatures, list):
            raise ProtocolViolationError("The unmask request carries no survivor signatures.")
        expected = sorted(survivors)
        return len({verify_survivor_signature(e, self._ca, self.round_id, expected) for e in signatures})

    def unmask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Round step 5: reveal the shares the coordinator needs to remove the masks.

        Only after this site signed the survivor set (:meth:`sign_survivors`) and the
        request carries signatures of at least ``threshold`` distinct survivors on that
        same set. For each survivor, its self-mask seed share; for each site that shared
        keys but did not upload, its mask-key share. Answers once per round (a repeat of
        the same request gets the same answer); a different survivor set is refused,
        because answering both could reveal a site's seed and key together.
        """
        peers = self._require_peers()
        if self._shared_sites is None:
            raise ProtocolViolationError("This site has not uploaded a masked input yet.")
        if request.get("type") != UNMASK_REQUEST_TYPE or request.get("round_id") != self.round_id:
            raise ProtocolViolationError("The unmask request is not for this round.")
        survivor_list = [str(site) for site in request.get("survivors", [])]
        survivors = frozenset(survivor_list)
        if self._unmask_answer is not None:
            if self._unmask_answer[0] == survivors:
                return self._unmask_answer[1]
            raise ProtocolViolationError(
                "The coordinator asked again with a different set of survivors; refusing, "
                "because answering both could reveal a site's masks. Leave this round."
            )
        survivors = self._check_survivors(survivor_list)
        if self._signed_survivors != survivors:
            raise ProtocolViolationError(
                "The unmask request names other survivors than the set this site signed "
                "(or it signed none); refusing to reveal any share. Leave this round."
            )
        signed = self._count_signatures(request.get("signatures"), survivors)
        if signed < self.threshold:
            raise ThresholdNotMetError(
                f"Only {signed} sites confirmed the survivor set this site signed, but "
                f"{self.threshold} must before any share is revealed; refusing to unmask."
            )
        dropped = self._shared_sites - survivors
        response: dict[str, Any] = {
            "type": UNMASK_RESPONSE_TYPE,
            "round_id": self.round_id,
            "site_id": self.site_id,
            "x": peers[self.site_id].x,
            "seed_shares": {site: format(self._held[site][1], "x") for site in sorted(survivors)},
            "key_shares": {site: format(self._held[site][0], "x") for site in sorted(dropped)},
        }
        self._unmask_answer = (survivors, response)
        return response
