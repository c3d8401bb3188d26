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

Workers are typed by what their job publishes and returns, as superqt's thread workers
are: ``Worker[Y, R]`` runs ``fn(ctx: JobContext[Y]) -> R``, and its ``on_yielded``,
``on_finished``, ... methods take handlers of those types, so mypy checks a page's
handlers against its job. (Qt signals themselves carry ``object``.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from siteapp.ui.error_messages import user_message
from siteapp.ui.logging_setup import get_logger
from siteapp.ui.ui_settings import UI_DEFAULTS

log = get_logger("workers")

Y = TypeVar("Y")  # what a job publishes while it runs (``yielded``)
R = TypeVar("R")  # what it returns (``finished``)


def _publish_nowhere(_value: object) -> None:
    """A job run without a listener (the CLI, a test) publishes to nobody."""


@dataclass
class JobContext(Generic[Y]):
    """What a job function may use to report and to notice a cancel request."""

    progress: Callable[[int, int], None]
    status: Callable[[str], None]
    publish: Callable[[Y], None] = _publish_nowhere
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
_ACTIVE: set[Worker[Any, Any]] = set()
_ACTIVE_LOCK = threading.Lock()


class Worker(QRunnable, Generic[Y, R]):
    """Run ``fn(ctx)`` on the thread pool and report through :class:`WorkerSignals`.

    ``action`` names the work in words ("importing studies") for error messages and the
    log. Connect handlers with the typed ``on_*`` methods; each returns the worker, so
    they chain before :meth:`start`.
    """

    def __init__(self, fn: Callable[[JobContext[Y]], R], action: str) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.action = action
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self._last_progress = 0.0
        self.result: R | None = None
        self.error: str | None = None
        self.finished_event = threading.Event()

    # typed connections ----------------------------------------------------------------
    def on_yielded(self, handler: Callable[[Y], object]) -> Worker[Y, R]:
        self.signals.yielded.connect(handler)
        return self

    def on_finished(self, handler: Callable[[R], object]) -> Worker[Y, R]:
        self.signals.finished.connect(handler)
        return self

    def on_errored(self, handler: Callable[[str], object]) -> Worker[Y, R]:
        self.signals.errored.connect(handler)
        return self

    def on_done(self, handler: Callable[[], object]) -> Worker[Y, R]:
        self.signals.done.connect(handler)
        return self

    def on_progress(self, handler: Callable[[int, int], object]) -> Worker[Y, R]:
        self.signals.progress.connect(handler)
        return self

    def on_status(self, handler: Callable[[str], object]) -> Worker[Y, R]:
        self.signals.status.connect(handler)
        return self

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

    def start(self, pool: QThreadPool | None = None) -> Worker[Y, R]:
        with _ACTIVE_LOCK:
            _ACTIVE.add(self)
        (pool or worker_pool()).start(self)
        return self

    def run(self) -> None:
        ctx: JobContext[Y] = JobContext(
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


def call_in_worker(fn: Callable[[], R], action: str) -> Worker[None, R]:
    """A worker for a call that neither reports progress nor stops part-way (reading the
    index, the metrics); not yet started."""
    return Worker(lambda _ctx: fn(), action)


def active_workers() -> list[Worker[Any, Any]]:
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
