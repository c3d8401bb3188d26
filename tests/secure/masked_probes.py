"""Drive secure bisection probes in memory: each probe is one real pairwise-masking round.

The coordinator side sees only what a real coordinator stores: advertisements, encrypted
shares, masked uploads, signatures, unmask responses and the unmasked *sum*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coordinator.secure.bisection import ProbeCoordinator, ProbeSite
from coordinator.secure.masking import (
    MaskedSum,
    MaskingParticipant,
    consistency_request,
    unmask_request,
    unmask_words,
)


@dataclass
class ProbeTranscript:
    """What the coordinator held, per probe: the masked uploads and the unmasked sums."""

    uploads: list[dict[str, bytes]] = field(default_factory=list)
    sums: list[np.ndarray] = field(default_factory=list)
    answered: list[list[str]] = field(default_factory=list)


def masked_sum_of(
    identities: Mapping[str, Any],
    ca_pem: bytes,
    round_id: str,
    inputs: Callable[[str], np.ndarray],
    drop_after_sharing: frozenset[str] = frozenset(),
    uploads: dict[str, bytes] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """One masking round over ``identities`` (site -> (key, certificate)); sites in
    ``drop_after_sharing`` share keys and then never upload (masking's dropout recovery)."""
    threshold = len(identities) * 2 // 3 + 1
    participants = {
        site: MaskingParticipant(site, round_id, key, cert, ca_pem, threshold)
        for site, (key, cert) in identities.items()
    }
    advertisements = [p.advertise() for p in participants.values()]
    outboxes = {site: p.share_keys(advertisements) for site, p in participants.items()}
    survivors = sorted(set(participants) - drop_after_sharing)
    masked = MaskedSum()
    for site in survivors:
        inbox = [box[site] for sender, box in outboxes.items() if sender != site]
        blob = participants[site].masked_words(inbox, inputs(site))
        masked.add(blob)
        if uploads is not None:
            uploads[site] = blob
    shown = consistency_request(round_id, survivors)
    signatures = [participants[site].sign_survivors(shown) for site in survivors]
    request = unmask_request(round_id, survivors, signatures)
    responses = [participants[site].unmask(request) for site in survivors]
    total = unmask_words(
        masked, advertisements, sorted(participants), survivors, responses, threshold, round_id
    )
    return total, survivors


def secure_bisection(
    identities: Mapping[str, Any],
    ca_pem: bytes,
    sites: Mapping[str, ProbeSite],
    coordinator: ProbeCoordinator,
    probes: int,
    drop: Mapping[int, str] | None = None,
    transcript: ProbeTranscript | None = None,
) -> None:
    """Run ``probes`` probes; ``drop[j]`` shares its keys in probe ``j`` and then leaves."""
    active = dict(identities)
    for probe in range(probes):
        leaving = frozenset({drop[probe]}) if drop and probe in drop else frozenset()
        uploads: dict[str, bytes] = {}
        total, answered = masked_sum_of(
            active,
            ca_pem,
            f"round-1.probe-{probe}",
            lambda site: sites[site].probe_words(),
            leaving,
            uploads,
        )
        published = coordinator.answer(total)
        for site in answered:
            sites[site].follow(published)
        for site in leaving:
            del active[site]
        if transcript is not None:
            transcript.uploads.append(uploads)
            transcript.sums.append(total)
            transcript.answered.append(answered)
