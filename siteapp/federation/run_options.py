"""How a site's run of federation rounds behaves (:class:`RunnerOptions`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from coordinator.settings import ClientDefaults
from siteapp.federation.settings import RunnerDefaults, client_defaults


@dataclass(frozen=True)
class RunnerOptions:
    """How a run behaves; the defaults suit a hospital workstation."""

    device: str = "auto"
    waits: RunnerDefaults = field(default_factory=RunnerDefaults)
    client: ClientDefaults = field(default_factory=client_defaults)
    # Tests only: seeds Poisson sampling and the DP noise so two runs train identical
    # updates. None (production) draws both from the operating system.
    deterministic_seed: int | None = None
