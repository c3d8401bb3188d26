"""Validation figures leave a site only DP-noised, with their cost in the ledger.

The attack: from the coordinator's stored metrics alone, rebuild each site's exact
confusion matrix. With a patient count and exact rates it succeeds for every site and
round (it did on real runs); with the noised histogram it must not.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from harness import make_federation, run_sites

from siteapp.cli import main
from siteapp.federation.policy import load_policy
from siteapp.privacy.accountant import RDP_ORDERS
from siteapp.privacy.ledger import PrivacyLedger

Confusion = tuple[int, int, int, int]  # TN, FP, FN, TP


def _from_rates(n: int, values: dict[str, float]) -> Confusion | None:
    """The confusion matrix that a count and exact accuracy, sensitivity and specificity
    pin down (searching every possible number of positives)."""
    found = []
    for positives in range(n + 1):
        negatives = n - positives
        tp = round(values.get("sensitivity", 0.0) * positives)
        tn = round(values.get("specificity", 0.0) * negatives)
        fits = (
            ("accuracy" not in values or abs((tp + tn) / n - values["accuracy"]) < 1e-9)
            and ("sensitivity" not in values or abs(tp / positives - values["sensitivity"]) < 1e-9
                 if positives else "sensitivity" not in values)
            and ("specificity" not in values or abs(tn / negatives - values["specificity"]) < 1e-9
                 if negatives else "specificity" not in values)
        )
        if fits:
            found.append((tn, negatives - tn, positives - tp, tp))
    return found[0] if len(found) == 1 else None


def _from_histogram(noisy_counts: list[list[float]]) -> Confusion:
    """The nearest whole counts of the noised histogram, halves below/above 0.5."""
    counts = np.rint(np.asarray(noisy_counts, dtype=np.float64)).astype(int)
    half = counts.shape[1] // 2
    return (int(counts[0, :half].sum()), int(counts[0, half:].sum()),
            int(counts[1, :half].sum()), int(counts[1, half:].sum()))


def reconstruct_confusion(num_examples: int, values: dict[str, object]) -> Confusion | None:
    """The attacker's best exact guess from one stored metrics row."""
    if "noisy_counts" in values:
        return _from_histogram(values["noisy_counts"])  # type: ignore[arg-type]
    rates = {k: float(v) for k, v in values.items() if isinstance(v, int | float)}
    return _from_rates(num_examples, rates) if num_examples else None


def _stored_metrics(state_dir: Path) -> dict[tuple[str, int], tuple[int, dict[str, object]]]:
    with sqlite3.connect(state_dir / "coordinator.sqlite") as conn:
        rows = conn.execute("SELECT site, round, num_examples, values_json FROM metrics").fetchall()
    return {(site, number): (n, json.loads(text)) for site, number, n, text in rows}


def _exact(metrics: dict[str, object]) -> Confusion:
    (tn, fp), (fn, tp) = metrics["confusion_matrix"]  # type: ignore[misc]
    return int(tn), int(fp), int(fn), int(tp)


@pytest.fixture(scope="module")
def two_round_federation(site_templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """Three sites, two plaintext rounds; site c's policy refuses to report validation."""
    fed = make_federation(tmp_path_factory.mktemp("validation"), site_templates, rounds=2)
    assert main(["--data-dir", str(fed.data_dirs["c"]), "policy", "--report-validation", "no"]) == 0
    assert load_policy(fed.data_dirs["c"]).report_validation is False
    try:
        run_sites(fed)
    finally:
        fed.stop()
    return fed


def test_the_coordinators_metrics_do_not_give_away_a_sites_confusion_matrix(two_round_federation) -> None:
    fed = two_round_federation
    stored = _stored_metrics(fed.root / "state")
    assert stored, "the sites reported validation figures"
    rebuilt = []
    for (site, number), (n, values) in sorted(stored.items()):
        exact = _exact(fed.reports[site].rounds[number - 1].metrics)
        guess = reconstruct_confusion(n, values)
        if guess == exact:
            rebuilt.append(f"{site} round {number}: TN, FP, FN, TP = {exact}")
    assert not rebuilt, "exact confusion matrices rebuilt from the coordinator's store: " + "; ".join(rebuilt)
    for (_site, _number), (n, values) in stored.items():
        assert n == 0 and set(values) == {"noisy_counts"}  # no exact count or rate is stored
        assert not all(float(v).is_integer() for row in values["noisy_counts"] for v in row)


def test_a_site_may_refuse_to_report_and_keeps_its_exact_metrics(two_round_federation) -> None:
    fed = two_round_federation
    assert {site for site, _ in _stored_metrics(fed.root / "state")} == {"a", "b"}
    refused = fed.reports["c"].rounds[-1].metrics
    assert "policy refuses" in str(refused["validation_report"])
    assert refused["count"] >= 1 and len(refused["confusion_matrix"]) == 2  # shown at the site
    assert PrivacyLedger(fed.data_dirs["c"]).entries("validation") == []


def test_the_validation_line_matches_an_independent_accountant(two_round_federation) -> None:
    """Each report is one Gaussian mechanism over the validation patients; the ledger's
    line composes them. Google's dp-accounting must agree (RDP at the same orders) and its
    tighter PLD accountant must not find the ledger under-counting."""
    import dp_accounting
    from dp_accounting.pld import pld_privacy_accountant
    from dp_accounting.rdp import rdp_privacy_accountant

    fed = two_round_federation
    for site in ("a", "b"):
        ledger = PrivacyLedger(fed.data_dirs[site])
        line = ledger.entries("validation")
        assert [e.round for e in line] == [1, 2] and all(e.status == "completed" for e in line)
        assert all(e.sample_rate == 1.0 and e.steps == 1 for e in line)
        assert line[0].noise_multiplier == fed.plan.validation.noise_multiplier
        delta = ledger.reporting_delta()
        event = dp_accounting.SelfComposedDpEvent(
            dp_accounting.GaussianDpEvent(line[0].noise_multiplier), len(line)
        )
        rdp = rdp_privacy_accountant.RdpAccountant(list(RDP_ORDERS)).compose(event)
        pld = pld_privacy_accountant.PLDAccountant().compose(event)
        ours = ledger.epsilon_spent("validation")
        assert ours == pytest.approx(rdp.get_epsilon(delta), rel=1e-3)
        assert ours >= pld.get_epsilon(delta)
        assert ours == pytest.approx(line[-1].epsilon_after)
        # the site's epsilon is the larger of its two disjoint record sets'
        assert ledger.epsilon_spent() == max(ours, ledger.epsilon_spent("training"))
