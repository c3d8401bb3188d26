"""Sites behind a hospital's HTTPS proxy: a real round through tinyproxy on loopback."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import certifi
import pytest
from harness import FAST, SITES, join_sites, make_federation, start_sites


def test_a_round_completes_with_every_site_behind_the_proxy(
    tmp_path: Path, site_templates, proxy_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    fed = make_federation(tmp_path, site_templates, mode="none", rounds=1, min_sites=3)
    try:
        # One proxy per site, so that the log shows each site's own tunnels: sites a and b
        # have theirs in their settings, site c only in the environment. The environment's
        # CA bundle trusts the public CAs, not the federation's: the kit's CA must still be
        # the one that verifies the coordinator.
        proxies = {site: proxy_for([fed.port]) for site in SITES}
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", proxies["c"].url)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
        monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
        options = {
            site: dataclasses.replace(FAST, client=dataclasses.replace(FAST.client, https_proxy=proxies[site].url))
            for site in ("a", "b")
        }
        join_sites(start_sites(fed, SITES, options=options), timeout_s=240)
        assert not fed.errors, fed.errors
        assert all(fed.reports[s].finished for s in SITES)
        assert [len(fed.reports[s].rounds) for s in SITES] == [1, 1, 1]
        assert all(proxies[s].tunnels(fed.port) >= 1 for s in SITES), "a site went around its proxy"
    finally:
        fed.stop()
