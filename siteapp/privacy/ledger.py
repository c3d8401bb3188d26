"""The site's privacy ledger: every round's DP cost, recorded before it is spent.

Tables live in the site store (component ``privacy``). A round is appended with
:meth:`PrivacyLedger.record_planned_round` BEFORE any training starts; the call composes
the new round with ALL earlier entries (any federation, local runs, earlier app sessions)
and refuses, without writing anything, when the total would pass the site's cap. A round
that is later cancelled keeps its entry: training may have touched the data, so the
cost stays counted (conservative by design).

delta: one number for the whole site, the same on every page and in the CLI. It is the
cap's delta when the privacy officer set one, else ``SITE_DELTA`` (1e-5, the plan's
default), lowered to ``1 / (10 x patients)`` for a site with more than 10,000 patients.
A federated round is calibrated at the smaller of the plan's delta and the site's, and
its entry records the delta it was calibrated at. The cumulative epsilon is reported at
the smallest delta of all entries, so a growing patient count never makes the report
look cheaper than it is.

Record sets: training patients and validation patients are disjoint (the split is per
patient), so each set has its own line, composed over its own entries and held to the
cap on its own; a patient's epsilon is that of the set they are in, and the site's is
the larger of the two. Training rounds are DP-SGD; a validation entry is one Gaussian
release of the validation histogram (``siteapp.privacy.validation_release``).

Seeded entries: a run given the tests' and demo's ``insecure_fixed_dp_seed`` is marked
``seeded``; its epsilon is nominal (``siteapp.privacy.randomness``).

Durability: the ledger's connections commit with ``synchronous=FULL``, so an entry is on
disk before the training (or release) it pays for starts, even across a power cut.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from siteapp.errors import UsageError, UserFacingError
from siteapp.privacy.accountant import MechanismRun, epsilon_of
from siteapp.privacy.calibration import calibrate_noise_multiplier, projected_epsilon
from siteapp.settings import PrivacyDefaults
from siteapp.store import apply_migrations, open_site_db

COMPONENT = "privacy"
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE privacy_cap (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        epsilon REAL NOT NULL CHECK (epsilon > 0),
        delta REAL CHECK (delta IS NULL OR (delta > 0 AND delta < 1)),
        updated_at TEXT NOT NULL
    );
    CREATE TABLE privacy_ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        round INTEGER NOT NULL,
        context TEXT NOT NULL,
        noise_multiplier REAL NOT NULL CHECK (noise_multiplier > 0),
        sample_rate REAL NOT NULL CHECK (sample_rate > 0 AND sample_rate <= 1),
        steps INTEGER NOT NULL CHECK (steps >= 0),
        records INTEGER NOT NULL CHECK (records > 0),
        delta REAL NOT NULL,
        epsilon_after REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'planned'
            CHECK (status IN ('planned', 'completed', 'cancelled')),
        created_at TEXT NOT NULL,
        finished_at TEXT
    );
    """,
    """
    ALTER TABLE privacy_ledger ADD COLUMN record_set TEXT NOT NULL DEFAULT 'training'
        CHECK (record_set IN ('training', 'validation'));
    ALTER TABLE privacy_ledger ADD COLUMN seeded INTEGER NOT NULL DEFAULT 0
        CHECK (seeded IN (0, 1));
    """,
)


class EntryStatus(StrEnum):
    """A ledger entry is ``planned`` before what it pays for starts, then ``completed`` or
    ``cancelled``; its cost stays counted in every status."""

    PLANNED = "planned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RecordSet(StrEnum):
    """The disjoint sets of patients a site's entries are composed over, each on its own."""

    TRAINING = "training"
    VALIDATION = "validation"

# Floating-point slack when comparing a composed epsilon with the cap.
CAP_SLACK = 1e-9


class PrivacyCapExceededError(UserFacingError):
    """A planned round would push the site's epsilon past its cap; nothing was recorded."""

    exit_code = 3


@dataclass(frozen=True)
class PrivacyCap:
    epsilon: float
    delta: float | None  # None: default_delta of each round's patient count


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    round: int
    context: str
    noise_multiplier: float
    sample_rate: float
    steps: int
    records: int
    delta: float
    epsilon_after: float  # of this entry's record set, everything before it included
    status: EntryStatus
    created_at: str
    record_set: RecordSet = RecordSet.TRAINING
    seeded: bool = False

    @property
    def mechanism(self) -> MechanismRun:
        return MechanismRun(self.noise_multiplier, self.sample_rate, self.steps)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


#: The site's delta unless the privacy officer sets one: the plans' default too, so a
#: default site reports every figure at one delta.
SITE_DELTA = 1e-5


def default_delta(records: int) -> float:
    """``SITE_DELTA``, or ``1 / (10 x patients)`` where that is smaller: delta must stay well
    below one in the number of records."""
    return min(SITE_DELTA, 1.0 / (10.0 * max(1, records)))


class PrivacyLedger:
    """The ledger of one site data folder. Every method opens its own short-lived
    connection, so one ledger object may be shared by the GUI and a worker thread."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        with self._connect():
            pass

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = open_site_db(self.data_dir)
        try:
            # An entry must survive a power cut before what it pays for starts.
            conn.execute("PRAGMA synchronous=FULL")
            apply_migrations(conn, COMPONENT, MIGRATIONS)
            yield conn
        finally:
            conn.close()

    # -- cap ---------------------------------------------------------------------------
    def cap(self) -> PrivacyCap:
        """The site's cap; the default of :class:`PrivacyDefaults` until one is set."""
        with self._connect() as conn:
            row = conn.execute("SELECT epsilon, delta FROM privacy_cap WHERE id = 1").fetchone()
        if row is None:
            return PrivacyCap(PrivacyDefaults.cap_epsilon, PrivacyDefaults.cap_delta)
        return PrivacyCap(
            float(row["epsilon"]), None if row["delta"] is None else float(row["delta"])
        )

    def set_cap(self, epsilon: float, delta: float | None = None) -> PrivacyCap:
        """Set the cap. Lowering it below what is already spent is allowed (it stops all
        further training) and is what a privacy officer may want."""
        if not epsilon > 0:
            raise UsageError("the epsilon cap must be a positive number, e.g. 8")
        if delta is not None and not 0 < delta < 1:
            raise UsageError("delta must be between 0 and 1, e.g. 1e-5")
        with self._connect() as conn, conn:
            conn.execute(
                "INSERT INTO privacy_cap(id, epsilon, delta, updated_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET epsilon = excluded.epsilon,"
                " delta = excluded.delta, updated_at = excluded.updated_at",
                (float(epsilon), delta, _now()),
            )
        return PrivacyCap(float(epsilon), delta)

    def delta_for(self, records: int) -> float:
        cap = self.cap()
        return cap.delta if cap.delta is not None else default_delta(records)

    # -- entries -----------------------------------------------------------------------
    def entries(self, record_set: RecordSet | None = None) -> list[LedgerEntry]:
        """Every entry, or those of one record set."""
        with self._connect() as conn:
            return self._entries(conn, record_set)

    @staticmethod
    def _entries(conn: sqlite3.Connection, record_set: RecordSet | None = None) -> list[LedgerEntry]:
        rows = conn.execute(
            "SELECT id, round, context, noise_multiplier, sample_rate, steps, records, delta,"
            " epsilon_after, status, created_at, record_set, seeded FROM privacy_ledger"
            " ORDER BY id"
        ).fetchall()
        entries = [
            LedgerEntry(**(dict(row) | {
                "seeded": bool(row["seeded"]), "status": EntryStatus(row["status"]),
                "record_set": RecordSet(row["record_set"]),
            }))
            for row in rows
        ]
        return [e for e in entries if record_set is None or e.record_set == record_set]

    def reporting_delta(self, extra_records: int | None = None) -> float:
        """The delta the cumulative epsilon is reported at (smallest of all entries)."""
        deltas = [e.delta for e in self.entries()]
        if extra_records is not None:
            deltas.append(self.delta_for(extra_records))
        return min(deltas) if deltas else self.delta_for(1)

    def epsilon_spent(self, record_set: RecordSet | None = None) -> float:
        """Epsilon of one record set, or (None) the site's: the larger of its sets'."""
        if record_set is None:
            return max(self.epsilon_spent(name) for name in RecordSet)
        entries = self.entries(record_set)
        if not entries:
            return 0.0
        return epsilon_of([e.mechanism for e in entries], self.reporting_delta())

    def nominal(self) -> bool:
        """Whether any entry was seeded, which makes the reported epsilon nominal."""
        return any(e.seeded for e in self.entries())

    def projected_epsilon(
        self, noise_multiplier: float, sample_rate: float, steps: int, records: int, rounds: int = 1,
        record_set: RecordSet = RecordSet.TRAINING, also: Sequence[MechanismRun] = (),
    ) -> float:
        """ "If I join ``rounds`` more rounds like this, and then ``also``'s, my epsilon
        will be X"."""
        entries = self.entries(record_set)
        delta = min([e.delta for e in self.entries()] + [self.delta_for(records)])
        return projected_epsilon(
            [e.mechanism for e in entries] + list(also),
            MechanismRun(noise_multiplier, sample_rate, steps),
            rounds,
            delta,
        )

    def calibrate(
        self,
        sample_rate: float,
        steps: int,
        records: int,
        rounds: int,
        target_epsilon: float | None = None,
    ) -> float:
        """The noise multiplier that lets ``rounds`` more rounds fit ``target_epsilon``
        (default: the cap), given everything already spent."""
        cap = self.cap()
        target = cap.epsilon if target_epsilon is None else min(target_epsilon, cap.epsilon)
        entries = self.entries(RecordSet.TRAINING)
        delta = min([e.delta for e in self.entries()] + [self.delta_for(records)])
        return calibrate_noise_multiplier(
            target, delta, sample_rate, steps, rounds, spent=[e.mechanism for e in entries]
        )

    def record_planned_round(
        self,
        round: int,
        noise_multiplier: float,
        sample_rate: float,
        steps: int,
        records: int,
        context: str = "local",
        *,
        seeded: bool = False,
        record_set: RecordSet = RecordSet.TRAINING,
        delta: float | None = None,
    ) -> LedgerEntry:
        """Append a round's cost BEFORE training it, or refuse.

        ``delta``: the delta the round's noise was calibrated at, when it is not the site's
        own (a federation plan's); the entry keeps the smaller of the two.

        Raises :class:`PrivacyCapExceededError` (and writes nothing) when the composition of
        all entries of ``record_set`` plus this round passes the cap. The read and the
        append run in one write transaction, so two workers cannot both squeeze under the
        cap. ``seeded`` marks a round whose DP randomness came from a fixed seed.
        """
        record_set = RecordSet(record_set)  # ValueError for any other set
        if noise_multiplier <= 0:
            raise PrivacyCapExceededError(
                "a round without noise has unbounded epsilon; it is refused"
            )
        if records < 1:
            raise UsageError("a round needs at least one patient")
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                entry = self._append(
                    conn, round, noise_multiplier, sample_rate, steps, records, context,
                    seeded, record_set, delta,
                )
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        return entry

    def _append(
        self,
        conn: sqlite3.Connection,
        round: int,
        noise_multiplier: float,
        sample_rate: float,
        steps: int,
        records: int,
        context: str,
        seeded: bool,
        record_set: RecordSet,
        calibrated_delta: float | None,
    ) -> LedgerEntry:
        cap = self.cap()
        delta = cap.delta if cap.delta is not None else default_delta(records)
        if calibrated_delta is not None:
            delta = min(delta, calibrated_delta)
        everything = self._entries(conn)
        previous = [e for e in everything if e.record_set == record_set]
        report_delta = min([e.delta for e in everything] + [delta])
        planned = MechanismRun(noise_multiplier, sample_rate, steps)
        epsilon_after = epsilon_of([*(e.mechanism for e in previous), planned], report_delta)
        if epsilon_after > cap.epsilon + CAP_SLACK:
            spent = epsilon_of([e.mechanism for e in previous], report_delta)
            validation = record_set is RecordSet.VALIDATION
            what = "its validation patients'" if validation else "this site's"
            undone = "nothing was reported" if validation else "nothing was trained"
            raise PrivacyCapExceededError(
                f"round {round} would raise {what} epsilon from {spent:.2f} to "
                f"{epsilon_after:.2f}, above its cap of {cap.epsilon:g} (delta {report_delta:.2g}); "
                f"{undone}. Use more noise, fewer steps or rounds, or ask the "
                "privacy officer to raise the cap"
            )
        created = _now()
        cursor = conn.execute(
            "INSERT INTO privacy_ledger(round, context, noise_multiplier, sample_rate, steps,"
            " records, delta, epsilon_after, status, created_at, record_set, seeded)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                round,
                context,
                noise_multiplier,
                sample_rate,
                steps,
                records,
                delta,
                epsilon_after,
                EntryStatus.PLANNED.value,
                created,
                record_set.value,
                int(seeded),
            ),
        )
        return LedgerEntry(
            int(cursor.lastrowid or 0),
            round,
            context,
            noise_multiplier,
            sample_rate,
            steps,
            records,
            delta,
            epsilon_after,
            EntryStatus.PLANNED,
            created,
            record_set,
            seeded,
        )

    def find_entry(self, context: str, round: int) -> LedgerEntry | None:
        """The newest entry of ``round`` in ``context`` (e.g. a federation id), so a site
        restarted mid-round can see that the round's cost is already recorded. Reusing
        that entry instead of recording again is only sound when the interrupted run
        released nothing (its update was never uploaded)."""
        matches = [
            e for e in self.entries(RecordSet.TRAINING) if e.context == context and e.round == round
        ]
        return matches[-1] if matches else None

    def mark_finished(self, entry_id: int, status: EntryStatus) -> None:
        """Mark a planned round ``completed`` or ``cancelled`` (its cost stays counted)."""
        if status not in (EntryStatus.COMPLETED, EntryStatus.CANCELLED):
            raise ValueError(f"status must be completed or cancelled, got {status}")
        with self._connect() as conn, conn:
            conn.execute(
                "UPDATE privacy_ledger SET status = ?, finished_at = ? WHERE id = ?",
                (EntryStatus(status).value, _now(), entry_id),
            )

    def summary(self) -> dict[str, object]:
        """The ``privacy --json`` document."""
        entries = self.entries()
        cap = self.cap()
        delta = self.reporting_delta()
        return {
            "epsilon_spent": self.epsilon_spent(),
            "epsilon_by_record_set": {str(name): self.epsilon_spent(name) for name in RecordSet},
            "nominal": any(e.seeded for e in entries),
            "delta": delta,
            "cap_epsilon": cap.epsilon,
            "cap_delta": cap.delta,
            "entries": [
                {k: v for k, v in asdict(e).items() if k != "id"} | {"id": e.id} for e in entries
            ],
        }
