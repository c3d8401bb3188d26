"""The statistics' own masking round on the real server (SQLite and PostgreSQL): served
under /statistics beside the training rounds, durable across a kill -9 mid-round, kept
in a store of its own, and its published sum is the sites' vectors summed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from coordinator_loopback import FAST_RETRIES, Federation, wait_published
from cryptography.hazmat.primitives import serialization
from safetensors.numpy import load_file

from coordinator import cli
from coordinator.client import ConnectionParams, CoordinatorClient
from coordinator.protocol import MaskingStep, masking_round_id, masking_threshold
from coordinator.secure.masking import MaskingParticipant
from coordinator.secure.quantisation import masking_bounds
from coordinator.statistics import STATISTICS_PREFIX, StatisticsLayout, statistics_plan
from coordinator.words import say
from siteapp.federation.round_polling import wait_for_round

SITES = ["a", "b", "c"]


def _statistics_client(fed: Federation, site: str) -> CoordinatorClient:
    kit = fed.kit(site)
    ca, cert, key = kit.write_tls_files(fed.root / "tls-statistics" / site)
    params = ConnectionParams(kit.coordinator_url + STATISTICS_PREFIX, ca, cert, key, site)
    client = CoordinatorClient(params, defaults=FAST_RETRIES)
    fed.clients.append(client)
    return client


def test_statistics_round_survives_a_restart_and_keeps_its_own_state(make_federation, tmp_path: Path, capsys) -> None:
    fed: Federation = make_federation(sites=SITES, rounds=1, round_deadline_s=30.0)
    plan = statistics_plan(fed.plan)
    clients = {s: _statistics_client(fed, s) for s in SITES}
    assert clients["a"].plan() == plan
    assert fed.client("a").round_state().masking_step is None  # the training rounds are plain
    people = {}
    for s in SITES:
        kit = fed.kit(s)
        key = serialization.load_pem_private_key(kit.key_pem, None)
        people[s] = MaskingParticipant(s, masking_round_id(plan, 1), key, kit.cert_pem, kit.ca_pem,  # type: ignore[arg-type]
                                       masking_threshold(plan), masking_bounds(plan))

    def at(step: MaskingStep) -> None:
        wait_for_round(clients["a"].round_state, lambda st: st.masking_step == step, timeout_s=20, poll_s=0.05)

    for s in SITES:
        clients[s].post_masking(1, MaskingStep.ADVERTISE, people[s].advertise())
    at(MaskingStep.SHARE)
    fed.kill9()  # the advertisements were acknowledged: they are on disk
    fed.start()
    adverts = clients["a"].get_masking(1, MaskingStep.ADVERTISE)
    for s in SITES:
        clients[s].post_masking(1, MaskingStep.SHARE, people[s].share_keys(adverts))
    at(MaskingStep.UPLOAD)
    length = StatisticsLayout.of(fed.plan).length
    vectors = {s: np.random.default_rng(i).uniform(-5, 40, size=length) for i, s in enumerate(SITES)}
    for s in SITES:
        masked = people[s].masked_input(clients[s].get_masking(1, MaskingStep.SHARE), vectors[s], 1)
        clients[s].upload_update(1, masked, None, carried=say("statistics"))
    at(MaskingStep.CONSISTENCY)
    shown = clients["a"].get_masking(1, MaskingStep.CONSISTENCY)
    for s in SITES:
        clients[s].post_masking(1, MaskingStep.CONSISTENCY, people[s].sign_survivors(shown))
    at(MaskingStep.UNMASK)
    request = clients["a"].get_masking(1, MaskingStep.UNMASK)
    for s in SITES:
        clients[s].post_masking(1, MaskingStep.UNMASK, people[s].unmask(request))
    assert wait_published(clients["b"], 1).last_published == 1
    clients["c"].download_result(1, tmp_path / "sum.st")
    result = load_file(str(tmp_path / "sum.st"))
    np.testing.assert_allclose(result["sum"], sum(vectors.values()), atol=3 * 0.5 / masking_bounds(plan).scale)
    assert result["count"][0] == 3
    # the training rounds never saw those uploads
    assert fed.client("b").round_state().submitted == []
    if fed.database_url is None:
        assert (fed.state_dir / "statistics" / "coordinator.sqlite").is_file()
    capsys.readouterr()
    assert cli.main(["status", "--kit", str(fed.kit_dir), *fed.store_args()]) == 0
    assert "statistics: published (round 1, the noised sum of 3 sites)" in capsys.readouterr().out
