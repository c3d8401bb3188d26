"""Audit log: every request this site sent to the coordinator, filterable and exportable.

Reads :class:`siteapp.federation.audit.AuditLog`; the rows are what the HTTP client
recorded before anything reached the network (time, what, bytes, SHA-256 of the body).
What a request carried is shown in the window's language where the entry kept its words
(``runner_words``), else as recorded in English; the CSV export stays English.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from siteapp.federation.audit import KINDS, AuditEntry, AuditLine, AuditLog, group_polls
from siteapp.ui.pages.base import Page
from siteapp.ui.runner_words import words_text
from siteapp.ui.session import SiteSession
from siteapp.ui.widgets.notice_bar import NoticeKind

ALL = "*"
CARRIED_DATA = "carried-data"
PERIODS_S = {"hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0}
COLUMNS = 8


class AuditPage(Page):
    page_id = "audit"
    icon_name = "audit"

    def title(self) -> str:
        return self.tr("Audit log")

    def description(self) -> str:
        return self.tr(
            "Every request this workstation sent to the coordinator: when, what it carried, how "
            "many bytes, and the SHA-256 fingerprint of the body. Shown first: the requests that "
            "carried data."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.entries: list[AuditEntry] = []
        self.lines: list[AuditLine] = []
        row = QHBoxLayout()
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("Requests that carried data"), CARRIED_DATA)
        self.kind_combo.addItem(self.tr("Every request (status polls grouped)"), ALL)
        kind_names = {
            "upload": self.tr("Uploads (model updates)"), "download": self.tr("Downloads"),
            "metrics": self.tr("Validation scores"), "masking": self.tr("Masking messages"),
            "keys": self.tr("Encryption key sharing"),
            "poll": self.tr("Status polls"), "other": self.tr("Other"),
        }
        for kind in KINDS:
            self.kind_combo.addItem(kind_names.get(kind, kind), kind)
        # The table's "Kind" column, short: the stored kinds are English identifiers.
        self.kind_words = {
            "upload": self.tr("upload"), "download": self.tr("download"),
            "metrics": self.tr("validation"), "masking": self.tr("masking"),
            "keys": self.tr("key sharing"), "poll": self.tr("poll"), "other": self.tr("other"),
        }
        self.period_combo = QComboBox()
        self.period_combo.addItem(self.tr("All time"), ALL)
        self.period_combo.addItem(self.tr("Last hour"), "hour")
        self.period_combo.addItem(self.tr("Last day"), "day")
        self.period_combo.addItem(self.tr("Last week"), "week")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search endpoint, hash, content…"))
        self.search_edit.setClearButtonEnabled(True)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.choose_and_export)
        row.addWidget(QLabel(self.tr("Show")))
        row.addWidget(self.kind_combo)
        row.addWidget(self.period_combo)
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.export_button)
        self.body.addLayout(row)
        self.totals_label = QLabel()
        self.body.addWidget(self.totals_label)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Time (UTC)"), self.tr("Kind"), self.tr("Request"), self.tr("HTTP"),
             self.tr("Bytes sent"), self.tr("SHA-256"), self.tr("What it carried"), self.tr("Tries")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.table, 1)
        self.kind_combo.currentIndexChanged.connect(self.refresh_now)
        self.period_combo.currentIndexChanged.connect(self.refresh_now)
        self.search_edit.textChanged.connect(self._apply_search)
        session.audit_changed.connect(self.mark_stale)

    def filters(self) -> dict[str, object]:
        kind = self.kind_combo.currentData()
        period = self.period_combo.currentData()
        out: dict[str, object] = {}
        if kind == CARRIED_DATA:
            out["carried_data"] = True
        elif kind != ALL:
            out["kind"] = kind
        if period != ALL:
            out["since"] = time.time() - PERIODS_S[str(period)]
        return out

    def refresh(self) -> None:
        self.entries = AuditLog(self.session.data_dir).query(**self.filters())  # type: ignore[arg-type]
        self.lines = group_polls(self.entries)
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(reversed(self.lines)):  # newest first
            for col, value in enumerate(self._line_values(line)):
                item = QTableWidgetItem(value)
                if col == 5 and line.first.body_sha256:
                    item.setToolTip(line.first.body_sha256)
                self.table.setItem(row, col, item)
        total = sum(e.bytes_sent for e in self.entries)
        uploads = sum(1 for e in self.entries if e.kind == "upload")
        polls = sum(1 for e in self.entries if e.kind == "poll")
        self.totals_label.setText(self.tr(
            "{n} request(s) shown ({polls} of them status polls that carried nothing), "
            "{uploads} upload(s), {total:,} bytes sent in total."
        ).format(n=len(self.entries), polls=polls, uploads=uploads, total=total))
        self._apply_search(self.search_edit.text())

    def _line_values(self, line: AuditLine) -> list[str]:
        e = line.first
        when = e.at_iso.replace("T", " ")[:19]
        if not line.is_group:
            return [when, self.kind_words.get(e.kind, e.kind), f"{e.method} {e.endpoint}",
                    "" if e.status is None else str(e.status), f"{e.bytes_sent:,}",
                    (e.body_sha256 or "")[:16],
                    e.carried if e.carried_words is None else words_text(e.carried_words),
                    str(e.attempts)]
        until = line.last.at_iso.replace("T", " ")[11:19]
        return [f"{when} – {until}", self.kind_words.get(e.kind, e.kind),
                self.tr("{n} status polls").format(n=line.count), "", "0", "",
                self.tr("nothing (asked for the plan or the round state)"), ""]

    def _apply_search(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.table.rowCount()):
            items = (self.table.item(row, c) for c in range(COLUMNS))
            haystack = " ".join(item.text() for item in items if item is not None).lower()
            self.table.setRowHidden(row, bool(needle) and needle not in haystack)

    def choose_and_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the audit log"), "audit-log.csv",
                                              self.tr("CSV files (*.csv)"))
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> int | None:
        try:
            count = AuditLog(self.session.data_dir).export_csv(path, **self.filters())
        except Exception as exc:
            self.show_exception(exc, self.tr("exporting the audit log"))
            return None
        self.show_info(self.tr("{n} request(s) written to {file}.").format(n=count, file=path), NoticeKind.SUCCESS)
        return count
