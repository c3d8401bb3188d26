"""Long work off the GUI thread: import, thumbnails, training, a federation round.

A job is a plain function ``fn(ctx: JobContext) -> result``: the same function the CLI
and tests call, wrapped so it reports through ``ctx.progress(done, total)`` and
``ctx.status(text)`` and stops early when ``ctx.cancel`` is set. :class:`Worker` runs it
on ``QThreadPool`` and turns those calls into Qt signals the GUI thread reacts to:

- ``started()``
- ``progress(done, total)`` (throttled, so a fast job cannot flood the event queue)
- ``status(text)``
- ``yielded(value)`` for partial results (a thumbnail, one round's metrics)
- ``finished(result)`` when the function returned (also after a cancel it honoured)
- ``errored(message)``: a message for a person; the traceback goes to the log file
- ``done()`` after either of the last two, for cleanup
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from siteapp.ui.error_messages import user_message
from siteapp.ui.logging_setup import get_logger
from siteapp.ui.ui_settings import UI_DEFAULTS

log = get_logger("workers")


@dataclass
class JobContext:
    """What a job function may use to report and to notice a cancel request."""

    progress: Callable[[int, int], None]
    status: Callable[[str], None]
    publish: Callable[[object], None] = lambda _value: None
    cancel: threading.Event = field(default_factory=threading.Event)

    def cancelled(self) -> bool:
        return self.cancel.is_set()


class WorkerSignals(QObject):
    started = Signal()
    progress = Signal(int, int)
    status = Signal(str)
    yielded = Signal(object)
    finished = Signal(object)
    errored = Signal(str)
    done = Signal()


_POOL: QThreadPool | None = None


def worker_pool() -> QThreadPool:
    """The app's own pool. Most jobs wait on disk, the network or a child process, so it
    has more threads than cores: a long federation round must not queue a thumbnail."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(UI_DEFAULTS.worker_threads)
    return _POOL


# Workers alive on the pool; a QRunnable wrapper collected by Python mid-run would crash.
_ACTIVE: set[Worker] = set()
_ACTIVE_LOCK = threading.Lock()


class Worker(QRunnable):
    """Run ``fn(ctx)`` on the thread pool and report through :class:`WorkerSignals`.

    ``action`` names the work in words ("importing studies") for error messages and the
    log.
    """

    def __init__(self, fn: Callable[[JobContext], Any], action: str) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.action = action
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self._last_progress = 0.0
        self.result: Any = None
        self.error: str | None = None
        self.finished_event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check; it reports ``finished`` when it has."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= UI_DEFAULTS.progress_min_interval_s:
            self._last_progress = now
            self.signals.progress.emit(int(done), int(total))

    def start(self, pool: QThreadPool | None = None) -> Worker:
        with _ACTIVE_LOCK:
            _ACTIVE.add(self)
        (pool or worker_pool()).start(self)
        return self

    def run(self) -> None:
        ctx = JobContext(
            progress=self._progress,
            status=self.signals.status.emit,
            publish=self.signals.yielded.emit,
            cancel=self._cancel,
        )
        self.signals.started.emit()
        try:
            self.result = self.fn(ctx)
        except Exception as exc:
            self.error = user_message(exc, self.action)
            self.signals.errored.emit(self.error)
        else:
            log.info("%s finished%s", self.action, " (cancelled)" if self.cancel_requested else "")
            self.signals.finished.emit(self.result)
        finally:
            self.finished_event.set()
            self.signals.done.emit()
            with _ACTIVE_LOCK:
                _ACTIVE.discard(self)


def active_workers() -> list[Worker]:
    with _ACTIVE_LOCK:
        return list(_ACTIVE)


def cancel_all_and_wait(timeout_s: float) -> bool:
    """Cancel every running job and wait for them; True when all have stopped."""
    workers = active_workers()
    for worker in workers:
        worker.cancel()
    deadline = time.monotonic() + timeout_s
    for worker in workers:
        remaining = max(0.0, deadline - time.monotonic())
        if not worker.finished_event.wait(remaining):
            return False
    return True
