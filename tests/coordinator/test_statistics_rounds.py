"""The statistics' own masking round on the real server (SQLite and PostgreSQL): served
under /statistics beside the training rounds, durable across a kill -9 mid-round, kept
in a store of its own, and its published sum is the sites' vectors summed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from coordinator_loopback import Federation, wait_published
from safetensors.numpy import load_file
from statistics_sites import StatisticsSites

from coordinator import cli
from coordinator.protocol import MaskingStep
from coordinator.secure.quantisation import masking_bounds
from coordinator.statistics import StatisticsLayout, statistics_plan

SITES = ["a", "b", "c"]


def test_statistics_round_survives_a_restart_and_keeps_its_own_state(make_federation, tmp_path: Path, capsys) -> None:
    fed: Federation = make_federation(sites=SITES, rounds=1, round_deadline_s=30.0)
    plan = statistics_plan(fed.plan)
    sites = StatisticsSites(fed, SITES)
    clients = sites.clients
    assert clients["a"].plan() == plan
    assert fed.client("a").round_state().masking_step is None  # the training rounds are plain
    sites.advertise()
    sites.at(MaskingStep.SHARE)
    fed.kill9()  # the advertisements were acknowledged: they are on disk
    fed.start()
    sites.share()
    sites.at(MaskingStep.UPLOAD)
    length = StatisticsLayout.of(fed.plan).length
    vectors = {s: np.random.default_rng(i).uniform(-5, 40, size=length) for i, s in enumerate(SITES)}
    sites.upload(vectors)
    sites.confirm_and_unmask()
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
