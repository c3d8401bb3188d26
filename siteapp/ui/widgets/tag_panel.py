"""The DICOM tag panel: every header element of the instance on screen, filterable."""

from __future__ import annotations

import warnings
from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

#: Values longer than this are cut in the panel (the file is unchanged).
MAX_VALUE_CHARS = 120
#: Nested sequences deeper than this are summarised, not expanded.
MAX_SEQUENCE_DEPTH = 3
NAME_COLUMN_MAX_PX = 170


def _value_text(element) -> str:
    if element.VR in ("OB", "OW", "OF", "OD", "OL", "OV", "UN"):
        length = len(element.value) if element.value is not None else 0
        return f"<{length} bytes>"
    text = str(element.value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


class TagPanel(QWidget):
    """Tag, name, VR and value of each element; sequences expand as children."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter tags (name or number)…"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.apply_filter)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([self.tr("Tag"), self.tr("Name"), self.tr("VR"), self.tr("Value")])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        self.path: Path | None = None

    def show_file(self, path: Path | None) -> None:
        """Read the header of ``path`` (no pixel data) and list its elements."""
        self.tree.clear()
        self.path = path
        if path is None:
            return
        import pydicom

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dataset = pydicom.dcmread(path, stop_before_pixels=True, force=True)
        except (OSError, ValueError, EOFError) as exc:
            item = QTreeWidgetItem(["", self.tr("Cannot read this file's header"), "", str(exc)])
            self.tree.addTopLevelItem(item)
            return
        if getattr(dataset, "file_meta", None):
            self._add_elements(dataset.file_meta, None, 0)
        self._add_elements(dataset, None, 0)
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        self.tree.setColumnWidth(1, min(self.tree.columnWidth(1), NAME_COLUMN_MAX_PX))
        self.apply_filter(self.filter_edit.text())

    def _add_elements(self, dataset, parent: QTreeWidgetItem | None, depth: int) -> None:
        for element in dataset:
            tag = f"({element.tag.group:04X},{element.tag.element:04X})"
            if element.VR == "SQ":
                item = QTreeWidgetItem([tag, element.name, "SQ", self.tr("{n} item(s)").format(n=len(element.value))])
                if depth < MAX_SEQUENCE_DEPTH:
                    for number, child in enumerate(element.value, start=1):
                        child_item = QTreeWidgetItem(["", self.tr("Item {n}").format(n=number), "", ""])
                        item.addChild(child_item)
                        self._add_elements(child, child_item, depth + 1)
            else:
                item = QTreeWidgetItem([tag, element.name, str(element.VR), _value_text(element)])
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)

    def apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is None:
                continue
            haystack = " ".join(item.text(col) for col in range(4)).lower()
            item.setHidden(bool(needle) and needle not in haystack)

    def rows(self) -> list[tuple[str, str, str]]:
        """(tag, name, value) of the visible top-level rows (for tests and export)."""
        out = []
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is not None and not item.isHidden():
                out.append((item.text(0), item.text(1), item.text(3)))
        return out
