"""Run a job in a child process, reported through the worker that supervises it.

Training and inference import torch and Opacus and load their extensions lazily; a
module import or ``dlopen`` holds Python's GIL for hundreds of milliseconds, which would
freeze the window if the job ran on a thread of the GUI process. So those jobs run in a
spawned child: the supervising :class:`~siteapp.ui.workers.Worker` thread forwards the
child's ``progress``/``status``/``publish`` calls as signals, passes a cancel request on,
and re-raises the child's error (a person's message stays as written; anything else is
logged by the child with its traceback). A child that dies is reported, never hangs.

A job is named ``"package.module:function"``; the function is called in the child as
``function(ctx, **kwargs)`` with a :class:`~siteapp.ui.workers.JobContext`, exactly as a
thread worker would call it, so the same function runs in tests, the CLI or here.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import queue as queue_module
import time
from pathlib import Path
from typing import Any

from coordinator.errors import CoordinatorError
from siteapp.errors import UserFacingError
from siteapp.ui.logging_setup import configure_file_logging, get_logger
from siteapp.ui.workers import JobContext

log = get_logger("child_process")

#: How often the supervisor checks for a cancel request and a dead child (seconds).
POLL_S = 0.05
#: Scheduling priority of the child (Unix "nice"): training yields the CPU to the window.
CHILD_NICENESS = 19
#: How long the parent waits for a child that answered (or was terminated) to exit.
EXIT_WAIT_S = 5.0
#: How long a cancelled child may take to stop on its own before it is terminated.
CANCEL_GRACE_S = 30.0


class ChildProcessError(UserFacingError):
    """The child process running a job stopped without an answer."""


def _resolve(target: str):
    module_name, _, function_name = target.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def _child_main(target: str, kwargs: dict[str, Any], messages, cancel, log_dir: str | None) -> None:
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)
    if log_dir:
        configure_file_logging(Path(log_dir))
    ctx: JobContext[object] = JobContext(
        progress=lambda done, total: messages.put(("progress", (int(done), int(total)))),
        status=lambda text: messages.put(("status", str(text))),
        publish=lambda value: messages.put(("yielded", value)),
        cancel=cancel,
    )
    try:
        result = _resolve(target)(ctx, **kwargs)
    except (UserFacingError, CoordinatorError) as exc:  # written for a person
        messages.put(("user_error", exc.words or str(exc)))
    except BaseException as exc:  # reported to the parent, which shows the next step
        get_logger("child").error("job %s failed", target, exc_info=exc)
        messages.put(("crash", f"{type(exc).__name__}: {exc}"))
    else:
        messages.put(("result", result))
    # The answer is delivered: flush it, then leave without the interpreter's teardown,
    # which takes seconds once torch is loaded and would only delay the parent.
    messages.close()
    messages.join_thread()
    logging.shutdown()
    os._exit(0)


def run_in_child(
    ctx: JobContext,
    target: str,
    log_dir: Path | None = None,
    cancel_grace_s: float = CANCEL_GRACE_S,
    **kwargs: Any,
) -> Any:
    """Run ``target(ctx, **kwargs)`` in a spawned process; call from a worker thread.

    After a cancel request the child has ``cancel_grace_s`` to stop on its own (training
    stops between two steps and keeps its ledger right) before it is terminated.
    """
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    cancel = context.Event()
    process = context.Process(
        target=_child_main,
        args=(target, kwargs, messages, cancel, str(log_dir) if log_dir else None),
        name=f"medfed-{target.rsplit(':', 1)[-1]}",
        daemon=True,
    )
    process.start()
    cancel_sent_at: float | None = None
    try:
        while True:
            if ctx.cancelled() and not cancel.is_set():
                cancel.set()
                cancel_sent_at = time.monotonic()
            try:
                kind, payload = messages.get(timeout=POLL_S)
            except queue_module.Empty:
                if not process.is_alive():
                    raise ChildProcessError(
                        f"the background process stopped unexpectedly (exit code {process.exitcode}); "
                        "try again, and if it happens again send the log file to your IT support"
                    ) from None
                if cancel_sent_at is not None and time.monotonic() - cancel_sent_at > cancel_grace_s:
                    process.terminate()
                continue
            if kind == "progress":
                ctx.progress(*payload)
            elif kind == "status":
                ctx.status(payload)
            elif kind == "yielded":
                ctx.publish(payload)
            elif kind == "result":
                return payload
            elif kind == "user_error":
                raise UserFacingError(payload)  # its Words, when it had them
            else:
                raise RuntimeError(f"{target} failed in the background process: {payload}")
    finally:
        process.join(timeout=EXIT_WAIT_S)
        if process.is_alive():
            process.terminate()
            process.join(timeout=EXIT_WAIT_S)
        messages.close()
