"""Sites taking part in the federation's statistics round by hand, one masking step at a
time, over the statistics' own API (``/statistics/v1/...``) of a real coordinator."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from coordinator_loopback import FAST_RETRIES, Federation
from cryptography.hazmat.primitives import serialization

from coordinator.client import ConnectionParams, CoordinatorClient
from coordinator.protocol import MaskingStep, masking_round_id, masking_threshold
from coordinator.secure.masking import MaskingParticipant
from coordinator.secure.quantisation import masking_bounds
from coordinator.statistics import STATISTICS_PREFIX, statistics_plan
from coordinator.words import say
from siteapp.federation.round_polling import wait_for_round


def statistics_client(fed: Federation, site: str) -> CoordinatorClient:
    kit = fed.kit(site)
    ca, cert, key = kit.write_tls_files(fed.root / "tls-statistics" / site)
    params = ConnectionParams(kit.coordinator_url + STATISTICS_PREFIX, ca, cert, key, site)
    client = CoordinatorClient(params, defaults=FAST_RETRIES)
    fed.clients.append(client)
    return client


class StatisticsSites:
    """``sites`` in statistics round ``number`` (1 unless the operator resumed the
    statistics); each step method posts the step's message of the sites named (all by
    default)."""

    def __init__(self, fed: Federation, sites: list[str], number: int = 1) -> None:
        self.plan = statistics_plan(fed.plan)
        self.number = number
        self.clients = {s: statistics_client(fed, s) for s in sites}
        self.people = {}
        for s in sites:
            kit = fed.kit(s)
            key = serialization.load_pem_private_key(kit.key_pem, None)
            self.people[s] = MaskingParticipant(
                s, masking_round_id(self.plan, number), key, kit.cert_pem, kit.ca_pem,  # type: ignore[arg-type]
                masking_threshold(self.plan), masking_bounds(self.plan),
            )
        self.first = sites[0]

    def _each(self, sites: Iterable[str] | None) -> list[str]:
        return list(self.clients) if sites is None else list(sites)

    def at(self, step: MaskingStep) -> None:
        wait_for_round(self.clients[self.first].round_state,
                       lambda st: st.number == self.number and st.masking_step == step,
                       timeout_s=20, poll_s=0.05)

    def advertise(self, sites: Iterable[str] | None = None) -> None:
        for s in self._each(sites):
            self.clients[s].post_masking(self.number, MaskingStep.ADVERTISE, self.people[s].advertise())

    def share(self) -> None:
        adverts = self.clients[self.first].get_masking(self.number, MaskingStep.ADVERTISE)
        for s in self.clients:
            self.clients[s].post_masking(self.number, MaskingStep.SHARE, self.people[s].share_keys(adverts))

    def upload(self, vectors: dict[str, np.ndarray]) -> None:
        for s, vector in vectors.items():
            masked = self.people[s].masked_input(self.clients[s].get_masking(self.number, MaskingStep.SHARE), vector, 1)
            self.clients[s].upload_update(self.number, masked, None, carried=say("statistics"))

    def confirm_and_unmask(self) -> None:
        """The consistency and unmask steps: the round is then unmasked and published."""
        self.at(MaskingStep.CONSISTENCY)
        shown = self.clients[self.first].get_masking(self.number, MaskingStep.CONSISTENCY)
        for s in self.clients:
            self.clients[s].post_masking(self.number, MaskingStep.CONSISTENCY, self.people[s].sign_survivors(shown))
        self.at(MaskingStep.UNMASK)
        request = self.clients[self.first].get_masking(self.number, MaskingStep.UNMASK)
        for s in self.clients:
            self.clients[s].post_masking(self.number, MaskingStep.UNMASK, self.people[s].unmask(request))
