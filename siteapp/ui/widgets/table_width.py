"""A table as wide as its columns' text, so a page's layout gives it room instead of
cutting the last column behind a scroll bar (the Federation page's rounds, the Privacy
page's ledger)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QTableWidget


def fit_width_to_columns(
    table: QTableWidget, limit_px: int | None = None, given_px: Mapping[int, int] | None = None
) -> None:
    """Set ``table``'s minimum width to its columns' widest text (header or cell) plus its
    frame and vertical scroll bar, at most ``limit_px``; call after filling it.
    ``given_px``: columns whose width the caller knows better (the Labels list's names,
    measured over every patient, not only the rows laid out)."""
    header = table.horizontalHeader()
    given = given_px or {}
    columns = sum(given.get(c, max(table.sizeHintForColumn(c), header.sectionSizeHint(c)))
                  for c in range(table.columnCount()) if not table.isColumnHidden(c))
    chrome = table.verticalScrollBar().sizeHint().width() + 2 * table.frameWidth()
    width = columns + chrome
    table.setMinimumWidth(width if limit_px is None else min(width, limit_px))
