"""Pairwise-masking secure sum: in-memory rounds of 3-5 real participants and a server."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from coordinator.secure.advertisement import b64decode, b64encode
from coordinator.secure.errors import (
    InvalidUpdateError,
    KeyAdvertisementError,
    ProtocolViolationError,
    ThresholdNotMetError,
)
from coordinator.secure.masked_blob import unpack_masked
from coordinator.secure.masking import (
    MaskedSum,
    MaskingParticipant,
    QuantisationBounds,
    consistency_request,
    unmask,
    unmask_request,
)
from coordinator.secure.quantisation import quantise_weighted

ROUND = "round-7"
LENGTH = 1000
BOUNDS = QuantisationBounds(clip=0.5, max_sites=10, max_examples_per_site=500)


@dataclass
class Round:
    """Everything the coordinator relayed and stored during one simulated round."""

    participants: dict[str, MaskingParticipant]
    advertisements: list[dict[str, Any]]
    shared_sites: list[str]
    updates: dict[str, tuple[np.ndarray, int]] = field(default_factory=dict)
    masked_sum: MaskedSum = field(default_factory=MaskedSum)
    blobs: dict[str, bytes] = field(default_factory=dict)


def _participants(pki: Any, count: int, threshold: int) -> dict[str, MaskingParticipant]:
    sites = {}
    for index in range(count):
        identity = pki.issue(f"site-{index}", ecdsa=index % 2 == 1)
        sites[identity.site_id] = MaskingParticipant(
            identity.site_id,
            ROUND,
            identity.key,
            identity.certificate_pem,
            pki.ca_pem,
            threshold,
            BOUNDS,
        )
    return sites


def _run_until_upload(
    pki: Any, count: int, threshold: int, no_upload: frozenset[str] = frozenset()
) -> Round:
    participants = _participants(pki, count, threshold)
    advertisements = [p.advertise() for p in participants.values()]
    outboxes = {site: p.share_keys(advertisements) for site, p in participants.items()}
    state = Round(participants, advertisements, sorted(participants))
    rng = np.random.default_rng(count)
    for site, participant in participants.items():
        if site in no_upload:
            continue  # dropped after sharing its keys: never uploads
        inbox = [outbox[site] for sender, outbox in outboxes.items() if sender != site]
        vector = rng.normal(0.0, 0.05, LENGTH)
        vector[:3] = [0.4999, -0.4999, 0.0]
        examples = int(rng.integers(1, BOUNDS.max_examples_per_site + 1))
        blob = participant.masked_input(inbox, vector, examples)
        state.updates[site] = (vector, examples)
        state.blobs[site] = blob
        state.masked_sum.add(blob)
    return state


def _signed_request(state: Round, survivors: list[str]) -> dict[str, Any]:
    """The unmask request of an honest coordinator: every survivor signed ``survivors``."""
    shown = consistency_request(ROUND, survivors)
    signatures = [state.participants[site].sign_survivors(shown) for site in survivors]
    return unmask_request(ROUND, survivors, signatures)


def _finish(state: Round, threshold: int) -> tuple[np.ndarray, float]:
    survivors = sorted(state.updates)
    request = _signed_request(state, survivors)
    responses = [state.participants[site].unmask(request) for site in survivors]
    return unmask(
        state.masked_sum,
        state.advertisements,
        state.shared_sites,
        survivors,
        responses,
        threshold,
        BOUNDS,
        ROUND,
    )


def _assert_matches_plaintext(state: Round, total: np.ndarray, count: float) -> None:
    """The unmasked weighted mean is the plaintext one within the quantisation bound."""
    expected_count = sum(n for _, n in state.updates.values())
    expected_sum = sum(n * x for x, n in state.updates.values())
    assert count == expected_count
    assert np.max(np.abs(total / count - expected_sum / expected_count)) <= BOUNDS.mean_error_bound
    assert np.max(np.abs(total - expected_sum)) <= expected_count * BOUNDS.mean_error_bound


def test_all_sites_present_sum_matches_plaintext_within_quantisation_bound(pki: Any) -> None:
    state = _run_until_upload(pki, 4, threshold=3)
    total, count = _finish(state, threshold=3)
    _assert_matches_plaintext(state, total, count)


def test_round_completes_when_a_site_drops_after_key_sharing(pki: Any) -> None:
    state = _run_until_upload(pki, 5, threshold=3, no_upload=frozenset({"site-2"}))
    total, count = _finish(state, threshold=3)
    assert "site-2" not in state.updates
    _assert_matches_plaintext(state, total, count)


def test_masked_upload_hides_the_quantised_update(pki: Any) -> None:
    state = _run_until_upload(pki, 3, threshold=2)
    vector, examples = state.updates["site-0"]
    masked = unpack_masked(state.blobs["site-0"])
    plain = quantise_weighted(vector, examples, BOUNDS)
    assert np.mean(masked == plain) < 0.01
    assert len(state.blobs["site-0"]) == 16 + 4 * (LENGTH + 1)


def test_below_threshold_the_round_is_refused(pki: Any) -> None:
    state = _run_until_upload(pki, 3, threshold=2, no_upload=frozenset({"site-1", "site-2"}))
    survivors = ["site-0"]
    with pytest.raises(ThresholdNotMetError):
        state.participants["site-0"].sign_survivors(consistency_request(ROUND, survivors))
    with pytest.raises(ThresholdNotMetError):
        unmask(
            state.masked_sum,
            state.advertisements,
            state.shared_sites,
            survivors,
            [],
            2,
            BOUNDS,
            ROUND,
        )


def test_too_few_key_shares_refuses_to_upload(pki: Any) -> None:
    participants = _participants(pki, 3, threshold=2)
    advertisements = [p.advertise() for p in participants.values()]
    for participant in participants.values():
        participant.share_keys(advertisements)
    with pytest.raises(ThresholdNotMetError):
        participants["site-0"].masked_input([], np.zeros(LENGTH), 1)


def test_threshold_below_majority_is_refused(pki: Any) -> None:
    participants = _participants(pki, 4, threshold=2)
    advertisements = [p.advertise() for p in participants.values()]
    with pytest.raises(ThresholdNotMetError):
        participants["site-0"].share_keys(advertisements)


def test_unmask_never_reveals_seed_and_key_of_the_same_site(pki: Any) -> None:
    state = _run_until_upload(pki, 4, threshold=3, no_upload=frozenset({"site-3"}))
    participant = state.participants["site-0"]
    request = _signed_request(state, ["site-0", "site-1", "site-2"])
    first = participant.unmask(request)
    assert set(first["key_shares"]) == {"site-3"}
    assert "site-3" not in first["seed_shares"]
    assert participant.unmask({**request, "survivors": ["site-2", "site-1", "site-0"]}) == first
    with pytest.raises(ProtocolViolationError):
        participant.unmask({**request, "survivors": ["site-0", "site-1"]})
    with pytest.raises(ProtocolViolationError, match="different set"):
        participant.sign_survivors(consistency_request(ROUND, ["site-0", "site-1"]))


def test_unmask_refuses_survivors_that_never_shared_keys(pki: Any) -> None:
    state = _run_until_upload(pki, 3, threshold=2)
    with pytest.raises(ProtocolViolationError):
        state.participants["site-0"].sign_survivors(consistency_request(ROUND, ["site-0", "site-9"]))


def test_tampered_advertisement_is_refused(pki: Any) -> None:
    participants = _participants(pki, 3, threshold=2)
    advertisements = [p.advertise() for p in participants.values()]
    tampered = copy.deepcopy(advertisements)
    key = bytearray(b64decode(tampered[1]["mask_public_key"], "mask_public_key"))
    key[0] ^= 1
    tampered[1]["mask_public_key"] = b64encode(bytes(key))
    with pytest.raises(KeyAdvertisementError, match="site-1"):
        participants["site-0"].share_keys(tampered)


def test_advertisement_signed_with_another_key_is_refused(pki: Any) -> None:
    participants = _participants(pki, 3, threshold=2)
    impostor = pki.issue("site-1")  # a valid certificate, but not the one that signed
    advertisements = [p.advertise() for p in participants.values()]
    advertisements[1]["certificate"] = impostor.certificate_pem.decode()
    with pytest.raises(KeyAdvertisementError, match="not signed"):
        participants["site-0"].share_keys(advertisements)


def test_advertisement_from_another_federation_is_refused(pki: Any, foreign_pki: Any) -> None:
    participants = _participants(pki, 2, threshold=2)
    stranger = foreign_pki.issue("site-9")
    outsider = MaskingParticipant(
        "site-9", ROUND, stranger.key, stranger.certificate_pem, foreign_pki.ca_pem, 2, BOUNDS
    )
    advertisements = [p.advertise() for p in participants.values()] + [outsider.advertise()]
    with pytest.raises(KeyAdvertisementError, match="site-9"):
        participants["site-0"].share_keys(advertisements)


def test_advertisement_claiming_another_site_is_refused(pki: Any) -> None:
    participants = _participants(pki, 3, threshold=2)
    advertisements = [p.advertise() for p in participants.values()]
    advertisements[2]["site_id"] = "site-1"
    with pytest.raises((KeyAdvertisementError, ProtocolViolationError)):
        participants["site-0"].share_keys(advertisements)


def test_replayed_advertisement_from_another_round_is_refused(pki: Any) -> None:
    participants = _participants(pki, 3, threshold=2)
    identity = pki.issue("site-3")
    old = MaskingParticipant(
        "site-3", "round-6", identity.key, identity.certificate_pem, pki.ca_pem, 2, BOUNDS
    )
    advertisements = [p.advertise() for p in participants.values()] + [old.advertise()]
    with pytest.raises(KeyAdvertisementError, match="round"):
        participants["site-0"].share_keys(advertisements)


def test_altered_share_in_transit_is_refused(pki: Any) -> None:
    participants = _participants(pki, 3, threshold=2)
    advertisements = [p.advertise() for p in participants.values()]
    outboxes = {site: p.share_keys(advertisements) for site, p in participants.items()}
    message = dict(outboxes["site-1"]["site-0"])
    raw = bytearray(b64decode(message["ciphertext"], "ciphertext"))
    raw[5] ^= 0xFF
    message["ciphertext"] = b64encode(bytes(raw))
    with pytest.raises(ProtocolViolationError, match="site-1"):
        participants["site-0"].masked_input([message], np.zeros(LENGTH), 1)


def test_masked_sum_refuses_bad_blobs_and_rolls_back_truncated_stream(pki: Any) -> None:
    state = _run_until_upload(pki, 3, threshold=2)
    blob = state.blobs["site-0"]
    before = state.masked_sum.total
    with pytest.raises(InvalidUpdateError):
        state.masked_sum.add(blob[:-1])
    with pytest.raises(InvalidUpdateError):
        state.masked_sum.add(b"garbage" * 10)
    with pytest.raises(InvalidUpdateError):
        state.masked_sum.add_stream(io.BytesIO(blob[: len(blob) // 2]))
    assert np.array_equal(state.masked_sum.total, before)
    assert state.masked_sum.updates == 3


def test_masked_sum_from_streams_equals_sum_from_bytes(pki: Any) -> None:
    state = _run_until_upload(pki, 3, threshold=2)
    streamed = MaskedSum()
    for blob in state.blobs.values():
        streamed.add_stream(io.BytesIO(blob))
    assert np.array_equal(streamed.total, state.masked_sum.total)


def test_unmask_needs_threshold_signatures_on_the_set_this_site_signed(pki: Any) -> None:
    state = _run_until_upload(pki, 4, threshold=3, no_upload=frozenset({"site-3"}))
    survivors = ["site-0", "site-1", "site-2"]
    other = ["site-0", "site-1", "site-2", "site-3"]
    signed = [state.participants[s].sign_survivors(consistency_request(ROUND, survivors)) for s in survivors]
    site = state.participants["site-0"]
    with pytest.raises(ThresholdNotMetError, match="confirmed"):
        site.unmask(unmask_request(ROUND, survivors, signed[:2]))
    with pytest.raises(ThresholdNotMetError, match="confirmed"):
        site.unmask(unmask_request(ROUND, survivors, [signed[0], signed[1], signed[1]]))
    foreign = {**signed[2], "survivors": other}
    with pytest.raises(ProtocolViolationError, match="another survivor set"):
        site.unmask(unmask_request(ROUND, survivors, [*signed[:2], foreign]))
    forged = {**signed[2], "signature": signed[1]["signature"]}
    with pytest.raises(ProtocolViolationError, match="refused"):
        site.unmask(unmask_request(ROUND, survivors, [*signed[:2], forged]))
    with pytest.raises(ProtocolViolationError, match="other survivors"):
        site.unmask(unmask_request(ROUND, other, signed))
    assert site.unmask(unmask_request(ROUND, survivors, signed))["site_id"] == "site-0"
