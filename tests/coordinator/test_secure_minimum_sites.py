"""Secure aggregation hides one site's update only among at least three: with two, the
aggregate minus a site's own update is the other site's update."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from coordinator import cli
from coordinator.protocol import FederationPlan

UPDATE_LENGTH = 130  # what an encrypted update holds: every secure plan states it


@pytest.mark.parametrize("mode", ["ckks", "masking"])
def test_a_secure_plan_with_two_sites_is_refused_with_the_reason(mode: str) -> None:
    with pytest.raises(ValidationError, match="needs min_sites of at least 3"):
        FederationPlan(federation="f", sites=["a", "b"], mode=mode, min_sites=2,
                       update_length=UPDATE_LENGTH)
    with pytest.raises(ValidationError, match="needs min_sites of at least 3"):
        FederationPlan(federation="f", sites=["a", "b", "c", "d"], mode=mode, min_sites=2,
                       update_length=UPDATE_LENGTH)
    assert FederationPlan(federation="f", sites=["a", "b", "c"], mode=mode, min_sites=3,
                          update_length=UPDATE_LENGTH)


def test_two_sites_may_federate_over_tls_only() -> None:
    assert FederationPlan(federation="f", sites=["a", "b"], mode="none", min_sites=2)


@pytest.mark.parametrize("mode", ["ckks", "masking"])
def test_provisioning_two_secure_sites_says_why_it_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    code = cli.main(["provision", "--federation", "f", "--sites", "a,b", "--mode", mode,
                     "--update-length", str(UPDATE_LENGTH), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "needs min_sites of at least 3" in err and "--mode none" in err
    assert not (tmp_path / "out").exists()
    # Three sites get min_sites 3 by default and are provisioned.
    assert cli.main(["provision", "--federation", "f", "--sites", "a,b,c", "--mode", mode,
                     "--update-length", str(UPDATE_LENGTH), "--out", str(tmp_path / "ok")]) == 0
