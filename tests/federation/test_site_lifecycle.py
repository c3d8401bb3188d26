"""Enrolment, the site's policy and restarts, with a real coordinator on loopback."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import SITES, SimulatedCrashError, crash_at, join_sites, make_federation, start_sites

from coordinator import cli as coordinator_cli
from coordinator.client import CoordinatorClient
from coordinator.kits import load_site_kit
from coordinator.round_state import SiteRoundStatus, SiteStep
from siteapp import cli
from siteapp.federation.audit import AuditLog
from siteapp.federation.enrolment import current_enrolment, load_enrolled_kit
from siteapp.federation.errors import KitRefusedError
from siteapp.federation.join_report import Progress
from siteapp.federation.round_polling import wait_for_round
from siteapp.federation.round_records import SiteRounds
from siteapp.privacy.ledger import PrivacyLedger


def _tamper(kit: Path, dest: Path) -> Path:
    """Copy ``kit`` with a raised learning rate in its plan (manifest left as it was)."""
    with zipfile.ZipFile(kit) as src, zipfile.ZipFile(dest, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "plan.json":
                plan = json.loads(data)
                plan["local"]["learning_rate"] = 50.0
                data = json.dumps(plan).encode()
            out.writestr(item, data)
    return dest


def test_enrolment_by_request_refuses_a_tampered_or_foreign_kit_and_accepts_its_own(tmp_path: Path, site_templates, capsys) -> None:
    make_federation(tmp_path / "fed", site_templates, start=False, mode="ckks")
    data_dir = tmp_path / "fresh-site"
    request = tmp_path / "a.csr"
    assert cli.main(["--data-dir", str(data_dir), "request-enrolment", "--site", "a", "--out", str(request)]) == 0
    assert "request fingerprint" in capsys.readouterr().out
    assert (data_dir / "kit").stat().st_mode & 0o077 == 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in (data_dir / "kit").iterdir())
    # The harness enrolled a data folder as site a already: the CA signs a second
    # certificate for the name only after revoking that one, explicitly.
    assert coordinator_cli.main(["sign-request", "--out", str(tmp_path / "fed" / "prov"), str(request)]) == 1
    assert "already holds certificate" in capsys.readouterr().err
    assert coordinator_cli.main(["sign-request", "--out", str(tmp_path / "fed" / "prov"),
                                 "--revoke-previous", str(request)]) == 0
    own_kit = tmp_path / "fed" / "prov" / "sites" / "a.medfed-kit"
    with zipfile.ZipFile(own_kit) as zf:
        assert not any(name.endswith(".key") for name in zf.namelist())  # no private key travels
    tampered = _tamper(own_kit, tmp_path / "a-tampered.medfed-kit")

    assert cli.main(["--data-dir", str(data_dir), "enroll", str(tampered)]) == KitRefusedError.exit_code
    assert "plan.json was modified" in capsys.readouterr().err
    assert current_enrolment(data_dir) is None
    # the kit of the same site name signed for another request (another data folder's key)
    foreign = own_kit.with_name("a.replaced-kit")
    replaced = sorted((tmp_path / "fed" / "prov" / "sites").glob("a.medfed-kit.revoked-*"))
    foreign.write_bytes(replaced[0].read_bytes())
    assert cli.main(["--data-dir", str(data_dir), "enroll", str(foreign)]) == KitRefusedError.exit_code
    assert "not issued for a certificate request made in this data folder" in capsys.readouterr().err

    wrong = "00:" * 31 + "00"
    assert cli.main(["--data-dir", str(data_dir), "enroll", str(own_kit),
                     "--ca-fingerprint", wrong]) == KitRefusedError.exit_code
    assert "fingerprint does not match" in capsys.readouterr().err

    fingerprint = load_site_kit(own_kit).ca_fingerprint
    assert cli.main(["--data-dir", str(data_dir), "enroll", str(own_kit),
                     "--ca-fingerprint", fingerprint, "--json"]) == 0
    enrolled = json.loads(capsys.readouterr().out)
    assert (enrolled["site"], enrolled["mode"]) == ("a", "ckks")
    record, kit = load_enrolled_kit(data_dir)
    assert kit.plan.mode == "ckks" and record.kit_sha256
    assert (data_dir / "kit" / "enrolment.medfed-kit").stat().st_mode & 0o077 == 0
    assert (data_dir / "kit" / "site.key").stat().st_mode & 0o077 == 0

    # another federation's kit cannot replace this one in the same data folder
    other = make_federation(tmp_path / "other", site_templates, start=False, federation="other")
    assert cli.main(["--data-dir", str(data_dir), "enroll", str(other.site_kits["b"])]) != 0
    assert "already takes part" in capsys.readouterr().err
    # a kit edited after import is refused when it is used
    stored = data_dir / "kit" / "enrolment.medfed-kit"
    stored.write_bytes(stored.read_bytes() + b"\0")
    with pytest.raises(KitRefusedError, match="changed since it was imported"):
        load_enrolled_kit(data_dir)


def test_join_refuses_a_plan_beyond_the_privacy_cap_before_training(tmp_path: Path, site_templates, capsys) -> None:
    fed = make_federation(tmp_path, site_templates, mode="none", rounds=5)
    try:
        data_dir = fed.data_dirs["a"]
        PrivacyLedger(data_dir).set_cap(3.0)  # 5 rounds at epsilon 2 each cannot fit
        code = cli.main(["--data-dir", str(data_dir), "join", "--json"])
        assert code == 3
        err = capsys.readouterr().err
        assert "above its cap of 3" in err and "nothing was trained" in err
        assert PrivacyLedger(data_dir).entries() == []
        assert SiteRounds(data_dir, fed.plan.federation).all() == []
        assert not (data_dir / "models").exists() or not any((data_dir / "models").iterdir())
        kinds = {e.kind for e in AuditLog(data_dir).query()}
        assert kinds <= {"poll"}  # it only asked for the round state and the plan
        kit = fed.kit("b")
        with CoordinatorClient(kit, tls_dir=tmp_path / "tls") as client:
            assert client.round_state().submitted == []
    finally:
        fed.stop()


def test_a_site_restarted_mid_round_resumes_without_unrecorded_privacy_spend(tmp_path: Path, site_templates) -> None:
    fed = make_federation(tmp_path, site_templates, mode="ckks", rounds=1)
    try:
        others = start_sites(fed, ("b", "c"))
        ledger = PrivacyLedger(fed.data_dirs["a"])
        records = SiteRounds(fed.data_dirs["a"], fed.plan.federation)

        # 1. killed half-way through training: the cost is recorded, no update exists
        with pytest.raises(SimulatedCrashError):
            fed.runner("a", on_progress=crash_at(SiteStep.TRAINING, after_fraction=0.5)).run()
        assert [e.status for e in ledger.entries()] == ["planned"]
        assert records.get(1).status is SiteRoundStatus.RECORDED
        spent_once = ledger.epsilon_spent()

        # 2. restarted, trains again (a second, recorded cost), killed before uploading
        with pytest.raises(SimulatedCrashError):
            fed.runner("a", on_progress=crash_at(SiteStep.UPLOADING)).run()
        assert [e.status for e in ledger.entries()] == ["cancelled", "planned"]
        assert ledger.epsilon_spent() > spent_once
        assert records.get(1).status is SiteRoundStatus.TRAINED

        # 3. restarted again: uploads the saved update (no training), killed right after
        with pytest.raises(SimulatedCrashError):
            fed.runner("a", on_progress=crash_at(SiteStep.WAITING_FOR_OTHERS)).run()
        assert records.get(1).status is SiteRoundStatus.UPLOADED
        assert len(ledger.entries()) == 2

        # 4. restarted once more: waits for the aggregate, evaluates and reports it
        report = fed.runner("a").run()
        join_sites(others)
        assert not fed.errors, fed.errors
        assert [o.round for o in report.rounds] == [1] and report.rounds[0].resumed
        assert [e.status for e in ledger.entries("training")] == ["cancelled", "completed"]
        # the noised validation report has its own line, recorded once, when it was sent
        assert [e.status for e in ledger.entries("validation")] == ["completed"]
        assert report.epsilon_spent == pytest.approx(ledger.epsilon_spent())
        assert records.get(1).status is SiteRoundStatus.REPORTED
        assert all(fed.reports[s].finished for s in ("b", "c"))
        uploads = AuditLog(fed.data_dirs["a"]).query(kind="upload")
        assert len(uploads) == 1 and uploads[0].status == 200
    finally:
        fed.stop()


def test_join_waits_out_a_coordinator_outage(tmp_path: Path, site_templates) -> None:
    fed = make_federation(tmp_path, site_templates, mode="none", rounds=1, start=False)
    retried = {s: threading.Event() for s in SITES}

    def watch(site: str) -> Callable[[Progress], None]:
        def hook(progress: Progress) -> None:
            if progress.step is SiteStep.WAITING and "retrying" in progress.message:
                retried[site].set()

        return hook

    try:
        # The coordinator is not up yet: start it only once every site has failed to reach it.
        threads = start_sites(fed, SITES, on_progress={s: watch(s) for s in SITES})
        for site, event in retried.items():
            assert event.wait(30), f"{site} never retried an unreachable coordinator"
        fed.start()
        join_sites(threads)
        assert not fed.errors, fed.errors
        assert all(fed.reports[s].finished for s in SITES)
        waited = [e for e in AuditLog(fed.data_dirs["a"]).query() if e.attempts > 1]
        assert waited, "the request that waited out the outage is logged with its attempts"
    finally:
        fed.stop()


def test_leave_without_an_enrolment_says_so(tmp_path, capsys) -> None:
    from siteapp.cli import main

    assert main(["--data-dir", str(tmp_path), "leave", "--yes"]) == 4
    assert "nothing to leave" in capsys.readouterr().err


def test_a_site_goes_on_after_a_round_fails_at_the_coordinator(tmp_path: Path, site_templates) -> None:
    """Round 1 fails (site a is alone at its deadline); a records it as missed, its
    privacy cost counted, and takes part in round 2 with b and c from the initial model
    (a secure round needs three sites)."""
    fed = make_federation(tmp_path, site_templates, mode="ckks", rounds=1, min_sites=3,
                          round_deadline_s=8.0, on_deadline="fail")
    fed.share_ckks_key()  # every site holds the key: the round's deadline starts
    first = start_sites(fed, ("a",), max_rounds=1)
    client = CoordinatorClient(fed.kit("c"), tls_dir=tmp_path / "tls-c")
    try:
        wait_for_round(client.round_state, lambda s: s.number == 2, timeout_s=60, poll_s=0.1)
        second = start_sites(fed, ("b", "c"), max_rounds=1)
        join_sites(first + second, timeout_s=120)
        assert not fed.errors, fed.errors
        assert [r.round for r in fed.reports["a"].rounds] == [2]
        assert [r.round for r in fed.reports["b"].rounds] == [2]
        assert [r.round for r in fed.reports["c"].rounds] == [2]
        rounds = client.status().rounds
        assert [(r.number, r.phase) for r in rounds] == [(1, "failed"), (2, "published")]
    finally:
        client.close()
        fed.stop()
    records = {r.round: r for r in SiteRounds(fed.data_dirs["a"], fed.plan.federation).all()}
    assert records[1].status is SiteRoundStatus.MISSED and "failed at the coordinator" in (records[1].note or "")
    training = [e for e in PrivacyLedger(fed.data_dirs["a"]).entries() if e.record_set == "training"]
    assert [e.round for e in training] == [1, 2]  # round 1's cost stays counted
