"""Workers report progress, results, cancel and errors as signals, and log details."""

from __future__ import annotations

import time
from pathlib import Path

from siteapp.errors import UserFacingError
from siteapp.ui.logging_setup import configure_file_logging
from siteapp.ui.workers import JobContext, Worker


def test_progress_and_result_arrive_on_the_gui_thread(qtbot) -> None:
    seen: list[tuple[int, int]] = []

    def job(ctx: JobContext) -> int:
        for i in range(1, 6):
            ctx.progress(i, 5)
        return 42

    worker = Worker(job, "counting")
    worker.signals.progress.connect(lambda d, t: seen.append((d, t)))
    with qtbot.waitSignal(worker.signals.finished, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == [42]
    qtbot.waitUntil(lambda: (5, 5) in seen)


def test_cancel_stops_the_job_at_its_next_check(qtbot) -> None:
    def job(ctx: JobContext) -> str:
        while not ctx.cancelled():
            time.sleep(0.005)
        return "stopped"

    worker = Worker(job, "waiting")
    with qtbot.waitSignal(worker.signals.finished, timeout=5000) as blocker:
        worker.start()
        qtbot.wait(30)
        worker.cancel()
    assert blocker.args == ["stopped"]


def test_domain_error_is_shown_as_written(qtbot) -> None:
    def job(_ctx: JobContext) -> None:
        raise UserFacingError("the kit is expired; ask the operator for a new one")

    worker = Worker(job, "importing the kit")
    with qtbot.waitSignal(worker.signals.errored, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == ["the kit is expired; ask the operator for a new one"]


def test_unexpected_error_shows_next_step_and_logs_traceback(qtbot, tmp_path: Path) -> None:
    log_file = configure_file_logging(tmp_path)

    def job(_ctx: JobContext) -> None:
        raise ZeroDivisionError("boom inside the job")

    worker = Worker(job, "computing something")
    with qtbot.waitSignal(worker.signals.errored, timeout=5000) as blocker:
        worker.start()
    message = blocker.args[0]
    assert "computing something" in message
    assert "log" in message
    assert "Traceback" not in message and "ZeroDivisionError" not in message
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and "boom inside the job" in logged


def test_app_log_lines_stay_in_the_file_not_on_stderr(tmp_path: Path) -> None:
    """Opacus installs a root stderr handler on import; the app's INFO lines must not
    reach it (they would spam the terminal that started the GUI)."""
    import logging

    import opacus  # noqa: F401  (its import is what adds the root handler)

    from siteapp.ui.logging_setup import get_logger

    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    root_handler = Collect()
    logging.getLogger().addHandler(root_handler)
    try:
        log_file = configure_file_logging(tmp_path)
        get_logger("test").info("only in the file")
    finally:
        logging.getLogger().removeHandler(root_handler)
    assert "only in the file" in log_file.read_text(encoding="utf-8")
    assert not [r for r in seen if r.getMessage() == "only in the file"]
