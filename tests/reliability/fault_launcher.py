"""Run ``medfed-coordinator`` with test-only fault hooks, chosen by environment variables.

The hooks live here, outside the product: the tests start the coordinator through this
script instead of ``python -m coordinator.cli``.

- ``MEDFED_FAULT_PAUSE_AT``: ``aggregate`` pauses the round driver as it starts to
  aggregate a closed round; ``publish`` pauses it after the result file is written and
  before the publish transaction. The paused driver creates ``MEDFED_FAULT_FLAG`` so the
  test knows the coordinator is exactly there, then blocks until it is killed: no sleeps
  to guess timing.
- ``MEDFED_FAULT_RESULT_WRITES_FAIL``: the first N writes of a round result fail with
  ENOSPC (the disk filled up between the uploads and the aggregation).
- ``MEDFED_FAULT_UPLOAD_IDLE_S``: serve with this upload idle timeout instead of the
  default, so a test can watch a stalled upload being dropped.
- ``MEDFED_FAULT_SERVER_SETTINGS``: a JSON object of :class:`ServerSettings` fields to
  serve with (short upload deadlines, small connection caps), for the hostile-site tests.
- ``MEDFED_FAULT_FILE_LIMIT_BYTES``: the kernel refuses to grow any file of the process
  past this size (``RLIMIT_FSIZE``; SIGXFSZ ignored so writes fail with EFBIG), which is
  how a full disk looks to a writer, without root or a special mount.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import sys
import threading
from pathlib import Path
from typing import Any

PAUSE_AT = "MEDFED_FAULT_PAUSE_AT"
FLAG = "MEDFED_FAULT_FLAG"
FILE_LIMIT = "MEDFED_FAULT_FILE_LIMIT_BYTES"
RESULT_WRITES_FAIL = "MEDFED_FAULT_RESULT_WRITES_FAIL"
UPLOAD_IDLE = "MEDFED_FAULT_UPLOAD_IDLE_S"
SERVER_SETTINGS = "MEDFED_FAULT_SERVER_SETTINGS"


def _install_server_settings(fields: dict[str, Any]) -> None:
    from coordinator.server import serving
    from coordinator.settings import ServerSettings

    real_serve = serving.serve

    def serve(*args: Any, **kwargs: Any) -> None:
        kwargs["settings"] = ServerSettings(**fields)
        real_serve(*args, **kwargs)

    serving.serve = serve


class _FullDisk:
    """A file object whose writes fail as on a full disk; everything else is the file's."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh

    def write(self, _data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


def _install_full_disk_for_results(failures: int) -> None:
    from coordinator.server.blobs import PendingBlob

    real_init = PendingBlob.__init__
    remaining = [failures]

    def init(self: PendingBlob, folder: Path, limit_bytes: int, what: str) -> None:
        real_init(self, folder, limit_bytes, what)
        if folder.name == "results" and remaining[0] > 0:
            remaining[0] -= 1
            self._fh = _FullDisk(self._fh)  # type: ignore[assignment]

    PendingBlob.__init__ = init  # type: ignore[method-assign]


def _pause_forever() -> None:
    Path(os.environ[FLAG]).write_text(str(os.getpid()), encoding="utf-8")
    threading.Event().wait()


def _install_pause(stage: str) -> None:
    from coordinator.server import rounds
    from coordinator.server.store import CoordinatorStore

    if stage == "aggregate":
        real_aggregate = rounds.aggregate_plaintext

        def paused_aggregate(*args: Any, **kwargs: Any) -> Any:
            _pause_forever()
            return real_aggregate(*args, **kwargs)

        rounds.aggregate_plaintext = paused_aggregate
    elif stage == "publish":
        real_publish = CoordinatorStore.publish_round

        def paused_publish(self: CoordinatorStore, *args: Any, **kwargs: Any) -> None:
            _pause_forever()
            real_publish(self, *args, **kwargs)

        CoordinatorStore.publish_round = paused_publish  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown {PAUSE_AT} stage '{stage}'")


def main() -> int:
    stage = os.environ.get(PAUSE_AT)
    if stage:
        _install_pause(stage)
    fields: dict[str, Any] = json.loads(os.environ.get(SERVER_SETTINGS) or "{}")
    idle = os.environ.get(UPLOAD_IDLE)
    if idle:
        fields["upload_idle_timeout_s"] = float(idle)
    if fields:
        _install_server_settings(fields)
    failures = os.environ.get(RESULT_WRITES_FAIL)
    if failures:
        _install_full_disk_for_results(int(failures))
    limit = os.environ.get(FILE_LIMIT)
    if limit:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
    from coordinator.cli import main as coordinator_main

    return coordinator_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
