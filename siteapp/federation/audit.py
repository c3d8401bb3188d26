"""The audit log: every request this site sent to the coordinator, and what it carried.

:class:`AuditLog.record` is the ``on_request`` hook of
:class:`coordinator.client.CoordinatorClient`, so nothing reaches the network without a
row here: time, method, endpoint, bytes of the body, SHA-256 of the body (the same hash
the coordinator stores for an upload), what the body carried, the HTTP status and the
number of attempts. The GUI reads it with :meth:`AuditLog.query` and exports CSV.
"""

from __future__ import annotations

import csv
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from coordinator.client import RequestRecord
from coordinator.settings import API_PREFIX
from siteapp.federation.store import connect

# What a request is, from its method and path; the GUI filters on these.
KINDS = ("poll", "download", "upload", "metrics", "masking", "other")


def request_kind(method: str, endpoint: str) -> str:
    """Classify a request for filtering: uploads and masking messages carry data."""
    path = endpoint.removeprefix(API_PREFIX)
    if "/masking/" in path:
        return "masking" if method != "GET" else "poll"
    if path.endswith("/metrics"):
        return "metrics"
    if method in ("PUT", "POST"):
        return "upload"
    if path.endswith("/result") or path == "/initial-model":
        return "download"
    if method == "GET":
        return "poll"
    return "other"


def _describe(record: RequestRecord) -> str:
    if record.carried:
        return record.carried
    if record.method == "GET":
        return "nothing (a request for the plan, the round state or a message)"
    return "an empty body"


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
    carried: str
    attempts: int

    @property
    def at_iso(self) -> str:
        return datetime.fromtimestamp(self.at, UTC).isoformat(timespec="milliseconds")

    def to_dict(self) -> dict[str, object]:
        return asdict(self) | {"at_iso": self.at_iso}


class AuditLog:
    """The audit table of one data folder; safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        with connect(self.data_dir):
            pass

    def record(self, record: RequestRecord) -> None:
        """Append one completed (or finally failed) request; the client's hook."""
        with connect(self.data_dir) as conn, conn:
            conn.execute(
                "INSERT INTO federation_audit(at, method, endpoint, kind, status, bytes_sent,"
                " body_sha256, carried, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(), record.method, record.endpoint,
                    request_kind(record.method, record.endpoint), record.status,
                    record.bytes_sent, record.body_sha256, _describe(record), record.attempts,
                ),
            )

    def query(
        self,
        since: float | None = None,
        until: float | None = None,
        kind: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries oldest first, optionally within ``[since, until)`` (Unix time) and of
        one ``kind`` (see :data:`KINDS`); ``limit`` keeps the newest ones."""
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
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM federation_audit{where} ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with connect(self.data_dir) as conn:
            rows = conn.execute(sql, params).fetchall()
        return [AuditEntry(**dict(r)) for r in reversed(rows)]

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
