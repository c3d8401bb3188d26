"""Fixtures of the reliability campaign: the coordinator tests' loopback federation,
started through :mod:`fault_launcher` so a test can pause or starve the real process,
and the federation tests' phantom sites."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Before the helpers below can be imported: reuse the coordinator and federation tests'
# loopback helpers (tests/coordinator, tests/federation) rather than duplicating them.
for _helpers in ("coordinator", "federation"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / _helpers))

from coordinator_loopback import Federation, make_federation  # noqa: E402
from reliability_support import LAUNCHER  # noqa: E402

__all__ = ["faulty_federation", "make_federation", "site_templates"]


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


@pytest.fixture(scope="session")
def site_templates(phantom_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Phantom sites a, b, c imported and labelled once (the federation harness's layout)."""
    from harness import import_sites

    return import_sites(phantom_root, tmp_path_factory.mktemp("reliability-sites"))
