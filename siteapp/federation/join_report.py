"""What a site's run of federation rounds tells its caller: :class:`Progress` while it
runs (its :class:`SiteStep`), then a :class:`JoinReport` with one
:class:`RoundOutcome` per round. The CLI prints them, the GUI shows them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from coordinator.round_state import SiteStep
from coordinator.words import Words


@dataclass(frozen=True)
class Progress:
    step: SiteStep
    round: int | None
    message: str
    fraction: float | None = None  # training: steps done / steps planned
    # False while the coordinator does not answer and the client is retrying; the GUI's
    # connection line follows it, so it never says "connected" during an outage.
    reachable: bool = True
    # ``message`` as a template and its values: the GUI shows it in the user's language.
    words: Words | None = None


@dataclass
class RoundOutcome:
    """One round as this site took part in it."""

    round: int
    mode: str
    strategy: str
    num_examples: int
    upload_bytes: int
    noise_multiplier: float | None
    epsilon_after: float
    delta: float
    update_norm: float | None
    metrics: dict[str, object]
    resumed: bool = False


@dataclass
class JoinReport:
    federation: str
    site: str
    mode: str
    strategy: str
    rounds: list[RoundOutcome] = field(default_factory=list)
    epsilon_spent: float = 0.0
    delta: float | None = None
    bytes_sent: int = 0
    finished: bool = False
    stopped: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

