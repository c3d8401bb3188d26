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
    # Tests and the demo only: seeds Poisson sampling, image choice and the DP noise (a
    # stream of its own per site and round) so two runs train identical updates, and the
    # ledger marks those rounds seeded (nominal epsilon). None: the operating system's entropy.
    insecure_fixed_dp_seed: int | None = None
