"""Drive the built ``medfed-coordinator`` binary as an operator would: provision, serve, stop."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from coordinator.loopback import NotListeningError, serve_args, wait_for_port

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
PROVISION_TIMEOUT_S = 120.0


def provision(binary: Path, out: Path, port: int, *options: str) -> subprocess.CompletedProcess[str]:
    """``medfed-coordinator provision`` for a coordinator on 127.0.0.1:``port``."""
    return subprocess.run(
        [str(binary), "provision", "--out", str(out), "--address", f"https://127.0.0.1:{port}",
         *options],
        capture_output=True, text=True, timeout=PROVISION_TIMEOUT_S,
    )


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    try:
        wait_for_port(process, port, START_TIMEOUT_S)
    except NotListeningError as exc:
        pytest.fail(f"the coordinator did not start ({exc}):\n{log.read_text()}")


@contextmanager
def serving(
    program: Sequence[str], kit: Path, port: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``<program> serve`` until the block ends, then stop it with SIGTERM as systemd does.

    ``program`` is the built binary, or ``python -m coordinator.cli`` for the source tree.

    Fails the test when the coordinator does not start, or does not exit 0 on SIGTERM.
    """
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            serve_args(kit, None, port, program=program),
            stdout=sink, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, process, log)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"the coordinator ignored SIGTERM for {STOP_TIMEOUT_S:.0f} s")
    # uvicorn shuts down gracefully, then re-raises SIGTERM: systemd counts both as clean.
    assert code in (0, -signal.SIGTERM), f"exit {code} on SIGTERM:\n{log.read_text()}"
