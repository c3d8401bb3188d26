"""Secure coordinate-wise median and winsorised mean: bisection over real masked sums."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from masked_probes import ProbeTranscript, masked_sum_of, secure_bisection

from coordinator.aggregation.rules import fedmedian
from coordinator.secure.bisection import (
    ProbeCoordinator,
    ProbeSite,
    count_bits,
    median_ranks,
    pack_counts,
    unpack_counts,
    winsor_ranks,
    winsorise,
)
from coordinator.secure.quantisation import QuantisationBounds, dequantise_sum, quantise_weighted

CLIP = 1.0
PROBES = 16
TOLERANCE = 2 * CLIP / 2**PROBES  # range / 2^k


def _identities(pki: Any, count: int) -> dict[str, tuple[Any, bytes]]:
    issued = [pki.issue(f"site-{index}", ecdsa=index % 2 == 1) for index in range(count)]
    return {identity.site_id: (identity.key, identity.certificate_pem) for identity in issued}


def _secure_statistic(
    pki: Any,
    updates: dict[str, np.ndarray],
    rank_rule: Any = median_ranks,
    drop: dict[int, str] | None = None,
    transcript: ProbeTranscript | None = None,
) -> tuple[np.ndarray, dict[str, ProbeSite]]:
    identities = _identities(pki, len(updates))
    ranks = len(rank_rule(len(updates)))
    sites = {site: ProbeSite(updates[site], CLIP, ranks, len(updates)) for site in identities}
    size = next(iter(updates.values())).size
    coordinator = ProbeCoordinator(size, CLIP, rank_rule, len(updates))
    secure_bisection(identities, pki.ca_pem, sites, coordinator, PROBES, drop, transcript)
    assert coordinator.probes == PROBES
    for site in sites.values():  # every site that stayed followed the same search
        if site.search.low.shape == coordinator.search.low.shape and drop is None:
            np.testing.assert_array_equal(site.search.low, coordinator.search.low)
    return coordinator.search.estimate, sites


def _random_updates(count: int, size: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {f"site-{i}": rng.normal(0.0, 0.3, size) for i in range(count)}


def test_packed_counts_add_up_to_the_packed_sum() -> None:
    bits = count_bits(7)
    assert bits == 3
    rng = np.random.default_rng(0)
    indicators = rng.integers(0, 2, (7, 2, 101))
    summed = sum((pack_counts(one, bits) for one in indicators), np.zeros(1, np.uint32))
    assert summed.size == -(-202 // 10)
    np.testing.assert_array_equal(unpack_counts(summed, 202, bits), indicators.sum(0).ravel())


def test_hand_made_median_of_five_sites(pki: Any) -> None:
    updates = {
        "site-0": np.array([0.1, -0.5, 0.9, 0.0]),
        "site-1": np.array([0.2, -0.4, -0.9, 0.0]),
        "site-2": np.array([0.3, -0.3, 0.5, 0.0]),
        "site-3": np.array([0.4, -0.2, 0.25, 0.0]),
        "site-4": np.array([0.5, -0.1, -0.25, 0.0]),
    }
    median, _ = _secure_statistic(pki, updates)
    np.testing.assert_allclose(median[0], [0.3, -0.3, 0.25, 0.0], atol=TOLERANCE)


def test_secure_median_equals_plaintext_fedmedian_within_range_over_2_to_the_k(pki: Any) -> None:
    updates = _random_updates(5, 300, seed=1)
    transcript = ProbeTranscript()
    median, _ = _secure_statistic(pki, updates, transcript=transcript)
    plain = fedmedian([([vector], 1) for vector in updates.values()])[0]
    error = np.abs(median[0] - np.clip(plain, -CLIP, CLIP))
    assert error.max() <= TOLERANCE
    assert error.max() > 0.0  # an estimate, not a copy of one site's value
    # What the coordinator held: masked uploads that match no site's indicators, and sums
    # whose fields are counts over all five sites (values up to 5, never one site's 0/1).
    first_sum = transcript.sums[0]
    assert first_sum[-1] == 5
    counts = unpack_counts(first_sum[:-1], 300, count_bits(5))
    assert counts.max() <= 5 and set(np.unique(counts)) - {0, 1}
    for site, blob in transcript.uploads[0].items():
        plain_words = ProbeSite(updates[site], CLIP, 1, 5).probe_words()
        masked = np.frombuffer(blob, dtype="<u4", offset=16)
        assert np.mean(masked == plain_words) < 0.01, site


def test_even_number_of_sites_gives_the_lower_median(pki: Any) -> None:
    updates = _random_updates(4, 200, seed=2)
    median, _ = _secure_statistic(pki, updates)
    lower = np.sort(np.stack(list(updates.values())), axis=0)[1]
    assert np.abs(median[0] - np.clip(lower, -CLIP, CLIP)).max() <= TOLERANCE
    # Not the midpoint of the two middle values (what plaintext FedMedian returns).
    midpoint = fedmedian([([vector], 1) for vector in updates.values()])[0]
    assert np.abs(median[0] - midpoint).max() > 100 * TOLERANCE


def test_site_dropping_out_between_probes_gives_a_median_of_the_survivors(pki: Any) -> None:
    updates = _random_updates(5, 300, seed=3)
    transcript = ProbeTranscript()
    median, _ = _secure_statistic(pki, updates, drop={6: "site-3"}, transcript=transcript)
    assert [len(answered) for answered in transcript.answered] == [5] * 6 + [4] * 10
    survivors = np.sort(np.stack([v for s, v in updates.items() if s != "site-3"]), axis=0)
    low, high = np.clip(survivors[1], -CLIP, CLIP), np.clip(survivors[2], -CLIP, CLIP)
    # Between the four survivors' two middle values: a median of the survivors.
    assert np.all(median[0] >= low - TOLERANCE) and np.all(median[0] <= high + TOLERANCE)


def test_poisoned_site_leaves_the_secure_median_bounded(pki: Any) -> None:
    updates = _random_updates(5, 200, seed=4)
    updates["site-2"] = np.full(200, 1e6)
    median, _ = _secure_statistic(pki, updates)
    honest = np.stack([v for s, v in updates.items() if s != "site-2"])
    assert np.all(median[0] <= np.clip(honest.max(0), -CLIP, CLIP) + TOLERANCE)
    assert np.all(median[0] >= np.clip(honest.min(0), -CLIP, CLIP) - TOLERANCE)
    # Exactly the third of the five values (the poisoned one is the largest).
    third = np.sort(np.clip(np.stack(list(updates.values())), -CLIP, CLIP), axis=0)[2]
    assert np.abs(median[0] - third).max() <= TOLERANCE


def test_winsorised_mean_clips_to_secure_quantiles_then_sums_securely(pki: Any) -> None:
    updates = _random_updates(5, 200, seed=5)
    updates["site-4"] = np.full(200, -1e6)  # poisoned
    examples = {site: 10 * (index + 1) for index, site in enumerate(updates)}
    rule = winsor_ranks(0.2)
    assert rule(5) == (2, 4)
    assert rule(3) == (2, 2) and rule(4) == (2, 3)  # floor(0.2 n) = 0, yet one is cut
    quantiles, sites = _secure_statistic(pki, updates, rank_rule=rule)
    low, high = quantiles
    # Each site clips with its own copy of the search (the same bits were published).
    clipped = {
        site: winsorise(updates[site], probe.search.estimate[0], probe.search.estimate[1])
        for site, probe in sites.items()
    }
    bounds = QuantisationBounds(clip=CLIP, max_sites=5, max_examples_per_site=100)
    words = {site: quantise_weighted(clipped[site], examples[site], bounds) for site in updates}
    total, _ = masked_sum_of(_identities(pki, 5), pki.ca_pem, "round-1.sum", words.__getitem__)
    weighted, count = dequantise_sum(total, bounds)
    secure_mean = weighted / count
    stacked = np.sort(np.clip(np.stack(list(updates.values())), -CLIP, CLIP), axis=0)
    plain_low, plain_high = stacked[1], stacked[3]
    assert np.abs(low - plain_low).max() <= TOLERANCE and np.abs(high - plain_high).max() <= TOLERANCE
    plain = sum(examples[s] * np.clip(v, plain_low, plain_high) for s, v in updates.items())
    plain = plain / sum(examples.values())
    assert np.abs(secure_mean - plain).max() <= TOLERANCE + bounds.mean_error_bound
    assert np.all(secure_mean >= plain_low - TOLERANCE)  # the poisoned site is clipped away


@pytest.mark.parametrize("answered", [0, 6])
def test_a_probe_sum_with_an_impossible_site_count_is_refused(answered: int) -> None:
    coordinator = ProbeCoordinator(10, CLIP, median_ranks, 5)
    summed = np.zeros(coordinator.words, dtype=np.uint32)
    summed[-1] = answered
    with pytest.raises(Exception, match="answered"):
        coordinator.answer(summed)
