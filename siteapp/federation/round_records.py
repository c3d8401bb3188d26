"""The site's progress through each round, persisted before each step depends on it.

Each round's record carries a :class:`~coordinator.round_state.SiteRoundStatus`
(recorded, trained, uploaded, reported; or missed: too late, or a masking round it
restarted in).
A restarted site reads this to resume: it never trains a round twice without a second
ledger entry, and never uploads a stale update.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from coordinator.round_state import SiteRoundStatus
from siteapp.federation.store import connect


@dataclass(frozen=True)
class SiteRound:
    federation: str
    round: int
    status: SiteRoundStatus
    ledger_entry_id: int | None = None
    num_examples: int | None = None
    update_path: str | None = None
    upload_sha256: str | None = None
    upload_bytes: int | None = None
    epsilon_after: float | None = None
    metrics: dict[str, object] | None = field(default=None)
    note: str = ""

    def advanced(self, status: SiteRoundStatus, **changes: object) -> SiteRound:
        return replace(self, status=status, **changes)  # type: ignore[arg-type]


class SiteRounds:
    """The ``federation_rounds`` rows of one federation in one data folder."""

    def __init__(self, data_dir: Path, federation: str) -> None:
        self.data_dir = Path(data_dir)
        self.federation = federation

    def save(self, record: SiteRound) -> SiteRound:
        with connect(self.data_dir) as conn, conn:
            conn.execute(
                "INSERT INTO federation_rounds(federation, round, phase, ledger_entry_id,"
                " num_examples, update_path, upload_sha256, upload_bytes, epsilon_after,"
                " metrics_json, note, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(federation, round) DO UPDATE SET phase = excluded.phase,"
                " ledger_entry_id = excluded.ledger_entry_id, num_examples = excluded.num_examples,"
                " update_path = excluded.update_path, upload_sha256 = excluded.upload_sha256,"
                " upload_bytes = excluded.upload_bytes, epsilon_after = excluded.epsilon_after,"
                " metrics_json = excluded.metrics_json, note = excluded.note,"
                " updated_at = excluded.updated_at",
                (
                    record.federation, record.round, record.status.value, record.ledger_entry_id,
                    record.num_examples, record.update_path, record.upload_sha256,
                    record.upload_bytes, record.epsilon_after,
                    None if record.metrics is None else json.dumps(record.metrics),
                    record.note, datetime.now(UTC).isoformat(timespec="seconds"),
                ),
            )
        return record

    def get(self, round_number: int) -> SiteRound | None:
        with connect(self.data_dir) as conn:
            row = conn.execute(
                "SELECT * FROM federation_rounds WHERE federation = ? AND round = ?",
                (self.federation, round_number),
            ).fetchone()
        return None if row is None else self._record(row)

    def all(self) -> list[SiteRound]:
        with connect(self.data_dir) as conn:
            rows = conn.execute(
                "SELECT * FROM federation_rounds WHERE federation = ? ORDER BY round",
                (self.federation,),
            ).fetchall()
        return [self._record(r) for r in rows]

    def awaiting_report(self) -> SiteRound | None:
        """The round this site uploaded to but has not evaluated and reported yet."""
        pending = [r for r in self.all() if r.status is SiteRoundStatus.UPLOADED]
        return pending[0] if pending else None

    @staticmethod
    def _record(row: object) -> SiteRound:
        values = dict(row)  # type: ignore[call-overload]
        metrics = values.pop("metrics_json")
        values.pop("updated_at")
        values["status"] = SiteRoundStatus(values.pop("phase"))  # stored as column ``phase``
        values["metrics"] = None if metrics is None else json.loads(metrics)
        return SiteRound(**values)
