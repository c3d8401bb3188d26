"""A fault-injecting TCP proxy on 127.0.0.1, between a site's client and the coordinator.

TLS passes through untouched (the proxy only sees bytes), so the client still verifies
the coordinator and the coordinator still verifies the site. Each new connection takes
the next fault from a queue; when the queue is empty connections pass cleanly. Before
:meth:`FaultProxy.open` the port is bound but not listening: connections are refused.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """What happens to one connection.

    ``reset_upstream_after``: forward that many bytes towards the coordinator, then reset.
    ``blackhole_upstream_after``: forward that many bytes, then swallow the rest and
    keep both connections open (a peer that vanished without a FIN or a RST).
    ``delay_reply_s``: once ``delay_after_upstream`` bytes went up, hold the coordinator's
    next bytes this long before forwarding them (a slow reply, not a slow handshake).
    """

    reset_upstream_after: int | None = None
    blackhole_upstream_after: int | None = None
    delay_reply_s: float = 0.0
    delay_after_upstream: int = 0


PASS = Fault()


def _reset(*socks: socket.socket) -> None:
    """Abort with RST. Shut reading first: a close() alone would not wake the other pump
    thread blocked in recv() on the same socket, and the kernel would then send nothing."""
    for sock in socks:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        sock.close()


class _Connection:
    def __init__(self, client: socket.socket, target_port: int, fault: Fault) -> None:
        self.client = client
        self.server = socket.create_connection(("127.0.0.1", target_port))
        self.fault = fault
        self.up_bytes = 0
        self.dead = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._upstream, daemon=True).start()
        threading.Thread(target=self._downstream, daemon=True).start()

    def kill(self) -> None:
        if not self.dead.is_set():
            self.dead.set()
            _reset(self.client, self.server)

    def _upstream(self) -> None:
        limit = self.fault.reset_upstream_after
        try:
            while chunk := self.client.recv(65536):
                if limit is not None and self.up_bytes + len(chunk) > limit:
                    self.server.sendall(chunk[: limit - self.up_bytes])
                    self.kill()
                    return
                hole = self.fault.blackhole_upstream_after
                if hole is not None and self.up_bytes + len(chunk) > hole:
                    self.server.sendall(chunk[: max(0, hole - self.up_bytes)])
                    self.up_bytes = hole
                    while self.client.recv(65536):
                        pass  # swallowed: the coordinator never hears of it
                    return
                self.up_bytes += len(chunk)
                self.server.sendall(chunk)
            self.server.shutdown(socket.SHUT_WR)
        except OSError:
            self.kill()

    def _downstream(self) -> None:
        delayed = False
        try:
            while chunk := self.server.recv(65536):
                if (not delayed and self.fault.delay_reply_s
                        and self.up_bytes >= self.fault.delay_after_upstream):
                    delayed = True
                    time.sleep(self.fault.delay_reply_s)  # the injected slowness itself
                self.client.sendall(chunk)
            self.client.shutdown(socket.SHUT_WR)
        except OSError:
            self.kill()


class FaultProxy:
    """``with FaultProxy(port) as proxy: proxy.faults.extend([...]); proxy.open()``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.faults: deque[Fault] = deque()
        self.connections = 0
        self._open: list[_Connection] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._closed = threading.Event()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def open(self) -> None:
        """Start accepting; until now every connection attempt was refused."""
        self._listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            fault = self.faults.popleft() if self.faults else PASS
            connection = _Connection(client, self.target_port, fault)
            self._open.append(connection)
            connection.start()

    def close(self) -> None:
        """Stop listening and cut every connection still open (the coordinator would
        otherwise wait for them when it shuts down)."""
        self._closed.set()
        self._listener.close()
        for connection in self._open:
            connection.kill()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
