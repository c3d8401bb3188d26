"""The site's policy checks and the audit log, without a coordinator (fast)."""

from __future__ import annotations

import csv
import functools
import time
from pathlib import Path

import numpy as np
import pytest

from coordinator.client import RequestRecord
from coordinator.protocol import FederationPlan
from coordinator.words import say
from siteapp.federation.audit import AuditLog, group_polls, request_kind
from siteapp.federation.enrolment import Enrolment
from siteapp.federation.errors import PlanRefusedError
from siteapp.federation.policy import (
    SitePolicy,
    check_plan,
    check_privacy,
    load_policy,
    save_policy,
)
from siteapp.federation.update_encoding import clip_update
from siteapp.privacy.ledger import PrivacyLedger

ENROLMENT = Enrolment("fed", "a", "https://127.0.0.1:1", "ckks", "lung-ct-nodule", "compact_cnn",
                      "AA", "00", "2030-01-01", "2026-01-01")


@functools.cache
def _update_length() -> int:
    from siteapp.training.initial_model import plan_update_length

    return plan_update_length("lung-ct-nodule", "compact_cnn")


def _plan(**fields: object) -> FederationPlan:
    base: dict[str, object] = {"federation": "fed", "sites": ["a", "b", "c"], "mode": "ckks",
                               "min_sites": 3, "update_length": _update_length()}
    base.update(fields)
    return FederationPlan.model_validate(base)


def test_the_enrolled_plan_passes() -> None:
    check_plan(_plan(), SitePolicy(), ENROLMENT)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"task": "mammo-mass"}, "task changed"),
        ({"model": "resnet_small"}, "model changed"),
        ({"mode": "none"}, "secure mode changed"),
        ({"sites": ["b", "c", "d"]}, "no longer lists this site"),
        ({"local": {"learning_rate": 5.0}}, "learning rate 5"),
        ({"local": {"epochs_per_round": 50}}, "50 epochs per round"),
        ({"rounds": 3, "generator": {"rounds": 1, "learning_rate": 5.0}}, "the generator's learning rate 5"),
        ({"rounds": 3, "generator": {"rounds": 1, "batch_size": 5000}}, "the generator's batch size 5000"),
    ],
)
def test_a_plan_changed_mid_federation_or_beyond_policy_is_refused(fields: dict[str, object], reason: str) -> None:
    with pytest.raises(PlanRefusedError, match=reason):
        check_plan(_plan(**fields), SitePolicy(), ENROLMENT)


def test_the_policy_persists_and_can_forbid_a_model(tmp_path: Path) -> None:
    assert load_policy(tmp_path) == SitePolicy()
    save_policy(tmp_path, SitePolicy(allowed_models=("resnet_small",)))
    with pytest.raises(PlanRefusedError, match="not allowed here"):
        check_plan(_plan(), load_policy(tmp_path), ENROLMENT)


def test_privacy_check_counts_every_remaining_round(tmp_path: Path) -> None:
    ledger = PrivacyLedger(tmp_path)
    ledger.set_cap(6.0)  # one such round costs 4.17 at the default delta of 1e-5
    one_round = check_privacy(ledger, 1.5, 0.5, 4, 40, rounds_left=1)
    assert 0 < one_round < 6.0
    with pytest.raises(PlanRefusedError, match="above its cap of 6"):
        check_privacy(ledger, 1.5, 0.5, 4, 40, rounds_left=20)
    assert ledger.entries() == []


def test_client_level_clipping_bounds_the_update_norm() -> None:
    vector = np.full(100, 0.5, dtype=np.float32)  # norm 5
    clipped, norm = clip_update(vector, 2.0)
    assert norm == pytest.approx(5.0) and np.linalg.norm(clipped) == pytest.approx(2.0, rel=1e-6)
    same, _ = clip_update(vector, None)
    assert same is vector


def test_the_audit_log_filters_and_exports(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.record(RequestRecord("/v1/round", "GET", 200, 0, None, None, 1))
    before_upload = time.time()
    log.record(RequestRecord("/v1/rounds/1/update", "PUT", 200, 1234, "ab" * 32, say("masked model update"), 1))
    log.record(RequestRecord("/v1/rounds/1/masking/share", "POST", 204, 99, "cd" * 32, None, 2))
    log.record(RequestRecord("/v1/rounds/1/metrics", "POST", None, 50, "ef" * 32, say("metrics"), 3))

    assert [e.kind for e in log.query()] == ["poll", "upload", "masking", "metrics"]
    assert [e.bytes_sent for e in log.query(kind="upload")] == [1234]
    assert len(log.query(since=before_upload)) == 3
    assert log.query(limit=1)[0].endpoint == "/v1/rounds/1/metrics"
    assert log.bytes_sent() == 1234 + 99 + 50
    assert log.query()[0].carried.startswith("nothing")
    with pytest.raises(ValueError, match="kind must be one of"):
        log.query(kind="secret")

    count = log.export_csv(tmp_path / "audit.csv", kind="upload")
    rows = list(csv.DictReader((tmp_path / "audit.csv").open()))
    assert count == 1 and rows[0]["body_sha256"] == "ab" * 32 and rows[0]["carried"] == "masked model update"


def test_polls_group_into_one_line_and_data_requests_stay_apart(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    for _ in range(40):
        log.record(RequestRecord("/v1/round", "GET", 200, 0, None, None, 1))
    log.record(RequestRecord("/v1/rounds/1/update", "PUT", 200, 1234, "ab" * 32, say("update"), 1))
    for _ in range(3):
        log.record(RequestRecord("/v1/round", "GET", 200, 0, None, None, 1))
    lines = group_polls(log.query())
    assert [line.count for line in lines] == [40, 1, 3]
    assert lines[1].first.kind == "upload" and lines[1].bytes_sent == 1234
    assert sum(line.count for line in lines) == 44  # every request still counted
    carried = log.query(carried_data=True)
    assert [e.kind for e in carried] == ["upload"]


def test_request_kinds() -> None:
    assert request_kind("GET", "/v1/rounds/3/result") == "download"
    assert request_kind("GET", "/v1/initial-model") == "download"
    assert request_kind("PUT", "/v1/initial-model") == "upload"
    assert request_kind("GET", "/v1/rounds/3/masking/share") == "poll"
    assert request_kind("PUT", "/v1/ckks/key/request") == "keys"
    assert request_kind("PUT", "/v1/ckks/key/2/sealed/b") == "keys"
    assert request_kind("GET", "/v1/ckks/key") == "poll"


def test_a_plan_made_for_other_frozen_weights_is_refused(
    site_templates: dict[str, Path], tmp_path: Path
) -> None:
    """Sites of different app versions would train heads on different features."""
    import shutil

    from siteapp.federation.run_options import RunnerOptions
    from siteapp.federation.site_training import SiteTraining
    from siteapp.training.initial_model import initial_model
    from siteapp.training.weights import frozen_state_digest

    data_dir = tmp_path / "a"
    shutil.copytree(site_templates["a"], data_dir)
    options = RunnerOptions(device="cpu")
    with pytest.raises(PlanRefusedError, match="different pretrained weights"):
        SiteTraining(data_dir, _plan(frozen_weights_sha256="0" * 64), options, "a")
    with pytest.raises(PlanRefusedError, match="expects updates of 7 values"):
        SiteTraining(data_dir, _plan(update_length=7), options, "a")
    plan = _plan()
    ours = frozen_state_digest(initial_model(plan.task, plan.model, plan.init_seed))
    assert SiteTraining(data_dir, _plan(frozen_weights_sha256=ours), options, "a").records > 0
    assert SiteTraining(data_dir, plan, options, "a").records > 0  # no digest in the plan: not checked


def test_sites_given_the_same_insecure_fixed_dp_seed_draw_their_own_noise(
    site_templates: dict[str, Path], tmp_path: Path
) -> None:
    """The demo seeds every site alike; shared noise would not average out in FedAvg."""
    import shutil
    import threading

    from siteapp.federation.run_options import RunnerOptions
    from siteapp.federation.site_training import SiteTraining

    data_dir = tmp_path / "a"
    shutil.copytree(site_templates["a"], data_dir)
    options = RunnerOptions(device="cpu", insecure_fixed_dp_seed=3)

    def update(site: str) -> np.ndarray:
        side = SiteTraining(data_dir, _plan(), options, site)
        rate, steps = side.sampling()
        return side.train(side.initial_weights(), 1, 2.0, rate, steps,
                          lambda *_: None, threading.Event())

    first = update("a")
    np.testing.assert_array_equal(first, update("a"))  # still reproducible per site
    assert not np.allclose(first, update("b"))


def test_the_audit_log_keeps_what_was_carried_in_english_and_as_words(tmp_path: Path) -> None:
    """New entries keep the English sentence (table, CSV, CLI) and its words for the GUI's
    language; an entry recorded before the words were kept still reads in English."""
    from siteapp.federation.store import COMPONENT, MIGRATIONS
    from siteapp.store import apply_migrations, open_site_db

    conn = open_site_db(tmp_path)  # a site's log as the version before kept it
    with conn:
        apply_migrations(conn, COMPONENT, MIGRATIONS[:1])
        conn.execute(
            "INSERT INTO federation_audit(at, method, endpoint, kind, status, bytes_sent,"
            " body_sha256, carried, attempts) VALUES (1.0, 'PUT', '/v1/rounds/1/update',"
            " 'upload', 200, 10, NULL, 'masked model update (10 quantised values)', 1)")
    conn.close()
    log = AuditLog(tmp_path)
    words = say("plaintext model update ({size} float32 values) and the number of training "
                "patients", size=1234)
    log.record(RequestRecord("/v1/rounds/2/update", "PUT", 200, 99, "ab" * 32, words, 1))

    old, new = log.query()
    assert old.carried == "masked model update (10 quantised values)" and old.carried_words is None
    assert new.carried == str(words) and "1234 float32" in new.carried
    assert new.carried_words == words
    log.export_csv(tmp_path / "audit.csv")
    rows = list(csv.DictReader((tmp_path / "audit.csv").open()))
    assert [row["carried"] for row in rows] == [old.carried, new.carried]
