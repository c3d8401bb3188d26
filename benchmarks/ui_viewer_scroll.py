"""How smoothly the site app's viewer scrolls and windows a 512x512 CT series.

Renders offscreen: each step changes the slice (or the window) and forces a repaint,
which is what a radiologist's mouse wheel or drag does. Prints a table and writes JSON.
Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ui_viewer_scroll.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

SLICES = 120
MATRIX = 512
STEPS = 240
OUT = Path(os.environ.get("BENCH_OUT", "bench-out")) / "ui_viewer_scroll.json"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from siteapp.dicom.pixels import WINDOW_PRESETS
    from siteapp.ui.widgets.image_viewer import ImageViewer

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rng = np.random.default_rng(0)
    volume = rng.normal(-500.0, 300.0, size=(SLICES, MATRIX, MATRIX)).astype(np.float32)
    viewer = ImageViewer()
    viewer.set_presets(WINDOW_PRESETS)
    viewer.resize(900, 900)
    viewer.show()
    viewer.set_volume(volume, "lung")
    app.processEvents()

    def timed(action) -> list[float]:
        times = []
        for step in range(STEPS):
            start = time.perf_counter()
            action(step)
            viewer.graphics.viewport().repaint()
            times.append((time.perf_counter() - start) * 1000.0)
        return times

    results = {
        "slice scroll": timed(lambda step: viewer.set_slice(step % SLICES)),
        "window drag": timed(lambda step: viewer.set_window(-600.0 + step, 1500.0 + step)),
    }
    rows = []
    print(f"{'action (512x512 CT)':<22} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'fps':>6}")
    for name, times in results.items():
        median = statistics.median(times)
        p95 = float(np.percentile(times, 95))
        rows.append({"action": name, "median_ms": median, "p95_ms": p95, "max_ms": max(times),
                     "fps": 1000.0 / median, "steps": STEPS})
        print(f"{name:<22} {median:>10.2f} {p95:>8.2f} {max(times):>8.2f} {1000.0 / median:>6.0f}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"matrix": MATRIX, "slices": SLICES, "results": rows}, indent=2))
    print(f"wrote {OUT}")
    viewer.close()
    viewer.deleteLater()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
