"""Secure coordinate-wise order statistics (median, quantiles) by bisection over secure sums.

Additive secure aggregation only sums, so a median is found by asking, for every
coordinate at once, "how many sites hold a value <= threshold?" (Bisection of the
threshold, one *probe* per halving):

- the coordinator and every site start from the same interval, the clip range
  ``[-clip, clip]`` (:class:`Bisection`);
- at each probe a site uploads, through a secure sum (pairwise masking), its indicator
  vector ``clip(value) <= threshold`` packed ``bits`` to a field (:class:`ProbeSite`);
  the sum of the packed words is the packed per-coordinate *counts*, which cannot
  overflow a field because ``bits = max_sites.bit_length()``;
- the coordinator compares each count with the wanted rank and publishes one bit per
  coordinate and rank, "the order statistic is at or below the threshold"
  (:class:`ProbeCoordinator`); every side halves its interval the same way.

After ``k`` probes the estimate (the interval's middle) is within ``range / 2^(k+1)`` of
the order statistic. What the coordinator learns is exactly the per-coordinate count at
each probe; the sites learn the published bits. No one sees one site's value
(docs/secure-aggregation.md states the leak and the costs).

Which median: the *lower* median, rank ``ceil(n / 2)`` of the ``n`` sites that answered
the probe, which is the median for an odd ``n``. When a site drops out between probes
the later probes use the survivors' rank, and the result lies between the survivors' two
middle values (within the same tolerance): a median of the survivors in the L1 sense.

Pure numpy: no I/O, no cryptography; the masking round carries the words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coordinator.protocol import FederationPlan, Strategy
from coordinator.secure.errors import InvalidUpdateError, require_finite_update

WORD_BITS = 32
RankRule = Callable[[int], tuple[int, ...]]


def median_ranks(site_count: int) -> tuple[int, ...]:
    """The lower median's rank (1-based): ``ceil(n / 2)``."""
    return ((site_count + 1) // 2,)


def winsor_cut(quantile: float, site_count: int) -> int:
    """Values replaced at each end: ``floor(q n)``, at least one (as the trimmed mean
    cuts at least one: with 3 to 4 sites and q = 0.2 the floor is 0 and a winsorised
    mean would clip nothing), and never past the middle."""
    return min(max(1, math.floor(quantile * site_count)), (site_count - 1) // 2)


def winsor_ranks(quantile: float) -> RankRule:
    """Ranks of the ``[q, 1 - q]`` quantiles: ``cut + 1`` and ``n - cut`` with
    ``cut = winsor_cut(q, n)``.

    Clipping every value to these two order statistics replaces the ``cut`` smallest and
    largest values by their neighbours (winsorisation).
    """
    if not 0.0 <= quantile < 0.5:
        raise ValueError("the winsorising quantile must be in [0, 0.5)")

    def ranks(site_count: int) -> tuple[int, ...]:
        cut = winsor_cut(quantile, site_count)
        return (cut + 1, site_count - cut)

    return ranks


def count_bits(max_sites: int) -> int:
    """Bits of one packed count field: enough for a count of ``max_sites``."""
    if not 1 <= max_sites < 1 << (WORD_BITS - 1):
        raise ValueError("max_sites must be positive")
    return max_sites.bit_length()


def packed_words(values: int, bits: int) -> int:
    """uint32 words that hold ``values`` packed counts of ``bits`` bits."""
    return -(-values // (WORD_BITS // bits))


def pack_counts(indicators: np.ndarray, bits: int) -> np.ndarray:
    """Pack small non-negative integers (0/1 indicators) ``bits`` to a field into uint32.

    Sums of packed vectors mod 2^32 are the packed sums, as long as no field exceeds
    ``2^bits - 1``.
    """
    per_word = WORD_BITS // bits
    flat = np.asarray(indicators, dtype=np.uint32).ravel()
    padded = np.zeros(packed_words(flat.size, bits) * per_word, dtype=np.uint32)
    padded[: flat.size] = flat
    fields = padded.reshape(-1, per_word)
    words = np.zeros(fields.shape[0], dtype=np.uint32)
    for index in range(per_word):
        words |= fields[:, index] << np.uint32(index * bits)
    return words


def unpack_counts(words: np.ndarray, count: int, bits: int) -> np.ndarray:
    """The first ``count`` fields of packed uint32 ``words``, as int64."""
    per_word = WORD_BITS // bits
    shifts = np.arange(per_word, dtype=np.uint32) * np.uint32(bits)
    fields = (np.asarray(words, dtype=np.uint32)[:, None] >> shifts) & np.uint32((1 << bits) - 1)
    return fields.ravel()[:count].astype(np.int64)


@dataclass
class Bisection:
    """Per-coordinate search intervals ``(low, high]``, shape ``(ranks, parameters)``.

    The coordinator and every site hold one and narrow it with the same published bits,
    so the thresholds never travel.
    """

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def over_clip_range(cls, ranks: int, parameters: int, clip: float) -> Bisection:
        if not clip > 0:
            raise ValueError("the clip range must be positive")
        return cls(np.full((ranks, parameters), -clip), np.full((ranks, parameters), clip))

    @property
    def thresholds(self) -> np.ndarray:
        return (self.low + self.high) / 2.0

    @property
    def estimate(self) -> np.ndarray:
        """The interval's middle: within half the interval of the order statistic."""
        return self.thresholds

    def narrow(self, at_or_below: np.ndarray) -> None:
        """Halve every interval: keep the lower half where the statistic is at or below
        the threshold, else the upper half."""
        if at_or_below.shape != self.low.shape:
            raise InvalidUpdateError(
                f"The published probe answer has shape {at_or_below.shape}, the search "
                f"{self.low.shape}; the site and the coordinator disagree about the round."
            )
        middle = self.thresholds
        np.copyto(self.high, middle, where=at_or_below)
        np.copyto(self.low, middle, where=~at_or_below)


def pack_directions(at_or_below: np.ndarray) -> bytes:
    """The coordinator's published answer of one probe: one bit per coordinate and rank."""
    return np.packbits(at_or_below.ravel()).tobytes()


def unpack_directions(raw: bytes, shape: tuple[int, int]) -> np.ndarray:
    size = shape[0] * shape[1]
    if len(raw) != -(-size // 8):
        raise InvalidUpdateError(
            f"The published probe answer has {len(raw)} bytes, {-(-size // 8)} expected."
        )
    return np.unpackbits(np.frombuffer(raw, dtype=np.uint8), count=size).astype(bool).reshape(shape)


class ProbeSite:
    """One site's side of a bisection: its clipped values and its copy of the search."""

    def __init__(self, values: np.ndarray, clip: float, ranks: int, max_sites: int) -> None:
        """``values``: this site's update; ``ranks``: how many order statistics are sought."""
        flat = np.asarray(values, dtype=np.float64).ravel()
        require_finite_update(flat)
        # No clipping needed: thresholds stay inside the clip range, so a value beyond it
        # answers every probe as the range's end would.
        self._values = flat
        self.bits = count_bits(max_sites)
        self.search = Bisection.over_clip_range(ranks, flat.size, clip)

    def probe_words(self) -> np.ndarray:
        """This probe's secure-sum input: packed ``value <= threshold`` per coordinate and
        rank, then a word 1 (the sum's last word counts the sites that answered)."""
        indicators = self._values[None, :] <= self.search.thresholds
        return np.append(pack_counts(indicators, self.bits), np.uint32(1))

    def follow(self, published: bytes) -> None:
        """Narrow this site's search with the coordinator's published answer."""
        self.search.narrow(unpack_directions(published, self.search.low.shape))


class ProbeCoordinator:
    """The coordinator's side: reads each probe's summed counts, publishes the answer."""

    def __init__(
        self, parameters: int, clip: float, rank_rule: RankRule, max_sites: int
    ) -> None:
        self.parameters = parameters
        self.rank_rule = rank_rule
        self.bits = count_bits(max_sites)
        self.max_sites = max_sites
        self.ranks = len(rank_rule(max_sites))
        self.search = Bisection.over_clip_range(self.ranks, parameters, clip)
        self.probes = 0

    @property
    def words(self) -> int:
        """Length of one probe's input, the count word included."""
        return packed_words(self.ranks * self.parameters, self.bits) + 1

    def answer(self, summed: np.ndarray) -> bytes:
        """From one probe's unmasked sum, the bits every side narrows its search with."""
        if summed.shape != (self.words,):
            raise InvalidUpdateError(
                f"The probe's sum has {summed.size} words, {self.words} expected."
            )
        answered = int(summed[-1])
        if not 1 <= answered <= self.max_sites:
            raise InvalidUpdateError(
                f"The probe's sum says {answered} sites answered, outside 1..{self.max_sites}; "
                "a mask was not removed correctly. Restart the round."
            )
        counts = unpack_counts(summed[:-1], self.ranks * self.parameters, self.bits)
        wanted = np.asarray(self.rank_rule(answered), dtype=np.int64)[:, None]
        at_or_below = counts.reshape(self.ranks, self.parameters) >= wanted
        self.search.narrow(at_or_below)
        self.probes += 1
        return pack_directions(at_or_below)


def probes_for(clip: float, tolerance: float) -> int:
    """Probes after which the estimate is within ``tolerance`` (half the interval)."""
    return max(1, math.ceil(math.log2(clip / tolerance)))


def winsorise(values: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Clip each coordinate to the federation's secure quantiles before a secure sum."""
    return np.clip(np.asarray(values, dtype=np.float64).ravel(), low, high)


@dataclass(frozen=True)
class BisectionPlan:
    """What a plan's secure median or winsorised-mean round does, the same at every side.

    A round is ``sums`` masked secure sums: probes ``0 .. probes - 1`` of packed counts,
    then for the winsorised mean one weighted sum of the winsorised updates.
    """

    probes: int
    clip: float
    max_sites: int
    rank_rule: RankRule
    ranks: int
    winsorised: bool

    @classmethod
    def of(cls, plan: FederationPlan) -> BisectionPlan:
        clip = plan.masking.clip_range
        probes = plan.masking.probes or probes_for(clip, plan.masking.median_tolerance)
        winsorised = plan.strategy is Strategy.WINSORISED_MEAN
        rule = winsor_ranks(plan.strategy_params.winsor_quantile) if winsorised else median_ranks
        max_sites = len(plan.sites)
        return cls(probes, clip, max_sites, rule, len(rule(max_sites)), winsorised)

    @property
    def sums(self) -> int:
        return self.probes + 1 if self.winsorised else self.probes

    def is_probe(self, secure_sum: int) -> bool:
        return secure_sum < self.probes

    def probe_words(self, parameters: int) -> int:
        """Length of one probe's masked input, the count word included."""
        return packed_words(self.ranks * parameters, count_bits(self.max_sites)) + 1

    def coordinator(self, parameters: int, answers: list[bytes]) -> ProbeCoordinator:
        """The coordinator's search after the published ``answers``, replayed from the clip
        range (so a restarted coordinator holds the same intervals)."""
        search = ProbeCoordinator(parameters, self.clip, self.rank_rule, self.max_sites)
        for raw in answers:
            search.search.narrow(unpack_directions(raw, search.search.low.shape))
            search.probes += 1
        return search

    def site(self, values: np.ndarray) -> ProbeSite:
        return ProbeSite(values, self.clip, self.ranks, self.max_sites)
