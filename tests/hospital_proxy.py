"""A hospital's HTTP proxy on loopback: Debian's ``tinyproxy`` with its own configuration
in a throwaway folder, allowing CONNECT only to the ports a test names (as a hospital
proxy lets HTTPS through to named destinations only)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from coordinator.loopback import NotListeningError, free_port, wait_for_port

START_TIMEOUT_S = 15.0


class ProxyUnavailableError(RuntimeError):
    """tinyproxy is not installed or did not start; the message says why."""


class LoopbackProxy:
    """tinyproxy on 127.0.0.1; :attr:`url` for HTTPS_PROXY; :meth:`tunnels` read its log."""

    def __init__(self, connect_ports: list[int]) -> None:
        binary = shutil.which("tinyproxy")
        if binary is None:
            raise ProxyUnavailableError(
                "tinyproxy is not installed; install Debian's 'tinyproxy' (make test does so as root)"
            )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root = Path(tempfile.mkdtemp(prefix="medfed-proxy-"))
        self.log = self.root / "tinyproxy.log"
        self.log.touch()
        # tinyproxy drops root privileges to the account it is told to; that account must
        # be able to write its log.
        user = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            account = pwd.getpwnam(user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
            os.chown(self.log, account.pw_uid, account.pw_gid)
        allowed = "\n".join(f"ConnectPort {p}" for p in connect_ports) or "ConnectPort 1"
        config = self.root / "tinyproxy.conf"
        config.write_text(
            f"User {user}\nPort {self.port}\nListen 127.0.0.1\nTimeout 60\n"
            f"LogFile \"{self.log}\"\nLogLevel Connect\nMaxClients 50\n"
            f"Allow 127.0.0.1\n{allowed}\n",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [binary, "-d", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_for_port(self.process, self.port, START_TIMEOUT_S)
        except NotListeningError as exc:
            if exc.returncode is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise ProxyUnavailableError(f"tinyproxy did not start: {error.strip()}") from exc
            self.stop()
            raise ProxyUnavailableError("tinyproxy did not listen in time") from exc

    def tunnels(self, port: int) -> int:
        """How many CONNECT tunnels to 127.0.0.1:``port`` the proxy has opened so far."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return text.count(f"CONNECT 127.0.0.1:{port} ")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)
