"""The operator's status page over mutual TLS: what it shows, and who cannot open it."""

from __future__ import annotations

import pytest
from coordinator_loopback import Federation
from operator_scenario import federation_with_history, get_status_page, operator_files

from coordinator.client import RequestRefusedError


def test_the_operator_sees_plan_rounds_sites_failures_and_revocations(make_federation) -> None:
    fed = federation_with_history(make_federation)
    cert, key, ca = operator_files(fed)
    page = get_status_page(fed, (cert, key), ca)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Federation test" in html
    assert "3 enrolled (a, b, c); each round needs at least 2" in html  # the plan in words
    assert "ended: round 3 failed" in html
    assert html.count('class="phase published"') == 2 and html.count('class="phase failed"') == 1
    assert "Round 3 failed: only 1 of the 2 required sites took part" in html
    assert "Site c expelled on" in html and "revoked 20" in html
    # Per site: uploads, bytes and the figures read from the noised histogram each reported.
    assert "round 1 (DP-noised): auc 0.969" in html and "round 1 (DP-noised): auc 0.750" in html
    assert "patients):" not in html  # no exact validation count is shown, none is stored
    rows = {line.split("</td>")[0].split("<td>")[-1]: line for line in html.split("<tr>") if "ago (" in line}
    assert set(rows) >= {"a", "b"}
    assert "<td>3</td>" in rows["a"] and "<td>2</td>" in rows["b"]
    assert "never" not in rows["a"]


def test_a_site_certificate_cannot_open_the_status_page(make_federation, tmp_path) -> None:
    fed: Federation = make_federation()
    _cert, _key, ca = operator_files(fed)
    _site_ca, site_cert, site_key = fed.kit("a").write_tls_files(tmp_path / "tls-a")
    page = get_status_page(fed, (site_cert, site_key), ca)
    assert page.status_code == 403
    assert "opens only with the federation operator" in page.text
    assert "Federation test" not in page.text


def test_the_operator_certificate_cannot_act_as_a_site(make_federation) -> None:
    from coordinator.client import ConnectionParams

    fed: Federation = make_federation()
    cert, key, ca = operator_files(fed)
    client = fed.client_with(ConnectionParams(f"https://127.0.0.1:{fed.port}", ca, cert, key))
    with pytest.raises(RequestRefusedError, match="cannot act as a site") as refused:
        client.round_state()
    assert refused.value.status == 403
