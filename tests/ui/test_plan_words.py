"""The plan in words says how a masked median round runs and what it reveals."""

from __future__ import annotations

from coordinator.protocol import FederationPlan
from siteapp.ui.federation_view import secure_median_sentence, strategy_sentence, what_leaves


def _plan(strategy: str, mode: str = "masking") -> FederationPlan:
    return FederationPlan.model_validate({
        "federation": "f", "sites": ["a", "b", "c", "d"], "strategy": strategy, "mode": mode,
        "update_length": 10, "masking": {"probes": 16},
    })


def test_a_masked_median_plan_describes_its_probes_and_what_they_reveal() -> None:
    sentence = secure_median_sentence(_plan("fedmedian"))
    assert sentence is not None
    assert "16 questions" in sentence and "count of sites answering yes" in sentence
    assert "never one site's value" in sentence and "limits its update" not in sentence
    update = what_leaves(_plan("fedmedian"))[0]
    assert "16 masked answers per number" in update and "update itself" not in update


def test_a_winsorised_mean_plan_adds_the_clipped_masked_sum() -> None:
    plan = _plan("winsorised_mean")
    sentence = secure_median_sentence(plan)
    assert sentence is not None and "limits its update to the range" in sentence
    assert "update itself, limited to that range and masked" in what_leaves(plan)[0]
    assert strategy_sentence("winsorised_mean").startswith("Winsorised mean")


def test_other_plans_have_no_secure_median_line() -> None:
    assert secure_median_sentence(_plan("fedavg")) is None
    assert secure_median_sentence(_plan("fedmedian", mode="none")) is None
