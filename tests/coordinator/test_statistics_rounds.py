"""The statistics' own masking round on the real server (SQLite and PostgreSQL): served
under /statistics beside the training rounds, durable across a kill -9 mid-round, kept
in a store of its own, and its published sum is the sites' vectors summed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from coordinator_loopback import Federation, blob, model, wait_published
from operator_scenario import status_page_showing
from safetensors.numpy import load_file
from statistics_sites import StatisticsSites

from coordinator import cli
from coordinator.protocol import MaskingStep
from coordinator.secure.quantisation import masking_bounds
from coordinator.statistics import StatisticsLayout, statistics_plan
from siteapp.federation.round_polling import wait_for_round

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


def _resume_statistics(fed: Federation) -> int:
    return cli.main(["resume", "--statistics", "--kit", str(fed.kit_dir), *fed.store_args()])


def test_the_operator_resumes_statistics_the_sites_were_late_for(make_federation, tmp_path: Path, capsys) -> None:
    fed: Federation = make_federation(sites=SITES, rounds=1, round_deadline_s=2.5, on_deadline="fail",
                                      max_failed_rounds=1)
    training = fed.client("a")
    training.upload_initial_model(blob(model(0)))  # the training round runs its deadline too
    sites = StatisticsSites(fed, SITES, number=3)
    statistics = sites.clients["a"]
    # No site ran 'medfed-site statistics' in time: rounds 1 and 2 fail, and the budget is spent.
    ended = wait_for_round(statistics.round_state, lambda s: s.finished, timeout_s=30, poll_s=0.05)
    assert (ended.number, ended.phase, ended.last_published) == (2, "failed", 0)
    trained = wait_for_round(training.round_state, lambda s: s.finished, timeout_s=30, poll_s=0.05)
    assert (trained.number, trained.phase) == (2, "failed")
    status_page_showing(fed, "open one more with 'medfed-coordinator resume --statistics'")
    capsys.readouterr()
    assert cli.main(["status", "--kit", str(fed.kit_dir), *fed.store_args()]) == 0
    assert "open one more with 'medfed-coordinator resume --statistics'" in capsys.readouterr().out
    assert _resume_statistics(fed) == 0
    assert "statistics round 3 is open" in capsys.readouterr().out
    sites.advertise()
    sites.at(MaskingStep.SHARE)
    sites.share()
    sites.at(MaskingStep.UPLOAD)
    length = StatisticsLayout.of(fed.plan).length
    sites.upload({s: np.full(length, 2.0 + i) for i, s in enumerate(SITES)})
    sites.confirm_and_unmask()
    assert wait_published(statistics, 3).last_published == 3
    statistics.download_result(3, tmp_path / "sum.st")
    assert load_file(str(tmp_path / "sum.st"))["count"][0] == 3
    # The training rounds were not resumed: they still wait for their operator.
    assert (training.round_state().number, training.round_state().phase) == (2, "failed")
    assert _resume_statistics(fed) == 1
    assert ("the federation's statistics are published (statistics round 3); there is nothing "
            "to resume") in capsys.readouterr().err


def test_resume_statistics_refuses_while_a_round_runs_and_without_statistics(make_federation, capsys) -> None:
    fed: Federation = make_federation(sites=SITES, rounds=1, round_deadline_s=600.0)
    StatisticsSites(fed, SITES).at(MaskingStep.ADVERTISE)
    assert _resume_statistics(fed) == 1
    assert ("statistics round 1 is open, not waiting for the operator; there is nothing to resume"
            in capsys.readouterr().err)
    two = make_federation(sites=["a", "b"], rounds=1, min_sites=2)
    assert _resume_statistics(two) == 1
    assert ("secure statistics need at least 3 sites; federation 'test' has 2, so it has no "
            "statistics rounds to resume") in capsys.readouterr().err
