"""Helpers shared by the GUI tests."""

from __future__ import annotations


def wait_idle(qtbot, timeout_ms: int = 15_000) -> None:
    """Wait until no background worker is running and queued signals are delivered."""
    from siteapp.ui.workers import active_workers

    qtbot.waitUntil(lambda: not active_workers(), timeout=timeout_ms)
    qtbot.wait(20)


def settle_painting(qtbot, ms: int = 300) -> None:
    """Let pending layout and paint events of a freshly shown page run before measuring."""
    qtbot.wait(ms)


def wait_worker(qtbot, worker, timeout_ms: int = 60_000) -> None:
    """Wait until ``worker`` has run to its end and its queued signals were delivered.

    Pages start their workers themselves, so a test cannot connect to ``done`` before
    the job may already have finished; the worker's thread-safe event cannot be missed.
    """
    qtbot.waitUntil(worker.finished_event.is_set, timeout=timeout_ms)
    qtbot.wait(50)
