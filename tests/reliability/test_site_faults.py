"""A site process killed with SIGKILL during training, encryption or upload, then restarted.

The site resumes (or retrains) and the round completes; its privacy ledger never shows
less than it spent: every training attempt that started has a ledger entry, written
before the first DP step, and a killed attempt's entry stays counted. The coordinator
keeps no half-written blob of the killed upload. Each case trains three sites for real
in two processes (40-70 s on two shared cores), so they run in ``make test-long``; the
regular suite has the in-process variant (tests/federation/test_site_lifecycle.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import REPO, join_sites, make_federation, start_sites
from reliability_support import HERE
from site_launcher import FLAG, PAUSE_AT

from siteapp.privacy.ledger import PrivacyLedger

SITE_RUN_TIMEOUT_S = 180.0


def _launch(data_dir: Path, log: Path, pause_at: str | None, flag: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, FLAG: str(flag)}
    env.pop(PAUSE_AT, None)
    if pause_at:
        env[PAUSE_AT] = pause_at
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, str(HERE / "site_launcher.py"), str(data_dir)],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def _training_attempts(log: Path) -> int:
    """Training attempts that started (their first progress event), over every run."""
    return sum(1 for line in log.read_text().splitlines() if line.startswith("training|1|0.0"))


@pytest.mark.long
@pytest.mark.parametrize("stage", ["training", "encrypting", "uploading"])
def test_a_site_killed_mid_round_rejoins_and_its_ledger_covers_every_attempt(
    tmp_path: Path, site_templates: dict[str, Path], stage: str
) -> None:
    fed = make_federation(tmp_path, site_templates, mode="ckks", rounds=1, min_sites=3)
    log, flag = tmp_path / "site-a.log", tmp_path / "site-a.paused"
    try:
        others = start_sites(fed, ("b", "c"))
        site = _launch(fed.data_dirs["a"], log, stage, flag)
        end = time.monotonic() + SITE_RUN_TIMEOUT_S
        while not flag.exists():
            assert site.poll() is None, log.read_text()
            assert time.monotonic() < end, "site a never reached the fault point"
            time.sleep(0.05)
        site.send_signal(signal.SIGKILL)
        site.wait(10)

        ledger = PrivacyLedger(fed.data_dirs["a"])
        after_kill = ledger.entries()
        assert len(after_kill) == _training_attempts(log) == 1
        assert ledger.epsilon_spent() >= after_kill[-1].epsilon_after > 0

        site = _launch(fed.data_dirs["a"], log, None, flag)
        assert site.wait(SITE_RUN_TIMEOUT_S) == 0, log.read_text()
        join_sites(others)
        assert not fed.errors, fed.errors

        entries = ledger.entries()
        attempts = _training_attempts(log)
        assert attempts == (2 if stage == "training" else 1)
        assert len(entries) == attempts
        assert ledger.epsilon_spent() >= max(e.epsilon_after for e in entries) - 1e-9
        assert all(e.status in ("completed", "cancelled") for e in entries)
        assert "done|1|" in log.read_text()

        from coordinator.client import CoordinatorClient

        with CoordinatorClient(fed.kit("b"), tls_dir=tmp_path / "tls-check") as client:
            status = client.status()
        assert status.rounds[0].phase == "published"
        assert sorted(status.rounds[0].submitted) == ["a", "b", "c"]
        assert not list((fed.root / "state").rglob(".incoming-*"))
    finally:
        fed.stop()
