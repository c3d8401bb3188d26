"""The operator's status page over mutual TLS: what it shows, and who cannot open it."""

from __future__ import annotations

import threading
from types import TracebackType

import numpy as np
import pytest
from coordinator_loopback import Federation, sum_waiter
from operator_scenario import (
    federation_with_history,
    get_status_page,
    operator_files,
    status_page_showing,
)
from statistics_sites import StatisticsSites

from coordinator import cli
from coordinator.client import RequestRefusedError
from coordinator.round_state import MaskingStep
from coordinator.statistics import StatisticsLayout
from coordinator.words import Words
from siteapp.federation.bisection_round import BisectionRound
from siteapp.federation.errors import RoundMissedError


def test_the_operator_sees_plan_rounds_sites_failures_and_revocations(make_federation, capsys) -> None:
    fed = federation_with_history(make_federation)
    cert, key, ca = operator_files(fed)
    page = get_status_page(fed, (cert, key), ca)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Federation test" in html
    assert "3 enrolled (a, b, c); each round needs at least 2" in html  # the plan in words
    assert "waiting for the operator: round 3 failed and no more open by themselves" in html
    assert "open the next one with &#39;medfed-coordinator resume&#39; once the sites can take part" in html
    rounds = html.split("<h2>Rounds</h2>")[1].split("<h2>")[0]
    assert rounds.count('class="phase published"') == 2 and rounds.count('class="phase failed"') == 1
    assert "Round 3 failed: only 1 of the 2 required sites took part" in html
    assert "Site c expelled on" in html and "revoked 20" in html
    # Per site: uploads, bytes and the figures read from the noised histogram each reported.
    assert "round 1 (DP-noised): auc 0.969" in html and "round 1 (DP-noised): auc 0.750" in html
    assert "patients):" not in html  # no exact validation count is shown, none is stored
    rows = {line.split("</td>")[0].split("<td>")[-1]: line for line in html.split("<tr>") if "ago (" in line}
    assert set(rows) >= {"a", "b"}
    assert "<td>3</td>" in rows["a"] and "<td>2</td>" in rows["b"]
    assert "never" not in rows["a"]
    # No site ran 'medfed-site statistics' before the statistics round's 2 s deadline.
    statistics = status_page_showing(
        fed, "Now: waiting for the operator: statistics round 1 failed and no more open by themselves",
        "open one more with 'medfed-coordinator resume --statistics'")
    assert "only 0 of the 3 required sites took part at the advertise step" in statistics
    capsys.readouterr()
    assert cli.main(["status", "--kit", str(fed.kit_dir), *fed.store_args()]) == 0
    said = capsys.readouterr().out  # the command line says it in the page's words
    assert "now: waiting for the operator: round 3 failed and no more open by themselves\n" in said
    assert "open the next one with 'medfed-coordinator resume' once the sites can take part" in said


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


class BisectionSites:
    """Every site of ``fed`` in round 1 of its secure median or winsorised mean, each in a
    thread with a tiny random update; a site named in ``holds`` stops before that masked
    sum's step until :meth:`release` (or the end of the ``with`` block)."""

    def __init__(self, fed: Federation, holds: dict[str, tuple[int, MaskingStep]]) -> None:
        self.fed = fed
        self.holds = holds
        self.released = {site: threading.Event() for site in holds}
        self.errors: dict[str, BaseException] = {}
        rng = np.random.default_rng(7)
        assert fed.plan.update_length is not None
        self.vectors = {s: rng.normal(0.0, 0.3, fed.plan.update_length) for s in fed.plan.sites}
        self.clients = {s: fed.client(s) for s in fed.plan.sites}
        self.threads = [threading.Thread(target=self._take_part, args=(s,), daemon=True)
                        for s in fed.plan.sites]

    def _take_part(self, site: str) -> None:
        client = self.clients[site]
        wait = sum_waiter(client)

        def reach(secure_sum: int, step: MaskingStep) -> bool:
            if self.holds.get(site) == (secure_sum, step):
                self.released[site].wait(60)
            return wait(secure_sum, step)

        def send(body: bytes, carried: Words, secure_sum: int) -> int:
            return client.upload_update(1, body, None, carried, secure_sum).size_bytes

        try:
            bisection = BisectionRound(client, self.fed.kit(site), self.fed.plan, 1, reach)
            bisection.share_keys()
            bisection.contribute(self.vectors[site], 1, send)
        except BaseException as exc:  # reported by the test
            self.errors[site] = exc

    def release(self, site: str) -> None:
        self.released[site].set()

    def __enter__(self) -> BisectionSites:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, _type: type[BaseException] | None, _exc: BaseException | None,
                 _tb: TracebackType | None) -> None:
        for event in self.released.values():
            event.set()
        for thread in self.threads:
            thread.join(60)


def test_the_page_shows_the_secure_median_probe_and_whom_it_waits_for(make_federation, capsys) -> None:
    fed: Federation = make_federation(
        rounds=1, mode="masking", strategy="fedmedian", update_length=6, round_deadline_s=60.0,
        masking={"clip_range": 1.0, "probes": 2},
    )
    with BisectionSites(fed, holds={"c": (1, MaskingStep.SHARE)}) as sites:
        page = status_page_showing(
            fed, "Now: round 1 of 1 is collecting: secure median: probe 2 of 2, masking step 'share'",
            "Waiting for c at the 'share' step; done: a, b.",
        )
        assert "fedmedian: each round is 2 probes, each a masked secure sum of counts" in page
        assert "Out of this round" not in page
        capsys.readouterr()
        assert cli.main(["status", "--kit", str(fed.kit_dir), *fed.store_args()]) == 0
        said = capsys.readouterr().out  # the command line says it in the page's words
        assert "now: round 1/1 collecting: secure median: probe 2 of 2, masking step 'share'\n" in said
        assert "  Waiting for c at the 'share' step; done: a, b.\n" in said
        sites.release("c")
        status_page_showing(fed, "Now: finished: all 1 rounds published")
    assert not sites.errors, sites.errors


def test_the_page_shows_the_winsorised_means_weighted_sum_and_who_left_the_round(make_federation) -> None:
    """d never joins the weighted sum: once its advertise step closes without d (at the
    step's deadline, 5 s: every other step closes as soon as all are in), the page names
    it out of the round and waits for c alone."""
    fed: Federation = make_federation(
        start=False, sites=["a", "b", "c", "d"], min_sites=3, rounds=1, mode="masking",
        strategy="winsorised_mean", update_length=6, round_deadline_s=5.0,
        masking={"clip_range": 1.0, "probes": 1},
    )
    sites = BisectionSites(fed, holds={"d": (1, MaskingStep.ADVERTISE), "c": (1, MaskingStep.UPLOAD)})
    fed.start()  # the first step's deadline runs from here: the sites' clients are ready
    with sites:
        status_page_showing(
            fed, "Now: round 1 of 1 is collecting: secure winsorised mean: weighted sum of the winsorised "
                 "updates (masked sum 2 of 2, after 1 probe), masking step 'upload'",
            "Waiting for c at the 'upload' step; done: a, b.", "Out of this round: d ",
        )
        sites.release("c")
        status_page_showing(fed, "Now: finished: all 1 rounds published")
    assert set(sites.errors) == {"d"} and isinstance(sites.errors["d"], RoundMissedError), sites.errors


def test_the_page_shows_the_statistics_round_but_no_sites_values(make_federation, capsys) -> None:
    fed: Federation = make_federation(rounds=1, round_deadline_s=60.0)
    sites = StatisticsSites(fed, ["a", "b", "c"])
    page = status_page_showing(
        fed, "Now: statistics round 1 is open: masked secure sum, masking step 'advertise'"
    )
    assert "Waiting for a, b, c at the 'advertise' step; done: no site yet." in page
    assert "A site joins with 'medfed-site statistics'" in page
    assert "Now: round 1 of 1 is open, 0 of 3 sites have uploaded" in page  # the training rounds
    sites.advertise(["a", "b"])
    status_page_showing(fed, "Waiting for c at the 'advertise' step; done: a, b.")
    capsys.readouterr()
    assert cli.main(["status", "--kit", str(fed.kit_dir), *fed.store_args()]) == 0
    said = capsys.readouterr().out
    assert ("statistics: round 1 open: masked secure sum, masking step 'advertise'; uploaded: -\n"
            "  Waiting for c at the 'advertise' step; done: a, b.\n") in said
    sites.advertise(["c"])
    sites.at(MaskingStep.SHARE)
    sites.share()
    sites.at(MaskingStep.UPLOAD)
    length = StatisticsLayout.of(fed.plan).length
    sites.upload({s: np.full(length, 4711.0 + 0.25 * i) for i, s in enumerate(["a", "b", "c"])})
    sites.confirm_and_unmask()
    page = status_page_showing(fed, "Now: published ")
    assert "UTC: the noised sum of 3 sites (a, b, c), statistics round 1" in page
    statistics = page.split("<h2>Federated statistics</h2>")[1].split("<h2>")[0]
    assert "<td>a, b, c</td>" in statistics and "<td>3</td>" in statistics  # uploaded by, summed
    for value in ("4711", "14133", "1413"):  # a site's value, the sum
        assert value not in page
