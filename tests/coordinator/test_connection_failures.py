"""A site that cannot reach or trust its coordinator is told why, in words, at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from coordinator_loopback import SITES, free_port

from coordinator.connection_failures import tls_refusal, unreachable_reason
from tests.coordinator.impostor_tls import impostor_tls_server


def _failure(url: str, **kwargs: object) -> BaseException:
    try:
        requests.get(url, timeout=5, **kwargs)  # type: ignore[arg-type]
    except requests.RequestException as exc:
        return exc
    raise AssertionError("the request unexpectedly succeeded")


def test_nothing_listening_is_named_as_such() -> None:
    port = free_port()
    reason = str(unreachable_reason(_failure(f"https://127.0.0.1:{port}/v1/round"), f"https://127.0.0.1:{port}"))
    assert f"nothing answers at 127.0.0.1:{port}" in reason and "not running" in reason


def test_an_unknown_name_is_named_as_such() -> None:
    reason = str(unreachable_reason(_failure("https://no-such-host.invalid/v1/round"),
                                    "https://no-such-host.invalid"))
    assert "cannot be found (DNS)" in reason


def test_a_server_of_another_authority_is_not_trusted(tmp_path: Path) -> None:
    port = free_port()
    ca = tmp_path / "federation-ca"
    from tests.pacs.tls_files import write_tls_files

    federation = write_tls_files(ca)  # the site trusts THIS authority only
    with impostor_tls_server(port, tmp_path / "impostor"):
        exc = _failure(f"https://127.0.0.1:{port}/v1/round", verify=str(federation.ca))
    assert isinstance(exc, requests.exceptions.SSLError)
    text = str(tls_refusal(exc, f"https://127.0.0.1:{port}"))
    assert "could not prove it is this federation's coordinator" in text
    assert "Retrying cannot fix this" in text


def test_the_client_gives_up_on_tls_at_once_and_explains(tmp_path: Path, make_federation) -> None:
    from coordinator.client import CoordinatorNotTrustedError

    fed = make_federation(start=False)  # provisioned, but another server holds its port
    client = fed.client(SITES[0])
    with impostor_tls_server(fed.port, tmp_path / "impostor"):
        started = time.monotonic()
        with pytest.raises(CoordinatorNotTrustedError, match="could not prove"):
            client.round_state()
    assert time.monotonic() - started < 10, "a TLS refusal must not be retried"
