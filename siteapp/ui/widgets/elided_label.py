"""A one-line label that elides its text in the middle instead of growing.

A long file path in a plain label (or a word-wrapped one: a path is one long word) sets
the label's minimum width, and through the layouts the window's: the window widens to
show it. This label asks for almost no width, shows as much of both ends of the text as
fits (the folder's start and the file's name) and keeps the whole text in its tooltip
and in :attr:`full_text`.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

#: Characters the label asks room for at least, before it elides.
MINIMUM_CHARACTERS = 12


class ElidedLabel(QLabel):
    """Shows ``full_text`` elided in the middle to its current width; never asks for more
    width than :data:`MINIMUM_CHARACTERS` characters."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().averageCharWidth() * MINIMUM_CHARACTERS, hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text), super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideMiddle, room))
