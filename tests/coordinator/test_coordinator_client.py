"""The site's client: retries with backoff, streamed uploads and the audit hook."""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from coordinator_loopback import Federation, blob, free_port, model

from coordinator.client import (
    CoordinatorClient,
    CoordinatorUnreachableError,
    RequestRecord,
)
from coordinator.protocol import RoundState
from coordinator.round_state import RoundPhase
from coordinator.settings import ClientDefaults
from coordinator.words import say

STATE = RoundState(number=1, phase=RoundPhase.OPEN, opened_at=0.0, deadline_at=None, extensions=0, submitted=[])


class FlakyHandler(BaseHTTPRequestHandler):
    """Answers 503 (then 429) before it answers for real; records each body it read."""

    failures: ClassVar[list[int]] = []
    bodies: ClassVar[list[bytes]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.bodies.append(self.rfile.read(length))
        if self.failures:
            code = self.failures.pop(0)
            self.send_response(code)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = STATE.model_dump_json().encode() if self.command == "GET" else json.dumps(
            {"round": 1, "site": "a", "sha256": "0" * 64, "size_bytes": len(self.bodies[-1]),
             "num_examples": 3, "replaced": False}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = _answer  # noqa: N815 - http.server naming

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def flaky_server(make_federation) -> Iterator[tuple[Federation, int]]:
    fed: Federation = make_federation(start=False)
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), FlakyHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(fed.kit_dir / "server.pem", fed.kit_dir / "server.key")
    ctx.load_verify_locations(fed.kit_dir / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fed, port
    server.shutdown()
    server.server_close()


def _client(fed: Federation, port: int, tmp_path: Path, records: list[RequestRecord], sleeps: list[float], retries: int = 4) -> CoordinatorClient:
    kit = replace(fed.kit("a"), coordinator_url=f"https://127.0.0.1:{port}")
    return CoordinatorClient(
        kit, tls_dir=tmp_path / "tls",
        defaults=ClientDefaults(max_retries=retries, backoff_base_s=0.5, backoff_max_s=1.5),
        on_request=records.append, sleep=sleeps.append,
    )




def test_retries_5xx_and_429_with_exponential_backoff(flaky_server, tmp_path: Path) -> None:
    fed, port = flaky_server
    FlakyHandler.failures[:] = [503, 500, 429, 503]
    FlakyHandler.bodies.clear()
    records: list[RequestRecord] = []
    sleeps: list[float] = []
    with _client(fed, port, tmp_path, records, sleeps) as client:
        assert client.round_state() == STATE
    assert sleeps == [0.5, 1.0, 1.5, 1.5]  # 0.5 x 2^n, capped at backoff_max_s
    assert records[-1].attempts == 5 and records[-1].status == 200


def test_gives_up_with_a_clear_error_after_the_last_retry(flaky_server, tmp_path: Path) -> None:
    fed, port = flaky_server
    FlakyHandler.failures[:] = [503] * 3
    sleeps: list[float] = []
    with _client(fed, port, tmp_path, [], sleeps, retries=2) as client, \
            pytest.raises(CoordinatorUnreachableError, match="Tried 3 time"):
        client.round_state()
    assert len(sleeps) == 2


def test_streamed_file_upload_is_reported_to_the_audit_hook(flaky_server, tmp_path: Path) -> None:
    fed, port = flaky_server
    FlakyHandler.failures[:] = [503]
    FlakyHandler.bodies.clear()
    body = blob(model(1))
    path = tmp_path / "update.safetensors"
    path.write_bytes(body)
    records: list[RequestRecord] = []
    with _client(fed, port, tmp_path, records, []) as client:
        client.upload_update(1, path, 3, carried=say("model update (plaintext)"))
    assert FlakyHandler.bodies == [body, body]  # the retry re-sent the whole file
    (record,) = records
    assert (record.endpoint, record.method, record.bytes_sent) == ("/v1/rounds/1/update", "PUT", len(body))
    assert record.body_sha256 == hashlib.sha256(body).hexdigest()
    assert str(record.carried) == "model update (plaintext)"


def test_connection_refused_is_retried_then_reported(make_federation, tmp_path: Path) -> None:
    fed: Federation = make_federation(start=False)
    sleeps: list[float] = []
    records: list[RequestRecord] = []
    with _client(fed, free_port(), tmp_path, records, sleeps, retries=1) as client, \
            pytest.raises(CoordinatorUnreachableError, match="nothing was lost"):
        client.plan()
    assert sleeps == [0.5] and records[0].status is None
