"""The privacy ledger: recorded before training, composed over everything, persistent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

import pytest

from siteapp.cli import main
from siteapp.privacy.accountant import MechanismRun, epsilon_of
from siteapp.privacy.ledger import PrivacyCapExceededError, PrivacyLedger, default_delta


class RoundArgs(TypedDict):
    noise_multiplier: float
    sample_rate: float
    steps: int
    records: int


ROUND: RoundArgs = {"noise_multiplier": 1.1, "sample_rate": 0.1, "steps": 30, "records": 80}


def test_epsilon_matches_opacus_rdp_accountant() -> None:
    from opacus.accountants import RDPAccountant

    history = [(1.1, 0.1, 30), (0.9, 0.05, 50), (1.5, 0.2, 10)]
    reference = RDPAccountant()
    reference.history = list(history)
    ours = epsilon_of([MechanismRun(*h) for h in history], 1e-4)
    expected = reference.get_epsilon(1e-4)
    assert ours <= expected + 1e-9  # our order grid is a superset: never looser
    assert ours == pytest.approx(expected, rel=0.05)


def test_epsilon_after_round_three_composes_all_three_rounds(tmp_path: Path) -> None:
    ledger = PrivacyLedger(tmp_path)
    ledger.set_cap(50.0)
    entries = [ledger.record_planned_round(r, **ROUND) for r in (1, 2, 3)]
    delta = default_delta(ROUND["records"])
    one = MechanismRun(ROUND["noise_multiplier"], ROUND["sample_rate"], ROUND["steps"])
    assert entries[2].epsilon_after == pytest.approx(epsilon_of([one, one, one], delta))
    assert entries[2].epsilon_after > entries[1].epsilon_after > entries[0].epsilon_after
    assert entries[2].epsilon_after > epsilon_of([one], delta) * 1.5
    assert ledger.epsilon_spent() == pytest.approx(entries[2].epsilon_after)


def test_ledger_survives_restart_and_keeps_composing(tmp_path: Path) -> None:
    first = PrivacyLedger(tmp_path)
    first.set_cap(20.0, 1e-5)
    first.record_planned_round(1, **ROUND)
    first.record_planned_round(2, **ROUND)
    spent_before = first.epsilon_spent()
    del first

    reopened = PrivacyLedger(tmp_path)  # a new app session: fresh connections
    assert reopened.cap().epsilon == 20.0 and reopened.cap().delta == 1e-5
    assert [e.round for e in reopened.entries()] == [1, 2]
    assert reopened.epsilon_spent() == pytest.approx(spent_before)
    third = reopened.record_planned_round(3, **ROUND)
    one = MechanismRun(ROUND["noise_multiplier"], ROUND["sample_rate"], ROUND["steps"])
    assert third.epsilon_after == pytest.approx(epsilon_of([one] * 3, 1e-5))


def test_cap_refusal_records_nothing(tmp_path: Path) -> None:
    ledger = PrivacyLedger(tmp_path)
    ledger.set_cap(6.0)
    ledger.record_planned_round(1, **ROUND)
    before = ledger.entries()
    with pytest.raises(PrivacyCapExceededError, match="above its cap"):
        ledger.record_planned_round(
            2, ROUND["noise_multiplier"], ROUND["sample_rate"], 5000, ROUND["records"]
        )
    assert ledger.entries() == before


def test_projection_and_calibration_use_the_whole_history(tmp_path: Path) -> None:
    ledger = PrivacyLedger(tmp_path)
    ledger.set_cap(8.0)
    ledger.record_planned_round(1, **ROUND)
    sigma = ledger.calibrate(0.1, 30, 80, rounds=4)
    projected = ledger.projected_epsilon(sigma, 0.1, 30, 80, rounds=4)
    assert 0.95 * 8.0 <= projected <= 8.0
    fresh = PrivacyLedger(tmp_path / "other")
    fresh.set_cap(8.0)
    assert fresh.calibrate(0.1, 30, 80, rounds=4) < sigma  # nothing spent: less noise needed


def test_privacy_cli_prints_ledger_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "privacy", "set-cap", "--epsilon", "12"]) == 0
    ledger = PrivacyLedger(tmp_path)
    ledger.record_planned_round(1, **ROUND)
    ledger.record_planned_round(2, **ROUND)
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "privacy", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cap_epsilon"] == 12.0
    assert doc["delta"] == pytest.approx(default_delta(80))
    assert [e["round"] for e in doc["entries"]] == [1, 2]
    assert {"noise_multiplier", "sample_rate", "steps", "records", "epsilon_after"} <= set(
        doc["entries"][0]
    )
    assert doc["epsilon_spent"] == pytest.approx(doc["entries"][1]["epsilon_after"])


def test_set_cap_rejects_nonsense(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "privacy", "set-cap", "--epsilon", "-1"]) == 2
    assert "positive" in capsys.readouterr().err


def test_an_interrupted_round_can_be_found_after_restart(tmp_path: Path) -> None:
    ledger = PrivacyLedger(tmp_path)
    entry = ledger.record_planned_round(4, **ROUND, context="fed:abc")
    reopened = PrivacyLedger(tmp_path)
    found = reopened.find_entry("fed:abc", 4)
    assert found is not None and found.id == entry.id and found.status == "planned"
    assert reopened.find_entry("fed:abc", 5) is None
    reopened.mark_finished(entry.id, "cancelled")
    assert [e.status for e in reopened.entries()] == ["cancelled"]
    assert reopened.epsilon_spent() == pytest.approx(entry.epsilon_after)  # still counted


def test_one_delta_for_plan_ledger_cli_and_privacy_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A default site and a default plan speak of one delta: the plan's 1e-5 is the site's,
    the entry of a round calibrated at it records it, and the CLI and the Privacy page
    report the total at it (a site of 80 patients once reported 1.2e-03)."""
    from coordinator.protocol import LocalTraining
    from siteapp.ui.privacy_view import privacy_picture

    plan_delta = LocalTraining().target_delta
    ledger = PrivacyLedger(tmp_path)
    assert ledger.delta_for(80) == plan_delta
    assert default_delta(1_000_000) == pytest.approx(1e-7)  # huge sites go lower
    entry = ledger.record_planned_round(1, **ROUND, context="federation:f", delta=plan_delta)
    assert entry.epsilon_after == pytest.approx(
        epsilon_of([MechanismRun(1.1, 0.1, 30)], plan_delta)
    )
    assert privacy_picture(tmp_path, 0).delta == plan_delta
    assert main(["--data-dir", str(tmp_path), "privacy"]) == 0
    assert "delta 1e-05" in capsys.readouterr().out
    # A plan asking for a smaller delta than the site's is recorded at the plan's.
    ledger.record_planned_round(2, **ROUND, context="federation:f", delta=1e-7)
    assert ledger.reporting_delta() == 1e-7
