"""A notice at the top of a page: what happened and what to do next.

Errors are shown here rather than in modal dialogs so the user can keep working, a test
can read them, and nothing ever shows a traceback. The notice floats over the top of the
page's content instead of taking a place in its layout: a banner that appears must not
push the button under the mouse away.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class NoticeKind(Enum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class NoticeBar(QFrame):
    """A dismissable one-message banner; hidden until :meth:`show_notice`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoticeBar")
        self.kind = NoticeKind.INFO
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QToolButton()
        close.setText("\u2715")
        close.setToolTip(self.tr("Dismiss"))
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._anchor: QWidget | None = None
        self._margins = (0, 0)
        self.hide()

    def float_below(self, anchor: QWidget, left: int, right: int) -> None:
        """Float over the parent, just below ``anchor``, ``left``/``right`` px from its edges."""
        self._anchor = anchor
        self._margins = (left, right)
        parent = self.parentWidget()
        if parent is not None:
            parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.parentWidget() and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._place()
        return super().eventFilter(watched, event)

    def _place(self) -> None:
        parent = self.parentWidget()
        if self._anchor is None or parent is None:
            return
        left, right = self._margins
        width = max(parent.width() - left - right, 100)
        top = self._anchor.geometry().bottom() + 4
        self.setGeometry(left, top, width, self.heightForWidth(width) if self.hasHeightForWidth()
                         else self.sizeHint().height())
        self.raise_()

    def show_notice(self, text: str, kind: NoticeKind = NoticeKind.INFO) -> None:
        self.kind = kind
        self.setProperty("kind", kind.value)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.show()
        self._place()

    def text(self) -> str:
        return self.label.text() if self.isVisible() or not self.isHidden() else ""
