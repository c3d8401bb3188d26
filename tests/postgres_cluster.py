"""A throwaway PostgreSQL server for the tests and the benchmarks (Debian's ``postgresql``).

``initdb`` a data folder in a private temporary directory, start ``postgres`` on a unix
socket in it (no TCP port, so nothing else on the machine can reach it), hand out fresh
databases by name, and remove everything on :meth:`stop`. PostgreSQL refuses to run as
root, so under root the server runs as the ``postgres`` account the Debian package
creates (``runuser``); the socket's owner then trusts every local connection, which is
fine for a server that lives in a 0700 folder for the length of a test session.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

# Debian installs the server binaries per major version, outside PATH.
DEBIAN_BIN = Path("/usr/lib/postgresql")
START_TIMEOUT_S = 30
# The pid of the process whose session owns a server folder (see ``reap_orphans``).
OWNER_FILE = "owner.pid"


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server can be started here; the message says why."""


def server_binaries() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest Debian major)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    versions = sorted(
        (p for p in DEBIAN_BIN.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not versions:
        raise PostgresUnavailableError(
            "PostgreSQL is not installed (no initdb); install Debian's 'postgresql' package "
            "(make test does so as root)"
        )
    return versions[-1]


class ThrowawayPostgres:
    """One PostgreSQL server on a private unix socket; :meth:`new_database` per test."""

    def __init__(self) -> None:
        self.bin = server_binaries()
        self.run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailableError(
                    "running as root and there is no 'postgres' account to run the server as"
                ) from exc
            self.run_as = "postgres"
        self.root = Path(tempfile.mkdtemp(prefix="medfed-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.socket_dir.mkdir()
        if self.run_as is not None:
            account = pwd.getpwnam(self.run_as)
            for path in (self.root, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(self.root, 0o700)
        self._started = False

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresUnavailableError(
                f"{Path(args[0]).name} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-800:]}"
            )

    @classmethod
    def reap_orphans(cls) -> None:
        """Stop the servers of earlier sessions whose process died without stopping them
        (a test run killed by a timeout): the machine is shared."""
        for root in Path(tempfile.gettempdir()).glob("medfed-pg-*"):
            try:
                pid = int((root / OWNER_FILE).read_text())
            except (OSError, ValueError):
                continue  # not one this helper owns, or still being set up: leave it
            try:
                os.kill(pid, 0)
                continue  # its session is still running
            except ProcessLookupError:
                pass
            except OSError:
                continue
            data = root / "data"
            if (data / "postmaster.pid").exists():
                prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
                subprocess.run([*prefix, str(server_binaries() / "pg_ctl"), "-D", str(data),
                                "-m", "immediate", "-w", "stop"], capture_output=True, check=False)
            shutil.rmtree(root, ignore_errors=True)

    def start(self) -> ThrowawayPostgres:
        self.reap_orphans()
        (self.root / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "-A", "trust", "-E", "UTF8", "--no-sync")
        options = (f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} "
                   "-c max_connections=200 -c fsync=on")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", options, "-w", "-t", str(START_TIMEOUT_S), "start")
        self._started = True
        return self

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for ``database`` over the private socket (psycopg 3 driver)."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def new_database(self, prefix: str = "medfed") -> str:
        """Create an empty database and return its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host=str(self.socket_dir), user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self._started:
            with contextlib.suppress(PostgresUnavailableError):
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)


STORES = ["sqlite", "postgresql"]


def both_stores(request: pytest.FixtureRequest) -> str | None:
    """Body of a ``coordinator_database`` fixture parametrised over :data:`STORES`: None
    (the coordinator's SQLite file) or a fresh, empty database on the session's
    PostgreSQL server (the ``postgres_server`` fixture)."""
    if request.param == "sqlite":
        return None
    server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
    return server.new_database()
