"""The demo's child processes: started in their own sessions, always stopped.

:class:`ChildProcesses` is a context manager. Whatever ends the ``with`` block (normal
end, an error, Ctrl-C, SIGTERM) it sends SIGTERM to every child still running, waits a
little, then SIGKILLs what is left, so a demo never leaves a coordinator or a site behind.
Children run in their own sessions so a Ctrl-C reaches only the demo, which then shuts
them down in order. Each child's stderr (and stdout unless the caller reads it) goes to
a log file in the run folder, never to the screen.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

from coordinator.loopback import NotListeningError, wait_for_port
from siteapp.errors import UserFacingError

STOP_GRACE_S = 8.0
PORT_WAIT_S = 60.0


class ChildProcessError(UserFacingError):
    """A coordinator or site process of the demo failed; its log says why."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen[str]
    log_path: Path
    log: IO[str]

    def running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


@dataclass
class ChildProcesses:
    """Starts, watches and stops the demo's children (see the module docstring)."""

    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    stop_grace_s: float = STOP_GRACE_S
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, args: Sequence[str], *, read_stdout: bool = False,
              cwd: Path | None = None) -> Child:
        """Run ``python args...`` as child ``name``; stdout is a pipe when ``read_stdout``."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        log = log_path.open("w", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if read_stdout else log,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        child = Child(name, process, log_path, log)
        self.children.append(child)
        return child

    def wait_for_port(self, child: Child, port: int, host: str = "127.0.0.1",
                      timeout_s: float = PORT_WAIT_S) -> None:
        """Return once ``child`` accepts TCP connections on ``port``."""
        try:
            wait_for_port(child.process, port, timeout_s, host)
        except NotListeningError as exc:
            if exc.returncode is not None:
                raise ChildProcessError(
                    f"the {child.name} stopped while starting (log {child.log_path}):\n"
                    f"{child.log_tail()}"
                ) from exc
            raise ChildProcessError(
                f"the {child.name} did not listen on port {port} within {timeout_s:.0f} s "
                f"(log {child.log_path})"
            ) from exc

    def stop_all(self) -> None:
        """SIGTERM every running child (newest first), then SIGKILL after a grace time."""
        for child in reversed(self.children):
            if child.running():
                _signal_group(child.process, signal.SIGTERM)
        end = time.monotonic() + self.stop_grace_s
        for child in self.children:
            try:
                child.process.wait(max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child.process, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            if child.process.stdout is not None:
                child.process.stdout.close()
            child.log.close()

    def __enter__(self) -> ChildProcesses:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop_all()


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    """Signal the child's whole session (it leads it), so helpers it started stop too."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt for the block, so ``kill`` of the demo
    unwinds through the same clean-up as Ctrl-C."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
