"""Starting a server on this machine: a free port, the coordinator's ``serve`` command, and
waiting until something listens. The demo, the screenshots' workspace, the tests and the
benchmarks all start their loopback coordinators (and tinyproxy, Orthanc) with these.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"
COORDINATOR_MODULE = ("-m", "coordinator.cli")


class NotListeningError(RuntimeError):
    """The process exited (``returncode`` set) or did not listen within the time allowed."""

    def __init__(self, message: str, returncode: int | None) -> None:
        super().__init__(message)
        self.returncode = returncode


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def serve_args(
    kit_dir: Path, state_dir: Path | None, port: int, *, program: Sequence[str] = COORDINATOR_MODULE,
    database_url: str | None = None, workers: int | None = None,
) -> list[str]:
    """``<program> serve`` for the coordinator kit ``kit_dir`` on ``port`` (``program``
    is ``-m coordinator.cli`` under this Python, or the built binary)."""
    args = [*program, "serve", "--kit", str(kit_dir), "--port", str(port)]
    if state_dir is not None:
        args += ["--state", str(state_dir)]
    if workers is not None:
        args += ["--workers", str(workers)]
    if database_url:
        args += ["--database-url", database_url]
    return args


def wait_for_port(process: subprocess.Popen[bytes] | subprocess.Popen[str], port: int,
                  timeout_s: float, host: str = LOOPBACK, poll_s: float = 0.05) -> None:
    """Return once ``port`` accepts TCP connections; :class:`NotListeningError` if
    ``process`` exits first or ``timeout_s`` passes (the caller still owns the process)."""
    end = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise NotListeningError(f"the process exited with {process.returncode} before it "
                                    f"listened on port {port}", process.returncode)
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise NotListeningError(
                    f"nothing listened on port {port} within {timeout_s:.0f} s", None
                ) from None
            time.sleep(poll_s)
