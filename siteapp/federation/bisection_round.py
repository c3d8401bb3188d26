"""This site's side of a secure median or winsorised-mean round (masking mode).

The round is a series of masked secure sums (:mod:`coordinator.secure.bisection`): in
probe ``j`` the site uploads, through a whole pairwise-masking round of its own, its
packed indicator counts "my value <= threshold" for every parameter; the coordinator
unmasks only their sum and publishes one bit per parameter, which every site follows to
halve its copy of the search. After the last probe the median is the round's published
update; for the winsorised mean the site then clips its update to the federation's
quantiles it found and joins one more, ordinary, masked weighted sum.

The site never sends a value, only counts that are masked until summed. A site that
drops out between probes is recovered by masking as in any round, and the coordinator
asks the later probes for the survivors' rank.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coordinator.client import CoordinatorClient
from coordinator.kits import SiteKit
from coordinator.protocol import FederationPlan
from coordinator.round_state import MaskingStep
from coordinator.secure.bisection import BisectionPlan, winsorise
from coordinator.secure.errors import SecureAggregationError
from coordinator.words import Words, say
from siteapp.federation.errors import FederationError, RoundMissedError
from siteapp.federation.masking_round import MaskingRound

# reach(secure_sum, step): block until the round is at that sum's step or past it; True
# when exactly there (MaskingRound's waiter, for one sum).
SumWaiter = Callable[[int, MaskingStep], bool]
# send(body, what it carries, secure_sum) -> bytes acknowledged
UpdateSender = Callable[[bytes, Words, int], int]


class BisectionRound:
    """One site's part in one secure bisection round (see module doc)."""

    def __init__(
        self,
        client: CoordinatorClient,
        kit: SiteKit,
        plan: FederationPlan,
        round_number: int,
        reach: SumWaiter,
        on_sum: Callable[[int, int], None] | None = None,
    ) -> None:
        """``on_sum(secure_sum, of)`` is told when each masked sum starts (progress)."""
        self.client = client
        self.kit = kit
        self.plan = plan
        self.round_number = round_number
        self.spec = BisectionPlan.of(plan)
        self._reach = reach
        self._on_sum = on_sum or (lambda _s, _of: None)
        self._first = self._masking(0)

    def _masking(self, secure_sum: int) -> MaskingRound:
        return MaskingRound(
            self.client, self.kit, self.plan, self.round_number,
            lambda step: self._reach(secure_sum, step), secure_sum,
        )

    def share_keys(self) -> None:
        """The first probe's key agreement (before training, as in any masking round)."""
        self._on_sum(0, self.spec.sums)
        self._first.share_keys()

    def contribute(self, vector: np.ndarray, num_examples: int, send: UpdateSender) -> int:
        """Take part in every probe (and the winsorised mean's weighted sum) with this
        site's update; returns the bytes uploaded. Raises :class:`RoundMissedError` when
        the round goes on without this site."""
        try:
            site = self.spec.site(vector)
        except SecureAggregationError as exc:
            raise FederationError(f"the update cannot take part in a secure median: {exc}") from exc
        sent = 0
        for secure_sum in range(self.spec.sums):
            if secure_sum == 0:
                masking = self._first
            else:
                self._on_sum(secure_sum, self.spec.sums)
                if not self._reach(secure_sum, MaskingStep.ADVERTISE):
                    raise RoundMissedError(f"the secure median went on to sum {secure_sum} without this site")
                masking = self._masking(secure_sum)
                masking.share_keys()
            if self.spec.is_probe(secure_sum):
                body = masking.masked_words_body(site.probe_words())
                carried = say(
                    "masked counts of probe {probe} of {probes} (per parameter, 1 if this site's "
                    "update is at or below the public threshold; only their sum across sites is "
                    "unmasked)", probe=secure_sum + 1, probes=self.spec.probes)
            else:
                low, high = site.search.estimate
                body = masking.masked_body(winsorise(vector, low, high), num_examples)
                carried = say(
                    "masked model update clipped to the federation's quantiles ({size} quantised "
                    "values x patients, and the patient count)", size=vector.size)
            sent += send(body, carried, secure_sum)
            masking.confirm_survivors()
            masking.answer_unmask()
            if self.spec.is_probe(secure_sum) and secure_sum + 1 < self.spec.sums:
                site.follow(self._answer(secure_sum))
        return sent

    def _answer(self, probe: int) -> bytes:
        """The coordinator's answer to ``probe`` (once the round has moved past it)."""
        if not self._reach(probe + 1, MaskingStep.ADVERTISE):
            raise RoundMissedError(f"the secure median went on after probe {probe + 1} without this site")
        return self.client.probe_answer(self.round_number, probe)
