"""A question that must be answered before something costly happens (budget, quitting).

Window-modal but not blocking (``open``), so the event loop, workers and tests run on;
the answer calls back. The box is returned so a page can keep it (tests read and answer it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_before(
    parent: QWidget,
    title: str,
    text: str,
    go_label: str,
    stay_label: str,
    on_answer: Callable[[bool], None],
    *,
    destructive: bool = False,
) -> QMessageBox:
    """Ask ``text``; ``on_answer(True)`` only when the person chose ``go_label``.

    The safe answer (``stay_label``) is the default, so Enter never spends anything.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    go_role = QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    go = box.addButton(go_label, go_role)
    stay = box.addButton(stay_label, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(stay)
    box.finished.connect(lambda _result: on_answer(box.clickedButton() is go))
    box.open()
    return box
