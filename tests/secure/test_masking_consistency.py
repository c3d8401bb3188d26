"""A coordinator that shows sites different survivor sets, helped by one colluding site,
tries to unmask one site's update. It plays with real participants and real
cryptography: the colluding site hands over every secret it holds and signs any
survivor set.

With the plan's default threshold (over two thirds of the sites) the honest sites
refuse to reveal what the attack needs, for n = 3 and 5; with a bare majority threshold
the same attack recovers the victim's update exactly, which shows the test can tell.
Each honest site signs one survivor set, answers once, and only against threshold
signatures on the set it signed (the consistency round), so the coordinator needs
``2t - n`` colluding sites whatever sets it shows; the exhaustive check below confirms
it for every choice of sets.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from coordinator.protocol import FederationPlan, masking_threshold
from coordinator.secure import shamir
from coordinator.secure.errors import SecureAggregationError
from coordinator.secure.masked_blob import unpack_masked
from coordinator.secure.masking import (
    MaskingParticipant,
    QuantisationBounds,
    consistency_fields,
    consistency_request,
    unmask_request,
)
from coordinator.secure.masking_server import CONSISTENCY_DOMAIN
from coordinator.secure.masks import SEED_BYTES, apply_mask, derive_key, mask_stream, pairwise_sign
from coordinator.secure.quantisation import quantise_weighted
from coordinator.secure.site_signatures import sign_fields

ROUND = "fed/round-1"
LENGTH = 64
BOUNDS = QuantisationBounds(clip=0.5, max_sites=10, max_examples_per_site=100)


def _thresholds(n: int) -> dict[str, int]:
    """The plan's threshold for ``n`` sites under each rule."""
    return {
        rule: masking_threshold(FederationPlan.model_validate({
            "federation": "fed", "sites": [f"s{i}" for i in range(n)], "mode": "masking",
            "update_length": LENGTH, "masking": {"threshold_rule": rule},
        }))
        for rule in ("two_thirds", "majority")
    }


def _round(pki: Any, n: int, threshold: int) -> tuple[dict[str, MaskingParticipant], dict[str, Any], dict[str, bytes], dict[str, np.ndarray]]:
    """Every site advertises, shares and uploads honestly."""
    identities = {f"s{i}": pki.issue(f"s{i}", ecdsa=True) for i in range(n)}
    people = {
        s: MaskingParticipant(s, ROUND, ident.key, ident.certificate_pem, pki.ca_pem, threshold, BOUNDS)
        for s, ident in identities.items()
    }
    adverts = [p.advertise() for p in people.values()]
    outboxes = {s: p.share_keys(adverts) for s, p in people.items()}
    rng = np.random.default_rng(n)
    uploads, vectors = {}, {}
    for s, p in people.items():
        vectors[s] = rng.uniform(-0.4, 0.4, LENGTH)
        inbox = [box[s] for sender, box in outboxes.items() if sender != s]
        uploads[s] = p.masked_input(inbox, vectors[s], 7)
    return people, identities, uploads, vectors


def _shares(secrets: list[tuple[int, int]], threshold: int) -> bytes | None:
    return shamir.reconstruct_secret(secrets, threshold, SEED_BYTES) if len(secrets) >= threshold else None


def _attack(pki: Any, n: int, threshold: int) -> tuple[np.ndarray | None, np.ndarray]:
    """The victim's quantised update as the coordinator recovers it (or None), and the
    true one."""
    people, identities, uploads, vectors = _round(pki, n, threshold)
    sites = sorted(people)
    victim, colluder = sites[0], sites[-1]
    truth = quantise_weighted(vectors[victim], 7, BOUNDS)
    others = sites[1:-1]
    # The victim and the first half of the other honest sites are shown one set, the
    # rest another that drops the first group: each group's answers complete the other's.
    first = others[: len(others) // 2]
    shown = {victim: sorted({victim, colluder, *first})}
    shown.update({s: shown[victim] for s in first})
    second = sorted(set(sites) - set(first))
    shown.update({s: second for s in others if s not in first})

    signatures: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for honest, survivors in shown.items():
        with contextlib.suppress(SecureAggregationError):  # an honest site refuses its set
            signatures.setdefault(tuple(survivors), []).append(
                people[honest].sign_survivors(consistency_request(ROUND, survivors)))
    for survivors, signed in signatures.items():  # the colluder signs every set
        fields = consistency_fields(ROUND, colluder, list(survivors))
        signed.append({**fields, "certificate": identities[colluder].certificate_pem.decode(),
                       "signature": sign_fields(CONSISTENCY_DOMAIN, fields, identities[colluder].key)})
    answers = []
    for honest, survivors in shown.items():
        with contextlib.suppress(SecureAggregationError):  # or refuses to unmask
            answers.append(people[honest].unmask(
                unmask_request(ROUND, survivors, signatures.get(tuple(survivors), []))))

    spy = people[colluder]
    x_colluder = spy._peers[colluder].x  # type: ignore[index]

    def secret(kind: str, site: str) -> bytes | None:
        field, index = ("seed_shares", 1) if kind == "seed" else ("key_shares", 0)
        points = [(int(a["x"]), int(a[field][site], 16)) for a in answers if site in a[field]]
        points.append((x_colluder, spy._held[site][index]))
        return _shares(points, threshold)

    words = unpack_masked(uploads[victim]).copy()
    seed = secret("seed", victim)
    if seed is None:
        return None, truth
    apply_mask(words, mask_stream(seed, words.size), -1)
    victim_key = people[victim]._peers[victim].mask_key  # type: ignore[index]
    for peer in sites[1:]:
        raw = spy._mask_key if peer == colluder else secret("key", peer)
        if raw is None:
            return None, truth
        private = raw if isinstance(raw, X25519PrivateKey) else X25519PrivateKey.from_private_bytes(raw)
        pair = derive_key(private, victim_key, "mask", ROUND, peer, victim)
        apply_mask(words, mask_stream(pair, words.size), -pairwise_sign(victim, peer))
    return words, truth


@pytest.mark.parametrize("n", [3, 5])
def test_survivor_set_attack_fails_with_the_default_threshold(pki: Any, n: int) -> None:
    recovered, _ = _attack(pki, n, _thresholds(n)["two_thirds"])
    assert recovered is None


@pytest.mark.parametrize("n", [3, 5])
def test_the_same_attack_recovers_an_update_at_a_bare_majority(pki: Any, n: int) -> None:
    recovered, truth = _attack(pki, n, _thresholds(n)["majority"])
    assert recovered is not None
    np.testing.assert_array_equal(recovered, truth)


def _coordinator_can_unmask(n: int, threshold: int, shown: dict[int, frozenset[int]]) -> bool:
    """The rules the participants enforce, as sets: can the coordinator (with colluding
    site n-1) rebuild site 0's self-mask seed and every pairwise mask of site 0?"""
    colluder = n - 1
    signers: dict[frozenset[int], set[int]] = {}
    for site, survivors in shown.items():
        signers.setdefault(survivors, {colluder}).add(site)
    answered = {s for s, survivors in shown.items() if len(signers[survivors]) >= threshold}
    seed_victim = 1 + sum(1 for s in answered if 0 in shown[s]) >= threshold
    key = {p: 1 + sum(1 for s in answered if p not in shown[s]) >= threshold for p in range(n)}
    pairs = all(key[p] or key[0] for p in range(1, n - 1))
    return seed_victim and pairs


@pytest.mark.parametrize("n", [3, 5])
def test_no_choice_of_survivor_sets_unmasks_a_site_at_the_default_threshold(n: int) -> None:
    """Every way of showing each honest site its own survivor set (of at least t sites,
    itself included), checked against the participants' rules."""
    results = {}
    for rule, threshold in _thresholds(n).items():
        options = {
            site: [frozenset(c) | {site} for k in range(n) for c in itertools.combinations(
                [s for s in range(n) if s != site], k) if k + 1 >= threshold]
            for site in range(n - 1)
        }
        results[rule] = any(
            _coordinator_can_unmask(n, threshold, dict(zip(options, choice, strict=True)))
            for choice in itertools.product(*options.values())
        )
    assert results == {"two_thirds": False, "majority": True}
