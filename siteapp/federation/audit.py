"""The audit log: every request this site sent to the coordinator, and what it carried.

:class:`AuditLog.record` is the ``on_request`` hook of
:class:`coordinator.client.CoordinatorClient`, so nothing reaches the network without a
row here: time, method, endpoint, bytes of the body, SHA-256 of the body (the same hash
the coordinator stores for an upload), what the body carried, the HTTP status and the
number of attempts. The GUI reads it with :meth:`AuditLog.query` and exports CSV.

What a request carried is kept twice: as the English sentence the security officer reads
in the table, the CSV and the CLI (``carried``), and as its
:class:`~coordinator.words.Words` (template and values, as JSON) so the GUI can show it
in the user's language. Entries recorded before the words were kept have only the
sentence.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from coordinator.client import RequestRecord
from coordinator.settings import API_PREFIX
from coordinator.words import Words, say
from siteapp.federation.store import connect

# What a request is, from its method and path; the GUI filters on these.
KINDS = ("poll", "download", "upload", "metrics", "masking", "keys", "other")


def request_kind(method: str, endpoint: str) -> str:
    """Classify a request for filtering: uploads and masking messages carry data."""
    path = endpoint.removeprefix(API_PREFIX)
    if "/masking/" in path:
        return "masking" if method != "GET" else "poll"
    if path.startswith("/ckks/key"):  # the CKKS key: this site's request, or copies it sealed
        return "keys" if method != "GET" else "poll"
    if path.endswith("/metrics"):
        return "metrics"
    if method in ("PUT", "POST"):
        return "upload"
    if path.endswith("/result") or path == "/initial-model":
        return "download"
    if method == "GET":
        return "poll"
    return "other"


def _describe(record: RequestRecord) -> Words:
    if record.carried is not None:
        return record.carried
    if record.method == "GET":
        return say("nothing (a request for the plan, the round state or a message)")
    return say("an empty body")


def _words_json(words: Words) -> str:
    """The words as stored; a value JSON cannot hold is kept as its text."""
    return json.dumps({"template": words.template, "fields": dict(words.fields)}, default=str)


def _words_from_json(stored: str | None) -> Words | None:
    if stored is None:
        return None
    data = json.loads(stored)
    return Words(str(data["template"]), dict(data["fields"]))


#: Polls in a row with fewer seconds between them than this are shown as one line.
POLL_GROUP_GAP_S = 15 * 60.0


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    method: str
    endpoint: str
    kind: str
    status: int | None
    bytes_sent: int
    body_sha256: str | None
    carried: str  # in English, as recorded
    attempts: int
    carried_words: Words | None = None  # the same for translation; None in older entries

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditEntry:
        values = dict(row)
        words = _words_from_json(values.pop("carried_words"))
        return cls(**values, carried_words=words)

    @property
    def at_iso(self) -> str:
        return datetime.fromtimestamp(self.at, UTC).isoformat(timespec="milliseconds")

    def to_dict(self) -> dict[str, object]:
        return asdict(self) | {"at_iso": self.at_iso}


@dataclass(frozen=True)
class AuditLine:
    """One line of the audit page: a request, or a run of consecutive status polls.

    Polls carry nothing but they are most of the log (a site polls while it waits);
    grouping them keeps every request countable without hiding the ones that carried data.
    """

    first: AuditEntry
    last: AuditEntry
    count: int

    @property
    def bytes_sent(self) -> int:
        return self.first.bytes_sent if self.count == 1 else 0

    @property
    def is_group(self) -> bool:
        return self.count > 1


def group_polls(entries: list[AuditEntry], gap_s: float = POLL_GROUP_GAP_S) -> list[AuditLine]:
    """Entries oldest first as lines; consecutive bodiless polls become one line."""
    lines: list[AuditLine] = []
    for entry in entries:
        previous = lines[-1] if lines else None
        if (entry.kind == "poll" and entry.bytes_sent == 0 and previous is not None
                and previous.first.kind == "poll" and previous.first.bytes_sent == 0
                and entry.at - previous.last.at < gap_s):
            lines[-1] = AuditLine(previous.first, entry, previous.count + 1)
        else:
            lines.append(AuditLine(entry, entry, 1))
    return lines


class AuditLog:
    """The audit table of one data folder; safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        with connect(self.data_dir):
            pass

    def record(self, record: RequestRecord) -> None:
        """Append one completed (or finally failed) request; the client's hook."""
        carried = _describe(record)
        with connect(self.data_dir) as conn, conn:
            conn.execute(
                "INSERT INTO federation_audit(at, method, endpoint, kind, status, bytes_sent,"
                " body_sha256, carried, attempts, carried_words)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(), record.method, record.endpoint,
                    request_kind(record.method, record.endpoint), record.status,
                    record.bytes_sent, record.body_sha256, str(carried), record.attempts,
                    _words_json(carried),
                ),
            )

    def query(
        self,
        since: float | None = None,
        until: float | None = None,
        kind: str | None = None,
        limit: int | None = None,
        carried_data: bool = False,
    ) -> list[AuditEntry]:
        """Entries oldest first, optionally within ``[since, until)`` (Unix time), of
        one ``kind`` (see :data:`KINDS`), or only those whose body carried bytes
        (``carried_data``); ``limit`` keeps the newest ones."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        clauses: list[str] = []
        params: list[object] = []
        if since is not None:
            clauses.append("at >= ?")
            params.append(since)
        if until is not None:
            clauses.append("at < ?")
            params.append(until)
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if carried_data:
            clauses.append("bytes_sent > 0")
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM federation_audit{where} ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with connect(self.data_dir) as conn:
            rows = conn.execute(sql, params).fetchall()
        return [AuditEntry.from_row(r) for r in reversed(rows)]

    def bytes_sent(self, since: float | None = None, kind: str | None = None) -> int:
        return sum(e.bytes_sent for e in self.query(since=since, kind=kind))

    def export_csv(self, dest: Path, **filters: object) -> int:
        """Write the (filtered) entries to ``dest`` as CSV; returns the number of rows."""
        entries = self.query(**filters)  # type: ignore[arg-type]
        columns = ["at_iso", "method", "endpoint", "kind", "status", "bytes_sent",
                   "body_sha256", "carried", "attempts"]
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for entry in entries:
                writer.writerow(entry.to_dict())
        return len(entries)
