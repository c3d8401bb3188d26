"""Run one site's ``join`` in its own process, with test-only pause points to SIGKILL it at.

``python site_launcher.py DATA_DIR`` runs :class:`RoundRunner` with the federation tests'
fast waits and prints one line per progress event. ``MEDFED_SITE_PAUSE_AT`` stops the
process, with ``MEDFED_FAULT_FLAG`` created, at:

- ``training``: half-way through the DP-SGD steps of a round;
- ``encrypting``: as the update's encryption starts;
- ``uploading``: after half of the update's bytes went out on the wire (the body is
  streamed, so the coordinator is holding a partial upload).

The test then kills the process with SIGKILL: no exception handler, no ``finally`` runs.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# A script run in its own interpreter (outside pytest's pythonpath): the federation
# harness and the coordinator helpers it builds on.
sys.path[:0] = [str(HERE.parent / "federation"), str(HERE.parent / "coordinator")]

PAUSE_AT = "MEDFED_SITE_PAUSE_AT"
FLAG = "MEDFED_FAULT_FLAG"


def _pause_forever() -> None:
    Path(os.environ[FLAG]).write_text(str(os.getpid()), encoding="utf-8")
    threading.Event().wait()


def _half_then_pause(body: bytes) -> Iterator[bytes]:
    half = len(body) // 2
    yield body[:half]
    _pause_forever()
    yield body[half:]


def _install_upload_pause() -> None:
    from coordinator.client import CoordinatorClient

    real_request = CoordinatorClient._request

    def request(self: CoordinatorClient, method: str, endpoint: str, **kwargs: Any) -> Any:
        body = kwargs.get("body")
        if method == "PUT" and endpoint.endswith("/update") and isinstance(body, bytes):
            # requests streams a generator body chunk by chunk (chunked encoding).
            self._session.request = _streaming(self._session.request, body)  # type: ignore[method-assign]
        return real_request(self, method, endpoint, **kwargs)

    CoordinatorClient._request = request  # type: ignore[method-assign]


def _streaming(send: Any, body: bytes) -> Any:
    def call(method: str, url: str, **kwargs: Any) -> Any:
        if kwargs.get("data") == body:
            kwargs["data"] = _half_then_pause(body)
        return send(method, url, **kwargs)

    return call


def main() -> int:
    import torch

    torch.set_num_threads(1)
    from harness import FAST

    from coordinator.round_state import SiteStep
    from siteapp.federation.join_report import Progress
    from siteapp.federation.runner import RoundRunner

    stage = os.environ.get(PAUSE_AT)
    if stage == "uploading":
        _install_upload_pause()

    def on_progress(progress: Progress) -> None:
        print(f"{progress.step}|{progress.round}|{progress.fraction}", flush=True)
        if stage == "training" and progress.step is SiteStep.TRAINING and (progress.fraction or 0) >= 0.5:
            _pause_forever()
        if stage == "encrypting" and progress.step is SiteStep.ENCRYPTING:
            _pause_forever()

    report = RoundRunner(Path(sys.argv[1]), options=FAST, on_progress=on_progress).run()
    print(f"done|{len(report.rounds)}|{report.epsilon_spent}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
