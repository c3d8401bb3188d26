"""Network faults between a site and the coordinator, through a fault-injecting proxy.

The site's client retries with exponential backoff and completes; whatever the network
does, the coordinator keeps no half-written blob and never records an upload twice.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from coordinator_loopback import Federation, blob
from fault_launcher import UPLOAD_IDLE
from fault_proxy import Fault, FaultProxy
from safetensors.numpy import load_file

from coordinator.client import (
    ConnectionParams,
    CoordinatorClient,
    RequestRecord,
    UpdateAlreadyHeldError,
)
from coordinator.settings import ClientDefaults

BACKOFF = ClientDefaults(max_retries=4, backoff_base_s=0.05, backoff_max_s=1.0, read_timeout_s=10.0)
# A plaintext update large enough that a reset lands in the middle of its body.
UPDATE_LAYOUT = {"conv.weight": (128, 512), "fc.bias": (3,)}


def _update(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: (rng.normal(size=s) * 0.01).astype(np.float32) for k, s in UPDATE_LAYOUT.items()}


def _proxied(fed: Federation, site: str, proxy: FaultProxy, **kwargs: Any) -> CoordinatorClient:
    folder = fed.root / "proxied-tls" / site
    ca, cert, key = fed.kit(site).write_tls_files(folder)
    client = CoordinatorClient(ConnectionParams(proxy.url, ca, cert, key, site), **kwargs)
    fed.clients.append(client)
    return client


def _no_partial_blobs(fed: Federation, timeout_s: float = 5.0) -> bool:
    """The server discards a broken upload when it notices the disconnect: wait for that."""
    end = time.monotonic() + timeout_s
    while list((fed.state_dir / "blobs").rglob(".incoming-*")):
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def _started(make_federation) -> Federation:
    fed: Federation = make_federation(rounds=1)
    fed.client("a").upload_initial_model(blob(_update(0)))
    return fed


def test_connection_refused_is_retried_with_growing_backoff(make_federation) -> None:
    fed = _started(make_federation)
    with FaultProxy(fed.port) as proxy:
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) == 3:
                proxy.open()  # the coordinator "comes back" after the third refusal

        records: list[RequestRecord] = []
        client = _proxied(fed, "b", proxy, defaults=BACKOFF, sleep=sleep, on_request=records.append)
        state = client.round_state()
    assert state.number == 1
    assert waits == [0.05, 0.1, 0.2]
    assert records[-1].attempts == 4 and records[-1].status == 200


def test_reset_mid_upload_is_retried_and_leaves_no_partial_blob(make_federation, tmp_path: Path) -> None:
    fed = _started(make_federation)
    update = _update(1)
    body = blob(update)
    with FaultProxy(fed.port) as proxy:
        proxy.faults.extend([Fault(reset_upstream_after=len(body) // 2),
                             Fault(reset_upstream_after=len(body) // 3)])
        proxy.open()
        records: list[RequestRecord] = []
        receipt = _proxied(fed, "b", proxy, defaults=BACKOFF, on_request=records.append).upload_update(
            1, body, 7
        )
        assert proxy.connections == 3
    assert receipt.site == "b" and not receipt.replaced
    assert records[-1].attempts == 3
    assert _no_partial_blobs(fed)
    stored = list((fed.state_dir / "blobs" / "uploads" / "round-1").iterdir())
    assert [p.name for p in stored] == [f"b-{receipt.sha256[:16]}.bin"]
    got = load_file(str(stored[0]))
    for k, v in update.items():
        np.testing.assert_array_equal(got[k], v)


def _stored_once(fed: Federation, site: str) -> None:
    assert fed.client("a").status().current.submitted == [site]
    assert len(list((fed.state_dir / "blobs" / "uploads" / "round-1").iterdir())) == 1
    assert _no_partial_blobs(fed)


def test_a_slow_reply_within_the_timeout_is_awaited(make_federation) -> None:
    fed = _started(make_federation)
    body = blob(_update(3))
    patient = ClientDefaults(max_retries=2, backoff_base_s=0.05, read_timeout_s=5.0)
    with FaultProxy(fed.port) as proxy:
        proxy.faults.append(Fault(delay_reply_s=0.6, delay_after_upstream=len(body) // 2))
        proxy.open()
        records: list[RequestRecord] = []
        _proxied(fed, "b", proxy, defaults=patient, on_request=records.append).upload_update(1, body, 2)
    assert records[-1].attempts == 1
    _stored_once(fed, "b")


def test_a_reply_past_the_read_timeout_is_retried_without_a_second_copy(make_federation) -> None:
    fed = _started(make_federation)
    body = blob(_update(4))
    hasty = ClientDefaults(max_retries=2, backoff_base_s=0.05, read_timeout_s=0.3)
    with FaultProxy(fed.port) as proxy:
        proxy.faults.append(Fault(delay_reply_s=1.5, delay_after_upstream=len(body) // 2))
        proxy.open()
        records: list[RequestRecord] = []
        client = _proxied(fed, "b", proxy, defaults=hasty, on_request=records.append)
        with pytest.raises(UpdateAlreadyHeldError):
            client.upload_update(1, body, 2)
    assert records[-1].attempts == 2
    _stored_once(fed, "b")


def test_an_upload_from_a_vanished_peer_is_dropped_after_the_idle_timeout(
    faulty_federation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No FIN, no RST: the coordinator must not keep the half-written blob for ever."""
    monkeypatch.setenv(UPLOAD_IDLE, "1.0")
    fed: Federation = faulty_federation(rounds=1)
    fed.client("a").upload_initial_model(blob(_update(0)))
    body = blob(_update(5))
    hasty = ClientDefaults(max_retries=2, backoff_base_s=0.05, read_timeout_s=0.5)
    with FaultProxy(fed.port) as proxy:
        proxy.faults.append(Fault(blackhole_upstream_after=len(body) // 2))
        proxy.open()
        records: list[RequestRecord] = []
        _proxied(fed, "b", proxy, defaults=hasty, on_request=records.append).upload_update(1, body, 2)
        assert records[-1].attempts == 2
        # The first connection is still open (its peer went silent), yet no partial blob stays.
        assert _no_partial_blobs(fed, timeout_s=10.0)
    _stored_once(fed, "b")
