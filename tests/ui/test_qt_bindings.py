"""The Qt bindings must not corrupt Python's reference counts.

PySide6 6.12.0 drops a reference to ``True`` on every ``Signal.emit()``; on Python 3.11,
where ``True`` is not immortal, a session that emits enough progress signals then dies
with "Fatal Python error: bool_dealloc". This guards the pinned version.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

EMITS = 2_000


class _Emitter(QObject):
    progress = Signal(int, int)
    changed = Signal()


def test_signal_emit_keeps_reference_counts(qtbot) -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.progress.connect(lambda done, _total: received.append(done))
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for number in range(EMITS):
        emitter.progress.emit(number, EMITS)
        emitter.changed.emit()
    after = (sys.getrefcount(True), sys.getrefcount(False))
    assert len(received) == EMITS
    assert after == before, (
        f"Signal.emit() changed the reference counts of True/False by "
        f"{after[0] - before[0]}/{after[1] - before[1]} over {EMITS} emits; this PySide6 "
        "build corrupts memory (6.12.0 does): install the version pinned in constraints"
    )
