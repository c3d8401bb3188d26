"""Shamir sharing over GF(2^521 - 1): any threshold of shares rebuilds, fewer do not."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.secure.errors import ProtocolViolationError, ThresholdNotMetError
from coordinator.secure.shamir import reconstruct_secret, split_secret


@settings(max_examples=20, deadline=None)
@given(
    secret=st.binary(min_size=32, max_size=32),
    n=st.integers(min_value=2, max_value=6),
    data=st.data(),
)
def test_any_threshold_subset_rebuilds_the_secret(
    secret: bytes, n: int, data: st.DataObject
) -> None:
    threshold = data.draw(st.integers(min_value=1, max_value=n))
    shares = split_secret(secret, list(range(1, n + 1)), threshold)
    subset = data.draw(st.permutations(sorted(shares.items())))[:threshold]
    assert reconstruct_secret(subset, threshold, 32) == secret


def test_every_subset_of_three_of_five_rebuilds() -> None:
    secret = os.urandom(32)
    shares = split_secret(secret, [1, 2, 3, 4, 5], 3)
    for subset in itertools.combinations(shares.items(), 3):
        assert reconstruct_secret(list(subset), 3, 32) == secret


def test_fewer_shares_than_threshold_are_refused() -> None:
    shares = split_secret(os.urandom(32), [1, 2, 3], 3)
    with pytest.raises(ThresholdNotMetError):
        reconstruct_secret(list(shares.items())[:2], 3, 32)


def test_below_threshold_shares_give_an_unrelated_value() -> None:
    secret = os.urandom(32)
    shares = split_secret(secret, [1, 2, 3], 3)
    # Two shares interpolated as if the threshold were 2 point somewhere else in the field.
    guess = reconstruct_secret(list(shares.items())[:2], 2, 66)
    assert guess != secret.rjust(66, b"\0")


def test_a_corrupted_extra_share_is_detected() -> None:
    shares = split_secret(os.urandom(32), [1, 2, 3, 4], 2)
    items = list(shares.items())
    items[3] = (items[3][0], items[3][1] + 1)
    with pytest.raises(ProtocolViolationError, match="inconsistent"):
        reconstruct_secret(items, 2, 32)


def test_duplicate_share_positions_are_refused() -> None:
    shares = list(split_secret(os.urandom(32), [1, 2, 3], 2).items())
    with pytest.raises(ProtocolViolationError):
        reconstruct_secret([shares[0], shares[0]], 2, 32)
