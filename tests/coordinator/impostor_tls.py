"""A TLS server on loopback whose certificate comes from ANOTHER authority than the
federation's: what a site meets when the coordinator address points at the wrong server."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.pacs.tls_files import write_tls_files


@contextmanager
def impostor_tls_server(port: int, folder: Path) -> Iterator[None]:
    """Accept TLS handshakes on 127.0.0.1:``port`` until the block ends."""
    files = write_tls_files(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.server_cert, files.server_key)
    listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass  # the site refuses our certificate: exactly what is tested
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)
