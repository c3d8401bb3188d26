"""The window never freezes: event-loop latency while 2,000 DICOM files import."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from .helpers import settle_painting, wait_idle, wait_worker

IMPORT_FILES = 2_000
TICK_MS = 10
MAX_GAP_MS = 100.0


@pytest.fixture(scope="session")
def two_thousand_files(tmp_path_factory: pytest.TempPathFactory, ui_phantom_site: Path) -> Path:
    """2,000 real DICOM files: the phantom's images re-saved with fresh instance UIDs."""
    import pydicom
    from pydicom.uid import generate_uid

    templates = [pydicom.dcmread(p) for p in sorted(ui_phantom_site.rglob("*.dcm"))]
    out = tmp_path_factory.mktemp("two-thousand")
    for number in range(IMPORT_FILES):
        ds = templates[number % len(templates)]
        uid = generate_uid(entropy_srcs=["medfed-ui-latency", str(number)])
        ds.SOPInstanceUID = uid
        ds.file_meta.MediaStorageSOPInstanceUID = uid
        ds.InstanceNumber = number + 1
        ds.save_as(out / f"IM{number:05d}.dcm", enforce_file_format=True)
    return out


def machine_overloaded() -> bool:
    """More runnable work than cores (CI neighbours, other test runs): the OS may not
    schedule this process for a while however idle its event loop is."""
    return os.getloadavg()[0] > (os.cpu_count() or 1)


class GapMeter:
    """Records the longest interval between ticks of a 10 ms timer on the GUI thread.

    Each gap is measured twice: in wall time, and in CPU time this process used during
    it. A long wall gap with little CPU means the OS did not run the process (an
    overloaded machine); a long CPU gap means the app itself kept the loop busy.
    """

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.last_cpu = 0.0
        self.started = 0.0
        self.max_gap_ms = 0.0
        self.max_cpu_gap_ms = 0.0
        self.ticks = 0
        self.long_gaps: list[tuple[float, float]] = []  # (seconds after start, gap ms)

    def start(self) -> None:
        self.last = self.started = time.perf_counter()
        self.last_cpu = time.process_time()
        self.timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        gap_ms = (now - self.last) * 1000.0
        cpu_gap_ms = min(gap_ms, (cpu - self.last_cpu) * 1000.0)
        if gap_ms > MAX_GAP_MS / 2:
            self.long_gaps.append((round(self.last - self.started, 3), round(gap_ms, 1), round(cpu_gap_ms, 1)))
        self.max_gap_ms = max(self.max_gap_ms, gap_ms)
        self.max_cpu_gap_ms = max(self.max_cpu_gap_ms, cpu_gap_ms)
        self.last, self.last_cpu = now, cpu
        self.ticks += 1

    def stop(self) -> None:
        self.timer.stop()

    def assert_responsive(self) -> None:
        """Max gap under 100 ms; on an overloaded machine, the part the app caused."""
        report = (f"max gap {self.max_gap_ms:.1f} ms (CPU {self.max_cpu_gap_ms:.1f} ms) over "
                  f"{self.ticks} ticks; long gaps (start s, wall ms, cpu ms): {self.long_gaps}")
        print(report)
        assert self.max_cpu_gap_ms < MAX_GAP_MS, report
        if not machine_overloaded():
            assert self.max_gap_ms < MAX_GAP_MS, report


def test_event_loop_stays_under_100ms_while_importing_2000_files(
    qtbot, make_window, site_dir: Path, two_thousand_files: Path
) -> None:
    window = make_window(site_dir)
    page = window.show_page("studies")
    wait_idle(qtbot)
    settle_painting(qtbot)
    meter = GapMeter()
    meter.start()
    worker = page.start_import([two_thousand_files])
    wait_worker(qtbot, worker, 120_000)
    wait_idle(qtbot, timeout_ms=60_000)
    meter.stop()
    assert page.last_report.instances_imported == IMPORT_FILES
    assert meter.ticks > 10
    meter.assert_responsive()


def test_cancel_mid_import_keeps_what_was_committed(
    qtbot, make_window, site_dir: Path, two_thousand_files: Path
) -> None:
    window = make_window(site_dir)
    page = window.show_page("studies")
    wait_idle(qtbot)
    worker = page.start_import([two_thousand_files])
    worker.signals.progress.connect(lambda _d, _t: page.cancel_import())
    wait_worker(qtbot, worker, 120_000)
    wait_idle(qtbot)
    report = page.last_report
    assert report.cancelled
    assert 0 < report.instances_imported < IMPORT_FILES
    assert "cancelled" in page.notice.label.text()
