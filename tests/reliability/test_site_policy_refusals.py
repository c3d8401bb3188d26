"""A coordinator that asks a site for what its policy forbids is refused before training.

The operator rewrites the served plan and restarts the coordinator (a plan changed
mid-federation, or a hostile coordinator): the site's real runner pulls it over mutual
TLS and refuses with the reason, and nothing is recorded in the privacy ledger, no update
is trained and nothing is uploaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from harness import LOCAL, make_federation

from siteapp.errors import UserFacingError
from siteapp.federation.audit import AuditLog
from siteapp.federation.errors import PlanRefusedError
from siteapp.privacy.ledger import PrivacyLedger

SITE_CAP_EPSILON = 3.0
# One restart per plan (each costs seconds): the policy check lists every problem at once,
# the privacy cap is checked on its own.
HOSTILE_PLANS: list[tuple[dict[str, Any], list[str]]] = [
    (
        {"model": "resnet_9000", "task": "mammo-mass",
         "local": {**LOCAL, "learning_rate": 1e6, "epochs_per_round": 10_000, "batch_size": 1_000_000}},
        ["the model changed from 'compact_cnn' (enrolment kit) to 'resnet_9000'",
         "the task changed from 'lung-ct-nodule'", "learning rate 1e+06 is above",
         "10000 epochs per round is above", "batch size 1000000 is above", "Nothing was trained"],
    ),
    (
        {"local": {**LOCAL, "target_epsilon_per_round": 2.0}, "rounds": 5},
        ["above its cap of 3", "nothing was trained"],
    ),
]


def test_hostile_plans_are_refused_before_any_training(tmp_path: Path, site_templates: dict[str, Path]) -> None:
    fed = make_federation(tmp_path, site_templates, mode="none", rounds=1, start=False)
    data_dir = fed.data_dirs["a"]
    ledger = PrivacyLedger(data_dir)
    ledger.set_cap(SITE_CAP_EPSILON)
    plan_file = fed.kit_dir / "plan.json"
    enrolled = json.loads(plan_file.read_text())
    try:
        for changes, reasons in HOSTILE_PLANS:
            plan_file.write_text(json.dumps({**enrolled, **changes}))
            fed.start()
            try:
                with pytest.raises(PlanRefusedError) as refused:
                    fed.runner("a").run()
            finally:
                fed.stop()
            for reason in reasons:
                assert reason in str(refused.value), (reason, str(refused.value))
            assert ledger.entries() == [], changes
            assert not list((data_dir / "federation").rglob("*.update.npy")), changes
            assert AuditLog(data_dir).query(kind="upload") == [], changes
    finally:
        fed.stop()


def test_a_federation_on_an_unknown_model_is_refused_before_any_training(
    tmp_path: Path, site_templates: dict[str, Path]
) -> None:
    """Even when the enrolment kit itself names it: no model, no training, no ledger entry."""
    fed = make_federation(tmp_path, site_templates, mode="none", rounds=1, model="resnet_9000")
    data_dir = fed.data_dirs["a"]
    try:
        with pytest.raises(UserFacingError, match="unknown model 'resnet_9000'"):
            fed.runner("a").run()
    finally:
        fed.stop()
    assert PrivacyLedger(data_dir).entries() == []
    assert AuditLog(data_dir).query(kind="upload") == []
