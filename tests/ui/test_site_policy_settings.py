"""Settings > Site policy: what the privacy officer sets there is what ``medfed-site
policy`` shows and what the next plan is checked against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coordinator.protocol import FederationPlan
from siteapp.cli import main
from siteapp.federation.enrolment import Enrolment
from siteapp.federation.errors import PlanRefusedError
from siteapp.federation.policy import SitePolicy, check_plan, load_policy

from .helpers import wait_idle

ENROLMENT = Enrolment("fed", "a", "https://127.0.0.1:1", "none", "lung-ct-nodule", "compact_cnn",
                      "AA", "00", "2030-01-01", "2026-01-01")


def _plan_asking(learning_rate: float) -> FederationPlan:
    return FederationPlan.model_validate({
        "federation": "fed", "sites": ["a", "b"], "min_sites": 2,
        "local": {"learning_rate": learning_rate},
    })


def test_the_privacy_officer_sets_the_site_policy_in_settings(
    qtbot, make_window, site_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window = make_window(site_dir)
    page = window.show_page("settings")
    wait_idle(qtbot)
    section = page.site_policy
    assert page.notice.isHidden(), page.notice.label.text()
    assert section.report_validation.isChecked()
    assert section.max_learning_rate.value() == SitePolicy().max_learning_rate
    check_plan(_plan_asking(0.5), load_policy(site_dir), ENROLMENT)

    section.report_validation.setChecked(False)
    section.max_learning_rate.setValue(0.1)
    section.max_epochs_per_round.setValue(3)
    assert section.save() is True
    assert "Site policy saved" in page.notice.label.text()

    stored = load_policy(site_dir)
    assert (stored.report_validation, stored.max_learning_rate, stored.max_epochs_per_round) == (
        False, 0.1, 3)
    with pytest.raises(PlanRefusedError, match=r"learning rate 0\.5 is above the site's limit 0\.1"):
        check_plan(_plan_asking(0.5), stored, ENROLMENT)

    assert main(["--data-dir", str(site_dir), "policy"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["report_validation"] is False and shown["max_learning_rate"] == 0.1

    # the CLI changes the same policy; the page shows it when it is read again
    assert main(["--data-dir", str(site_dir), "policy", "--max-batch-size", "64"]) == 0
    section.refresh()
    assert section.max_batch_size.value() == 64 and not section.report_validation.isChecked()
    assert main(["--data-dir", str(site_dir), "policy", "--max-batch-size", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
    wait_idle(qtbot)
