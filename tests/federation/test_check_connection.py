"""``medfed-site check-connection``: the same check as the Federation page's button,
against a real coordinator on loopback (answering, then stopped)."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import make_federation

from siteapp.cli import main
from siteapp.federation.audit import AuditLog


def test_check_connection_names_the_round_then_says_why_it_cannot_connect(
    tmp_path: Path, site_templates: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    fed = make_federation(tmp_path, site_templates, mode="none", rounds=1)
    data_dir = fed.data_dirs["a"]
    try:
        assert main(["--data-dir", str(data_dir), "check-connection"]) == 0
        out = capsys.readouterr().out
        assert f"connected to https://127.0.0.1:{fed.port}: round 1 is open; 0 site(s)" in out, out
    finally:
        fed.stop()
    assert [e.kind for e in AuditLog(data_dir).query()] == ["poll"]  # the check was audited

    assert main(["--data-dir", str(data_dir), "check-connection"]) == 1
    err = capsys.readouterr().err
    assert "connection refused" in err and "not running" in err, err
    assert "Traceback" not in err
