"""Fixtures of the reliability campaign: the coordinator tests' loopback federation,
started through :mod:`fault_launcher` so a test can pause or starve the real process,
and the phantom sites of the root conftest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

# The coordinator tests' loopback helpers (tests/coordinator, on pytest's pythonpath).
from coordinator_loopback import Federation, make_federation
from reliability_support import LAUNCHER

__all__ = ["faulty_federation", "make_federation"]


@pytest.fixture
def faulty_federation(make_federation: Callable[..., Federation]) -> Callable[..., Federation]:
    """Like ``make_federation`` but the coordinator runs under the fault launcher."""

    def _make(start: bool = True, **plan_fields: Any) -> Federation:
        fed = make_federation(start=False, **plan_fields)
        fed.launcher = LAUNCHER
        if start:
            fed.start()
        return fed

    return _make

