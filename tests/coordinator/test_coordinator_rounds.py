"""Full rounds against a real coordinator over HTTPS with mutual TLS on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from coordinator_loopback import SITES, Federation, blob, model, wait_published
from safetensors.numpy import load_file

from coordinator import cli
from coordinator.client import RequestRefusedError
from coordinator.protocol import MetricsReport
from siteapp.federation.round_polling import wait_for_round

EXAMPLES = {"a": 1, "b": 2, "c": 3}


def _update(site: str, round_number: int) -> dict[str, np.ndarray]:
    return model(seed=100 * round_number + ord(site), scale=0.1)


def _expected_fedavg(global_w: dict[str, np.ndarray], round_number: int, sites: list[str]) -> dict[str, np.ndarray]:
    total = sum(EXAMPLES[s] for s in sites)
    return {
        k: global_w[k] + sum(EXAMPLES[s] * _update(s, round_number)[k] for s in sites) / total
        for k in global_w
    }


# Each site's (noised, here hand-made) validation histogram: negatives, then positives.
HISTOGRAMS = {
    "a": [[2.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]],
    "b": [[1.0, 1.0, 1.0, 0.0], [0.0, 1.0, 0.0, 2.0]],
    "c": [[3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 3.0]],
}


def test_three_sites_run_two_rounds_closing_by_count(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=2)
    clients = {s: fed.client(s) for s in SITES}
    assert clients["b"].plan() == fed.plan
    assert clients["a"].round_state().waiting_for_initial_model

    initial = model(seed=0)
    receipt = clients["a"].upload_initial_model(blob(initial))
    assert receipt.parameters == 15
    assert clients["b"].download_initial_model(tmp_path / "init.st") == receipt.sha256

    expected = initial
    for r in (1, 2):
        for s in SITES:
            clients[s].upload_update(r, blob(_update(s, r)), EXAMPLES[s])
        state = wait_published(clients["a"], r)
        assert state.last_published == r
        clients["c"].download_result(r, tmp_path / f"g{r}.st")
        got = load_file(str(tmp_path / f"g{r}.st"))
        expected = _expected_fedavg(expected, r, SITES)
        for k in expected:
            np.testing.assert_allclose(got[k], expected[k], rtol=1e-5, atol=1e-6)
        for s in SITES:
            clients[s].report_metrics(r, MetricsReport(noisy_counts=HISTOGRAMS[s]))

    final = clients["b"].round_state()
    assert final.finished and final.number == 2
    status = clients["a"].status()
    # Summed histogram: negatives [6, 2, 1, 0], positives [0, 1, 1, 6]; bins 0-1 say negative.
    assert status.rounds[1].metrics == pytest.approx(
        {"auc": (1 * (6 + 1) + 1 * (8 + 0.5) + 6 * 9) / (8 * 9), "accuracy": 15 / 17,
         "sensitivity": 7 / 8, "specificity": 8 / 9}
    )
    assert status.rounds[1].metrics_sites == SITES
    assert status.rounds[0].total_examples == 6

    # The operator's commands read the same state while the server runs.
    assert cli.main(["export", "--kit", str(fed.kit_dir), *fed.store_args(),
                     "--round", "2", "--out", str(tmp_path / "final.st")]) == 0
    assert (tmp_path / "final.st").read_bytes() == (tmp_path / "g2.st").read_bytes()


def test_status_cli_reports_rounds_as_json(make_federation, capsys) -> None:
    fed: Federation = make_federation(rounds=1)
    a = fed.client("a")
    a.upload_initial_model(blob(model(seed=0)))
    a.upload_update(1, blob(_update("a", 1)), 1)
    capsys.readouterr()
    assert cli.main(["status", "--kit", str(fed.kit_dir), *fed.store_args(), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["current"]["submitted"] == ["a"]
    assert status["current"]["phase"] == "collecting"


def test_round_closes_at_deadline_with_min_sites_and_refuses_late_upload(make_federation) -> None:
    fed: Federation = make_federation(rounds=2, round_deadline_s=1.5, min_sites=2)
    clients = {s: fed.client(s) for s in SITES}
    clients["a"].upload_initial_model(blob(model(seed=0)))
    clients["a"].upload_update(1, blob(_update("a", 1)), 1)
    clients["b"].upload_update(1, blob(_update("b", 1)), 2)
    state = wait_published(clients["a"], 1, timeout_s=10)
    assert state.number == 2 and state.phase == "open"
    status = clients["a"].status()
    assert status.rounds[0].submitted == ["a", "b"] and status.rounds[0].total_examples == 3

    with pytest.raises(RequestRefusedError, match="late upload") as refused:
        clients["c"].upload_update(1, blob(_update("c", 1)), 3)
    assert refused.value.status == 409
    assert clients["c"].round_state().submitted == []


def test_deadline_without_enough_sites_extends_then_fails(make_federation) -> None:
    fed: Federation = make_federation(
        rounds=1, round_deadline_s=0.8, min_sites=2, on_deadline="extend", max_extensions=1,
        max_failed_rounds=0,
    )
    a = fed.client("a")
    a.upload_initial_model(blob(model(seed=0)))
    a.upload_update(1, blob(_update("a", 1)), 1)
    extended = wait_for_round(a.round_state, lambda s: s.extensions == 1 or s.phase == "failed", timeout_s=10, poll_s=0.05)
    assert extended.extensions == 1 and extended.phase == "collecting"
    failed = wait_for_round(a.round_state, lambda s: s.phase == "failed", timeout_s=10, poll_s=0.05)
    assert failed.finished and failed.submitted == ["a"]


def test_kill_9_mid_round_then_restart_resumes_without_resending(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(rounds=1)
    clients = {s: fed.client(s) for s in SITES}
    initial = model(seed=0)
    clients["a"].upload_initial_model(blob(initial))
    clients["a"].upload_update(1, blob(_update("a", 1)), 1)
    clients["b"].upload_update(1, blob(_update("b", 1)), 2)
    fed.kill9()
    fed.start()
    assert clients["a"].round_state().submitted == ["a", "b"]
    clients["c"].upload_update(1, blob(_update("c", 1)), 3)
    wait_published(clients["c"], 1)
    clients["a"].download_result(1, tmp_path / "g1.st")
    got = load_file(str(tmp_path / "g1.st"))
    expected = _expected_fedavg(initial, 1, SITES)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-5, atol=1e-6)
