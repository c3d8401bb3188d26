"""Waiting for the federation's round to reach a state: the site's one polling loop.

The runner waits for the next round, for the other sites and for masking steps with
it; tests drive a coordinator through the same function. Retrying a coordinator that
does not answer is the client's job (``ClientDefaults.patience_s``), not this loop's.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from coordinator.protocol import RoundState
from siteapp.federation.errors import FederationError


def wait_for_round(
    fetch: Callable[[], RoundState],
    predicate: Callable[[RoundState], bool],
    *,
    timeout_s: float,
    poll_s: float,
    what: str = "the round to move on",
    sleep: Callable[[float], None] = time.sleep,
) -> RoundState:
    """Poll ``fetch()`` until ``predicate`` holds; :class:`FederationError` after
    ``timeout_s`` (``sleep`` may raise to stop early)."""
    end = time.monotonic() + timeout_s
    while True:
        state = fetch()
        if predicate(state):
            return state
        if time.monotonic() > end:
            raise FederationError(
                f"waited {timeout_s:.0f} s ({what}) but the federation is still at round "
                f"{state.number} ({state.phase}); run join again later"
            )
        sleep(poll_s)
