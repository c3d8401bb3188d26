"""A private X display (Xvfb) for launching an installed desktop app, and screenshots of it.

Windows are found and driven with ``xdotool``; screenshots are taken by a short Qt
program connected to the same display (``QScreen.grabWindow``), so no image tool beyond
the project's own dependencies is needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCREEN = "1280x800x24"
START_TIMEOUT_S = 30.0
POLL_S = 0.25

_GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
pixmap = app.primaryScreen().grabWindow(int(sys.argv[2]))
sys.exit(0 if pixmap.save(sys.argv[1]) else 1)
"""


class DisplayError(RuntimeError):
    """The X server or a window did not come up in time."""


@dataclass(frozen=True)
class Display:
    name: str

    def env(self) -> dict[str, str]:
        """The environment of a program that should draw on this display."""
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
        env["DISPLAY"] = self.name
        return env

    def xdotool(self, *args: str, timeout: float = 30.0) -> str:
        completed = subprocess.run(
            ["xdotool", *args], env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        return completed.stdout.strip() if completed.returncode == 0 else ""

    def wait_for_window(self, name: str, timeout_s: float) -> str:
        """The id of the first visible window whose title contains ``name``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.xdotool("search", "--onlyvisible", "--name", name)
            if found:
                return found.splitlines()[0]
            time.sleep(POLL_S)
        raise DisplayError(f"no window titled '{name}' appeared within {timeout_s:.0f} s")

    def screenshot(self, out: Path, window_id: str = "0") -> Path:
        """Save the window (``0``: the whole screen) as a PNG."""
        out.parent.mkdir(parents=True, exist_ok=True)
        env = {**self.env(), "QT_QPA_PLATFORM": "xcb"}
        subprocess.run(
            [sys.executable, "-c", _GRAB, str(out), str(int(window_id))],
            env=env, check=True, timeout=60,
        )
        return out


def available() -> str | None:
    """Why a display cannot be had here, or None when Xvfb and xdotool are installed."""
    missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not installed (make installer-test-tools)" if missing else None


@contextmanager
def xvfb() -> Iterator[Display]:
    """Start Xvfb on a free display number; stop it on exit."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise DisplayError("Xvfb did not report a display number")
        yield Display(f":{number}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.kill()
