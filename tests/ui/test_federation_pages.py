"""Federation and Audit pages against a real coordinator on loopback (HTTPS, mutual TLS).

Site "a" is driven from the GUI (kit import, Join) while site "b" runs the same
RoundRunner in a thread, so the CKKS round reaches the two sites it needs. The GUI must
show the plan, the timeline up to "aggregated", epsilon and AUC from the real round, and
every request in the audit log.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import wait_idle, wait_worker

pytest.importorskip("tenseal")
from harness import FAST, LoopbackFederation, join_sites, make_federation, start_sites

from coordinator.round_state import SiteStep
from siteapp.dicom.importer import import_paths
from siteapp.dicom.labels import import_labels

GUI_SITE, OTHER_SITES = "a", ("b", "c")
ROUND_TIMEOUT_MS = 240_000


@pytest.fixture
def ckks_federation(tmp_path: Path, phantom_root: Path) -> Iterator[LoopbackFederation]:
    templates = {}
    # Three sites (a secure sum needs three): the round closes once all have uploaded.
    for index, site in enumerate((GUI_SITE, *OTHER_SITES), start=1):
        source = phantom_root / f"site-{index}"
        templates[site] = tmp_path / "templates" / site
        import_paths(templates[site], [source])
        import_labels(templates[site], source / "labels.csv", "lung-ct-nodule")
    fed = make_federation(tmp_path / "fed", templates, mode="ckks", rounds=1, min_sites=3,
                          sites=[GUI_SITE, *OTHER_SITES])
    yield fed
    fed.stop()


def test_join_a_ckks_round_then_read_privacy_quality_and_audit(
    qtbot, make_window, ckks_federation: LoopbackFederation, tmp_path: Path
) -> None:
    fed = ckks_federation
    data_dir = fed.data_dirs[GUI_SITE]
    window = make_window(data_dir)
    window.session.preferences.device = "cpu"
    page = window.show_page("federation")
    wait_idle(qtbot)

    tampered = tmp_path / "tampered.medfed-kit"
    with zipfile.ZipFile(fed.site_kits[GUI_SITE]) as original, zipfile.ZipFile(tampered, "w") as copy:
        for member in original.infolist():  # the plan edited after the operator signed it
            data = original.read(member)
            copy.writestr(member, data.replace(b'"rounds": 1', b'"rounds": 9') if member.filename == "plan.json" else data)
    assert not page.enroll_kit(tampered)
    assert "refused" in page.notice.label.text()
    # Request enrolment from the page (a new key of the site's own), the operator signs it
    assert page.request_enrolment(GUI_SITE, tmp_path / "gui.csr")
    assert "fingerprint" in page.notice.label.text()
    from coordinator.provisioning import sign_site_request

    # a new certificate for a site name: the CA revokes the old one first, explicitly
    signed = sign_site_request(fed.root / "prov", (tmp_path / "gui.csr").read_bytes(), revoke_previous=True)
    assert page.enroll_kit(signed.path)
    plan_text = " ".join(page.plan_form.itemAt(i).widget().text()
                         for i in range(page.plan_form.count()) if page.plan_form.itemAt(i).widget())
    assert "Encrypted (CKKS)" in plan_text and "No image, label or patient record" in plan_text
    # every field the site sends, with its protection
    for field in ("The model update", "number of training patients", "Validation figures",
                  "random noise", "Not covered by ε"):
        assert field in plan_text, field

    worker = page.check_connection()
    wait_worker(qtbot, worker, 60_000)
    assert page.connection_label.text().startswith("Connected"), page.connection_label.text()

    steps: list[SiteStep] = []
    worker = page.join(max_rounds=1, runner_options=FAST)
    assert worker is not None and not page.join_button.isEnabled()
    worker.signals.yielded.connect(lambda p: steps.append(p.step))
    others = start_sites(fed, OTHER_SITES, max_rounds=1)
    wait_worker(qtbot, worker, ROUND_TIMEOUT_MS)
    join_sites(others, timeout_s=120)
    assert worker.error is None, worker.error
    assert not fed.errors, fed.errors
    assert {SiteStep.TRAINING, SiteStep.ENCRYPTING, SiteStep.UPLOADING, SiteStep.AGGREGATED} <= set(steps)
    assert page.timeline.state_of(SiteStep.AGGREGATED) == "done"
    assert page.rounds_table.rowCount() == 1
    outcome = page.report.rounds[0]
    assert outcome.mode == "ckks"
    wait_idle(qtbot)

    privacy = window.show_page("privacy")
    wait_idle(qtbot)
    assert privacy.picture.spent == pytest.approx(page.report.epsilon_spent)
    assert privacy.picture.spent > 0

    quality = window.show_page("quality")
    wait_idle(qtbot)
    auc = outcome.metrics.get("auc")
    if auc is not None:
        assert quality.picture.federated["auc"].values[-1] == pytest.approx(auc)

    audit = window.show_page("audit")
    wait_idle(qtbot)
    uploads = [e for e in audit.entries if e.kind == "upload"]
    assert uploads and all(e.body_sha256 and e.bytes_sent > 0 for e in uploads)
    assert sum(e.bytes_sent for e in audit.entries) >= outcome.upload_bytes
    audit.kind_combo.setCurrentIndex(audit.kind_combo.findData("upload"))
    assert all(e.kind == "upload" for e in audit.entries)
    out = tmp_path / "audit.csv"
    assert audit.export_csv(out) == len(audit.entries)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["body_sha256"] for r in rows} == {e.body_sha256 for e in uploads}


@pytest.fixture
def offline_federation(tmp_path: Path, phantom_root: Path) -> Iterator[LoopbackFederation]:
    """An enrolled site whose coordinator is not running (yet)."""
    templates = {site: tmp_path / "templates" / site for site in (GUI_SITE, *OTHER_SITES)}
    for index, site in enumerate((GUI_SITE, *OTHER_SITES), start=1):
        source = phantom_root / f"site-{index}"
        import_paths(templates[site], [source])
        import_labels(templates[site], source / "labels.csv", "lung-ct-nodule")
    fed = make_federation(tmp_path / "fed", templates, start=False, mode="ckks", rounds=1,
                          min_sites=3, sites=[GUI_SITE, *OTHER_SITES])
    yield fed
    fed.stop()


def test_pause_while_the_coordinator_is_down_stops_cleanly(
    qtbot, make_window, offline_federation: LoopbackFederation
) -> None:
    window = make_window(offline_federation.data_dirs[GUI_SITE])
    window.session.preferences.device = "cpu"
    page = window.show_page("federation")
    wait_idle(qtbot)
    worker = page.join()
    assert worker is not None
    assert page.pause_button.isEnabled() and not page.join_button.isEnabled()
    # Pause only once the run is really waiting out the outage (its client retrying).
    qtbot.waitUntil(lambda: "retrying" in page.round_label.text(), timeout=60_000)
    page.pause()
    wait_worker(qtbot, worker, 60_000)
    assert worker.error is None, worker.error
    assert page.report is not None and page.report.stopped
    assert "Paused" in page.notice.label.text()
    assert page.join_button.isEnabled() and not page.pause_button.isEnabled()


def test_a_stopped_or_impostor_coordinator_is_said_in_words_at_once(
    qtbot, make_window, ckks_federation: LoopbackFederation, tmp_path: Path
) -> None:
    import time

    from tests.coordinator.impostor_tls import impostor_tls_server

    fed = ckks_federation
    window = make_window(fed.data_dirs[GUI_SITE])
    page = window.show_page("federation")
    wait_idle(qtbot)
    assert page.enroll_kit(fed.site_kits[GUI_SITE])
    fed.stop()

    worker = page.check_connection()
    wait_worker(qtbot, worker, 120_000)
    text = page.connection_label.text()
    assert "connection refused" in text and "not running" in text, text
    assert "unexpected" not in text.lower()

    with impostor_tls_server(fed.port, tmp_path / "impostor"):
        started = time.monotonic()
        worker = page.check_connection()
        wait_worker(qtbot, worker, 60_000)
        elapsed = time.monotonic() - started
    text = page.connection_label.text()
    assert "could not prove it is this federation's coordinator" in text, text
    assert elapsed < 20, f"a certificate refusal was retried for {elapsed:.0f} s"

    phases = []
    worker = page.join(max_rounds=1, runner_options=FAST)
    assert worker is not None
    worker.signals.yielded.connect(phases.append)
    qtbot.waitUntil(lambda: any(not p.reachable for p in phases), timeout=60_000)
    assert page.connection_label.text().startswith("Connection: no answer now"), page.connection_label.text()
    page.pause()
    wait_worker(qtbot, worker, 60_000)


def test_leave_keeps_the_ledger_and_lets_another_kit_in(
    qtbot, make_window, ckks_federation: LoopbackFederation, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from coordinator.protocol import FederationPlan
    from coordinator.provisioning import provision, sign_site_request
    from siteapp.dicom.index import StudyIndex
    from siteapp.federation.enrolment import current_enrolment, kit_path
    from siteapp.federation.site_keys import request_enrolment
    from siteapp.privacy.ledger import PrivacyLedger

    fed = ckks_federation
    data_dir = fed.data_dirs[GUI_SITE]
    ledger = PrivacyLedger(data_dir)
    ledger.record_planned_round(1, 1.1, 0.1, 30, 100, context="federation:loopback")
    spent = ledger.epsilon_spent()
    patients = len(StudyIndex(data_dir).patients())
    # The operator of another federation signs this site's request: a kit this folder refused.
    other = FederationPlan.model_validate({"federation": "other", "sites": ["a", "b", "c"],
                                           "min_sites": 3, "rounds": 1})
    provision(other, tmp_path / "other-prov", "https://127.0.0.1:9")
    other_kit = sign_site_request(tmp_path / "other-prov", request_enrolment(data_dir, GUI_SITE)).path

    window = make_window(data_dir)
    page = window.show_page("federation")
    wait_idle(qtbot)
    assert not page.enroll_kit(other_kit)
    assert "already takes part in federation" in page.notice.label.text()

    page.ask_to_leave_federation()
    qtbot.waitUntil(lambda: page.leave_box is not None, timeout=5_000)
    assert "privacy ledger stay" in page.leave_box.text()
    next(b for b in page.leave_box.buttons()
         if page.leave_box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole).click()
    qtbot.waitUntil(lambda: current_enrolment(data_dir) is None, timeout=5_000)
    assert not kit_path(data_dir).exists()
    assert PrivacyLedger(data_dir).epsilon_spent() == pytest.approx(spent)
    assert len(StudyIndex(data_dir).patients()) == patients
    assert "not enrolled" in page.enrolment_label.text()

    assert page.enroll_kit(other_kit), page.notice.label.text()
    enrolment = current_enrolment(data_dir)
    assert enrolment is not None and enrolment.federation == "other"
    assert PrivacyLedger(data_dir).epsilon_spent() == pytest.approx(spent)
