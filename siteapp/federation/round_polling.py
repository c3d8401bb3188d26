"""Waiting for the federation's round to reach a state: the site's one polling loop.

The runner waits for the next round, for the other sites and for masking steps with
it; tests drive a coordinator through the same function. Retrying a coordinator that
does not answer is the client's job (``ClientDefaults.patience_s``), not this loop's.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from coordinator.protocol import RoundState
from coordinator.round_state import MaskingStep, RoundPhase
from siteapp.federation.errors import FederationError

_MASKING_ORDER = list(MaskingStep)
_ACCEPTING = (RoundPhase.OPEN, RoundPhase.COLLECTING)


def masking_step_reached(state: RoundState, number: int, secure_sum: int, step: MaskingStep) -> bool:
    """Round ``number`` is at masked sum ``secure_sum``'s ``step`` or past it, or is over
    (a sum being unmasked is past every step of it but not yet at the next sum)."""
    if state.number != number or state.phase not in (*_ACCEPTING, RoundPhase.AGGREGATING):
        return True
    target = (secure_sum, _MASKING_ORDER.index(step))
    if state.phase is RoundPhase.AGGREGATING:
        return (state.secure_sum, len(_MASKING_ORDER)) >= target
    if state.masking_step is None:
        return True
    return (state.secure_sum, _MASKING_ORDER.index(state.masking_step)) >= target


def at_masking_step(state: RoundState, number: int, secure_sum: int, step: MaskingStep) -> bool:
    """Round ``number`` accepts ``step`` of masked sum ``secure_sum`` right now."""
    return (state.number == number and state.phase in _ACCEPTING
            and state.secure_sum == secure_sum and state.masking_step == step)


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
