"""The coordinator client behind a hospital's HTTPS proxy: which proxy it takes, and what
it says when the proxy fails (a real tinyproxy on loopback)."""

from __future__ import annotations

import dataclasses

import pytest
import requests
from coordinator_loopback import FAST_RETRIES, Federation, free_port

from coordinator.client import ConnectionParams, CoordinatorClient, CoordinatorUnreachableError


@pytest.fixture
def coordinator_database() -> None:
    """Proxies concern the client: one store is enough."""
    return None


@pytest.fixture
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _client(fed: Federation, site: str, proxy: str | None = None) -> CoordinatorClient:
    defaults = dataclasses.replace(FAST_RETRIES, https_proxy=proxy)
    client = CoordinatorClient(fed.kit(site), tls_dir=fed.root / "tls" / site,
                               defaults=defaults)
    fed.clients.append(client)
    return client


def test_a_proxy_that_refuses_the_coordinator_is_explained_from_settings_and_environment(
    make_federation, proxy_for, no_proxy_environment: pytest.MonkeyPatch
) -> None:
    fed: Federation = make_federation()
    refusing = proxy_for([fed.port + 1])  # lets HTTPS through to another port only
    configured = _client(fed, "a", proxy=refusing.url)
    no_proxy_environment.setenv("HTTPS_PROXY", refusing.url)
    from_environment = _client(fed, "b")
    for client in (configured, from_environment):
        assert client.proxy == refusing.url
        with pytest.raises(CoordinatorUnreachableError) as refused:
            client.round_state()
        message = str(refused.value)
        assert f"the HTTPS proxy {refusing.url} refused to open a tunnel" in message
        assert "403" in message and f"allow HTTPS (CONNECT) to 127.0.0.1:{fed.port}" in message
    # The same proxy, allowed to reach the coordinator, carries the call.
    allowing = proxy_for([fed.port])
    assert _client(fed, "c", proxy=allowing.url).round_state().number == 1
    assert allowing.tunnels(fed.port) == 1


def test_a_refusal_is_not_read_as_a_login_request_because_the_port_holds_407(tmp_path) -> None:
    """The proxy's answer is read from its CONNECT status, not from anywhere in the text:
    a coordinator on port 44071 behind a proxy that refuses the tunnel (403) was told to
    put a user name and password in the proxy address (seen once in the suite, whose
    coordinator port is random)."""
    files = [tmp_path / name for name in ("ca.pem", "cert.pem", "key.pem")]
    client = CoordinatorClient(ConnectionParams("https://127.0.0.1:44071", *files, "a"),
                               defaults=dataclasses.replace(FAST_RETRIES, https_proxy="http://127.0.0.1:3128"))
    refused = requests.exceptions.ProxyError(
        "HTTPSConnectionPool(host='127.0.0.1', port=44071): Max retries exceeded with url: "
        "/v1/round (Caused by ProxyError('Unable to connect to proxy', "
        "OSError('Tunnel connection failed: 403 Access violation')))")
    said = client._proxy_failure(refused)
    assert said.startswith("the HTTPS proxy http://127.0.0.1:3128 refused to open a tunnel"), said
    assert "403 Access violation" in said
    login = requests.exceptions.ProxyError(
        "Unable to connect to proxy, OSError('Tunnel connection failed: 407 Proxy Authentication Required')")
    assert "asks for a login" in client._proxy_failure(login)


def test_no_proxy_naming_the_coordinator_means_a_direct_connection(
    make_federation, proxy_for, no_proxy_environment: pytest.MonkeyPatch
) -> None:
    fed: Federation = make_federation()
    refusing = proxy_for([fed.port + 1])
    no_proxy_environment.setenv("HTTPS_PROXY", refusing.url)
    no_proxy_environment.setenv("NO_PROXY", "127.0.0.1,localhost")
    for client in (_client(fed, "a"), _client(fed, "b", proxy=refusing.url)):
        assert client.proxy is None
        assert client.round_state().number == 1


def test_an_unreachable_proxy_is_explained_after_the_retries(
    make_federation, no_proxy_environment: pytest.MonkeyPatch
) -> None:
    fed: Federation = make_federation()
    nowhere = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(CoordinatorUnreachableError) as failed:
        _client(fed, "a", proxy=nowhere).round_state()
    message = str(failed.value)
    assert f"the HTTPS proxy {nowhere} could not be reached" in message
    assert "HTTPS_PROXY" in message and "NO_PROXY" in message


def test_the_kit_ca_verifies_the_coordinator_whatever_the_environment_bundle_says(
    make_federation, no_proxy_environment: pytest.MonkeyPatch
) -> None:
    fed: Federation = make_federation()
    other: Federation = make_federation(start=False, federation="other")
    # A bundle that does not know this federation's CA (another federation's CA).
    bundle = str(other.kit_dir / "ca.pem")
    no_proxy_environment.setenv("REQUESTS_CA_BUNDLE", bundle)
    no_proxy_environment.setenv("CURL_CA_BUNDLE", bundle)
    assert _client(fed, "a").round_state().number == 1
