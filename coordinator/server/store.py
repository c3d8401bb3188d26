"""The coordinator's durable state: SQLAlchemy Core tables behind a small interface.

SQLite (an embedded file, one coordinator process) by default; PostgreSQL (psycopg 3,
``postgresql+psycopg://...``) for an operator who runs several coordinator processes
against one state. Only portable Core constructs are used, and both are tested. The
schema is created by numbered migrations recorded in ``schema_migrations``. Route code
never sees a session: it calls :class:`CoordinatorStore` methods, each one transaction.

Read-check-write sequences of the round state machine run under :meth:`exclusive`, a
named lock that spans every process sharing the store: a PostgreSQL advisory lock, or a
process-local lock for SQLite (whose file serves one process).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Insert,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from coordinator.round_state import MaskingStep, RoundPhase

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", Float, nullable=False),
)
rounds = Table(
    "rounds", metadata,
    Column("number", Integer, primary_key=True),
    Column("phase", String(16), nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("deadline_at", Float, nullable=True),
    Column("extensions", Integer, nullable=False, default=0),
    Column("total_examples", Integer, nullable=True),
    Column("result_path", Text, nullable=True),
    Column("result_sha256", String(64), nullable=True),
    Column("state_path", Text, nullable=True),
    Column("published_at", Float, nullable=True),
    Column("failure", Text, nullable=True),
    Column("masking_step", String(16), nullable=True),
    Column("secure_sum", Integer, nullable=False, default=0, server_default="0"),
)
uploads = Table(
    "uploads", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round", Integer, nullable=False),
    Column("site", String(128), nullable=False),
    Column("blob_path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("num_examples", Integer, nullable=True),
    Column("received_at", Float, nullable=False),
    UniqueConstraint("round", "site"),
)
metrics = Table(
    "metrics", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round", Integer, nullable=False),
    Column("site", String(128), nullable=False),
    Column("num_examples", Integer, nullable=False),
    Column("values_json", Text, nullable=False),
    Column("reported_at", Float, nullable=False),
    UniqueConstraint("round", "site"),
)
masking_messages = Table(
    "masking_messages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round", Integer, nullable=False),
    Column("step", String(16), nullable=False),
    Column("sender", String(128), nullable=False),
    Column("recipient", String(128), nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("round", "step", "sender", "recipient"),
)
federation_facts = Table(
    "federation_facts", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)
revoked_sites = Table(
    "revoked_sites", metadata,
    Column("site", String(128), primary_key=True),
    Column("revoked_at", Float, nullable=False),
)
revoked_certificates = Table(
    "revoked_certificates", metadata,
    Column("serial", String(64), primary_key=True),
    Column("site", String(128), nullable=False),
    Column("revoked_at", Float, nullable=False),
)

# The masked uploads of a round's later secure sums (a bisection round's probes 1..);
# sum 0's are in ``uploads``, like every other round's.
secure_sum_uploads = Table(
    "secure_sum_uploads", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round", Integer, nullable=False),
    Column("secure_sum", Integer, nullable=False),
    Column("site", String(128), nullable=False),
    Column("blob_path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("received_at", Float, nullable=False),
    UniqueConstraint("round", "secure_sum", "site"),
)

site_activity = Table(
    "site_activity", metadata,
    Column("site", String(128), primary_key=True),
    Column("last_seen_at", Float, nullable=False),
)
# CKKS mode: the federation's key, made by one site and sealed to each other one. A
# generation per set of active sites (a revocation starts the next); the coordinator
# keeps the public context and relays sealed copies it cannot open.
ckks_key_generations = Table(
    "ckks_key_generations", metadata,
    Column("generation", Integer, primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("members_json", Text, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("public_context", LargeBinary, nullable=True),
    Column("fingerprint", String(64), nullable=True),
    Column("ready_at", Float, nullable=True),
)
ckks_key_requests = Table(
    "ckks_key_requests", metadata,
    Column("site", String(128), primary_key=True),
    Column("certificate", Text, nullable=False),
    Column("certificate_sha256", String(64), nullable=False),
    Column("requested_at", Float, nullable=False),
)
ckks_sealed_keys = Table(
    "ckks_sealed_keys", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("generation", Integer, nullable=False),
    Column("site", String(128), nullable=False),
    Column("certificate_sha256", String(64), nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("generation", "site"),
)


def _add_masking(conn: Connection) -> None:
    """Version 2: masking relay messages and the round's masking step."""
    if "masking_step" not in {c["name"] for c in inspect(conn).get_columns("rounds")}:
        conn.execute(text("ALTER TABLE rounds ADD COLUMN masking_step VARCHAR(16)"))
    metadata.create_all(conn, tables=[masking_messages])


def _add_secure_sums(conn: Connection) -> None:
    """Version 5: rounds of several masked sums (secure median): the current sum's index
    and the uploads of the sums after the first."""
    if "secure_sum" not in {c["name"] for c in inspect(conn).get_columns("rounds")}:
        conn.execute(text("ALTER TABLE rounds ADD COLUMN secure_sum INTEGER NOT NULL DEFAULT 0"))
    metadata.create_all(conn, tables=[secure_sum_uploads])


MIGRATIONS: list[Callable[[Connection], None]] = [
    lambda conn: metadata.create_all(
        conn, tables=[rounds, uploads, metrics, federation_facts]
    ),
    _add_masking,
    # Version 3: sites and single certificates the operator revoked (``medfed-coordinator revoke``).
    lambda conn: metadata.create_all(conn, tables=[revoked_sites, revoked_certificates]),
    # Version 4: when each site last called (the operator's status page).
    lambda conn: metadata.create_all(conn, tables=[site_activity]),
    _add_secure_sums,
    # Version 6: the CKKS key shared among the sites (no key at provisioning any more).
    lambda conn: metadata.create_all(
        conn, tables=[ckks_key_generations, ckks_key_requests, ckks_sealed_keys]
    ),
]


@dataclass(frozen=True)
class KeyGenerationRow:
    """One CKKS key generation: who makes it, for which sites, and how far it is."""

    generation: int
    holder: str
    members: tuple[str, ...]
    started_at: float
    public_context: bytes | None
    fingerprint: str | None
    ready_at: float | None


@dataclass(frozen=True)
class RoundRow:
    number: int
    phase: RoundPhase
    opened_at: float
    deadline_at: float | None
    extensions: int
    total_examples: int | None
    result_path: str | None
    result_sha256: str | None
    state_path: str | None
    published_at: float | None
    failure: str | None
    masking_step: MaskingStep | None
    secure_sum: int = 0

    @classmethod
    def stored(cls, values: Any) -> RoundRow:
        """A row as read from the table, its phase and step typed."""
        row = cls(**values)
        step = None if row.masking_step is None else MaskingStep(row.masking_step)
        return replace(row, phase=RoundPhase(row.phase), masking_step=step)


@dataclass(frozen=True)
class UploadRow:
    round: int
    site: str
    blob_path: str
    sha256: str
    size_bytes: int
    num_examples: int | None
    received_at: float


@dataclass(frozen=True)
class MetricsRow:
    """One site's validation report. ``values`` holds ``noisy_counts`` (the DP-noised
    histogram of ``coordinator.protocol.MetricsReport``); ``num_examples`` is 0 since
    sites stopped sending exact counts (stores written before that kept theirs)."""

    round: int
    site: str
    num_examples: int
    values: dict[str, Any]


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _lock_key(name: str) -> int:
    """A stable 32-bit key for PostgreSQL's advisory locks (the same in every process)."""
    return zlib.crc32(f"medfed:{name}".encode())


class CoordinatorStore:
    """Rounds, uploads, metrics and fixed federation facts (model layout, vector length)."""

    def __init__(self, url: str, schema: str | None = None) -> None:
        """``schema`` keeps a second round sequence (the federation's statistics) in its
        own PostgreSQL schema of the same database; a SQLite store takes its own file."""
        self.engine: Engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        self.schema = schema
        if self.engine.dialect.name == "sqlite":
            if schema is not None:
                raise ValueError("a SQLite store keeps a second round sequence in its own file")
            event.listen(self.engine, "connect", _sqlite_pragmas)
        elif schema is not None:
            if not schema.isidentifier():
                raise ValueError(f"'{schema}' is not a schema name")
            with self.engine.begin() as conn:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(f"schema:{schema}")})
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            self.engine.dispose()
            self.engine = create_engine(
                url, pool_pre_ping=True, connect_args={"options": f"-csearch_path={schema}"}
            )
        self._local_locks: dict[str, threading.RLock] = {}
        self._held = threading.local()
        self._guard = threading.Lock()
        self._migrate()

    @property
    def shared_between_processes(self) -> bool:
        """True when several coordinator processes may serve this store at once."""
        return self.engine.dialect.name == "postgresql"

    def _local_lock(self, name: str) -> threading.RLock:
        with self._guard:
            return self._local_locks.setdefault(name, threading.RLock())

    @contextlib.contextmanager
    def exclusive(self, name: str, wait: bool = True) -> Iterator[bool]:
        """Hold the federation-wide lock ``name`` for the block; yields whether it is held.

        Re-entrant within a thread. With ``wait=False`` it yields False at once when another
        thread or process holds it. On PostgreSQL it is a session advisory lock on a
        connection of its own, so a process killed while holding it releases it with its
        connection; the block's own writes are committed transactions, visible to the next
        holder.
        """
        local = self._local_lock(name)
        if not local.acquire(blocking=wait):
            yield False
            return
        depth: dict[str, int] = self._held.__dict__.setdefault("depth", {})
        try:
            if depth.get(name, 0) or not self.shared_between_processes:
                depth[name] = depth.get(name, 0) + 1
                try:
                    yield True
                finally:
                    depth[name] -= 1
                return
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                key = _lock_key(name if self.schema is None else f"{self.schema}:{name}")
                if wait:
                    conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                elif not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                    yield False
                    return
                depth[name] = 1
                try:
                    yield True
                finally:
                    depth[name] = 0
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        finally:
            local.release()

    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            if self.shared_between_processes:
                # Workers starting together: one migrates, the others wait and find it done.
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"),
                    {"k": _lock_key(f"{self.schema or ''}migrations")},
                )
            metadata.create_all(conn, tables=[schema_migrations])
            done = {r[0] for r in conn.execute(select(schema_migrations.c.version))}
            for version, step in enumerate(MIGRATIONS, start=1):
                if version not in done:
                    step(conn)
                    conn.execute(insert(schema_migrations).values(version=version, applied_at=time.time()))

    def close(self) -> None:
        self.engine.dispose()

    # rounds -------------------------------------------------------------------------
    def round(self, number: int) -> RoundRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(rounds).where(rounds.c.number == number)).first()
        return RoundRow.stored(row._mapping) if row else None

    def latest_round(self) -> RoundRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(rounds).order_by(rounds.c.number.desc()).limit(1)).first()
        return RoundRow.stored(row._mapping) if row else None

    def all_rounds(self) -> list[RoundRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(rounds).order_by(rounds.c.number)).all()
        return [RoundRow.stored(r._mapping) for r in rows]

    def open_round(
        self, number: int, opened_at: float, deadline_at: float | None, masking_step: str | None = None
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(rounds).values(
                    number=number, phase=RoundPhase.OPEN.value, opened_at=opened_at,
                    deadline_at=deadline_at, extensions=0, masking_step=masking_step,
                )
            )

    def update_round(self, number: int, **values: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(rounds).where(rounds.c.number == number).values(**values))

    def publish_round(
        self,
        number: int,
        *,
        result_path: str,
        result_sha256: str,
        total_examples: int | None,
        state_path: str | None,
        published_at: float,
        next_round: tuple[int, float, float | None, str | None] | None,
    ) -> None:
        """Mark round ``number`` published and open the next one in ONE transaction."""
        with self.engine.begin() as conn:
            conn.execute(
                update(rounds).where(rounds.c.number == number).values(
                    phase=RoundPhase.PUBLISHED.value, result_path=result_path, result_sha256=result_sha256,
                    total_examples=total_examples, state_path=state_path, published_at=published_at,
                )
            )
            if next_round is not None:
                n, opened, deadline, step = next_round
                conn.execute(
                    insert(rounds).values(
                        number=n, phase=RoundPhase.OPEN.value, opened_at=opened, deadline_at=deadline,
                        extensions=0, masking_step=step,
                    )
                )

    # uploads ------------------------------------------------------------------------
    def uploads(self, round_number: int) -> list[UploadRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(uploads).where(uploads.c.round == round_number).order_by(uploads.c.site)
            ).all()
        return [UploadRow(**{k: v for k, v in r._mapping.items() if k != "id"}) for r in rows]

    def record_upload(self, row: UploadRow, set_phase: str | None) -> UploadRow | None:
        """Insert or replace a site's upload; returns the replaced row, if any."""
        with self.engine.begin() as conn:
            old = conn.execute(
                select(uploads).where(uploads.c.round == row.round, uploads.c.site == row.site)
            ).first()
            values = {k: getattr(row, k) for k in UploadRow.__dataclass_fields__}
            if old is None:
                conn.execute(insert(uploads).values(**values))
            else:
                conn.execute(
                    update(uploads)
                    .where(uploads.c.round == row.round, uploads.c.site == row.site)
                    .values(**values)
                )
            if set_phase is not None:
                conn.execute(update(rounds).where(rounds.c.number == row.round).values(phase=set_phase))
        if old is None:
            return None
        return UploadRow(**{k: v for k, v in old._mapping.items() if k != "id"})

    def sum_uploads(self, round_number: int, secure_sum: int) -> list[UploadRow]:
        """The uploads of one of a round's later secure sums (``secure_sum`` >= 1)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(secure_sum_uploads).where(
                    secure_sum_uploads.c.round == round_number,
                    secure_sum_uploads.c.secure_sum == secure_sum,
                ).order_by(secure_sum_uploads.c.site)
            ).all()
        return [
            UploadRow(r.round, r.site, r.blob_path, r.sha256, r.size_bytes, None, r.received_at)
            for r in rows
        ]

    def record_sum_upload(self, row: UploadRow, secure_sum: int) -> bool:
        """Keep a site's upload to a later secure sum; False if it already sent one."""
        return self._insert_once(
            insert(secure_sum_uploads).values(
                round=row.round, secure_sum=secure_sum, site=row.site, blob_path=row.blob_path,
                sha256=row.sha256, size_bytes=row.size_bytes, received_at=row.received_at,
            )
        )

    # metrics ------------------------------------------------------------------------
    def record_metrics(self, round_number: int, site: str, num_examples: int, values: dict[str, Any]) -> None:
        """Keep a site's latest report of a round (a second report replaces the first)."""
        for attempt in range(2):
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        metrics.delete().where(metrics.c.round == round_number, metrics.c.site == site)
                    )
                    conn.execute(
                        insert(metrics).values(
                            round=round_number, site=site, num_examples=num_examples,
                            values_json=json.dumps(values), reported_at=time.time(),
                        )
                    )
                return
            except IntegrityError:
                # The same site's report committed by another process in between: the
                # second attempt sees it and replaces it.
                if attempt:
                    raise

    def metrics(self, round_number: int) -> list[MetricsRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(metrics).where(metrics.c.round == round_number).order_by(metrics.c.site)
            ).all()
        return [MetricsRow(r.round, r.site, r.num_examples, json.loads(r.values_json)) for r in rows]

    # masking relay ------------------------------------------------------------------
    def add_messages(self, round_number: int, step: str, sender: str, bodies: dict[str, str]) -> bool:
        """Store one site's messages of a step (recipient -> JSON); False if it already sent."""
        with self.engine.begin() as conn:
            sent = conn.execute(
                select(masking_messages.c.id).where(
                    masking_messages.c.round == round_number,
                    masking_messages.c.step == step,
                    masking_messages.c.sender == sender,
                )
            ).first()
            if sent:
                return False
            for recipient, body in bodies.items():
                conn.execute(
                    insert(masking_messages).values(
                        round=round_number, step=step, sender=sender, recipient=recipient, body=body
                    )
                )
            return True

    def messages(
        self, round_number: int, step: str, recipient: str | None = None
    ) -> list[tuple[str, str, str]]:
        """``(sender, recipient, body)`` of a step, optionally only those for ``recipient``."""
        query = select(masking_messages.c.sender, masking_messages.c.recipient, masking_messages.c.body).where(
            masking_messages.c.round == round_number, masking_messages.c.step == step
        )
        if recipient is not None:
            query = query.where(masking_messages.c.recipient == recipient)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(masking_messages.c.sender)).all()
        return [(r[0], r[1], r[2]) for r in rows]

    # revocations --------------------------------------------------------------------
    def revoke_site(self, site: str, at: float) -> bool:
        """Record that ``site`` may no longer call; False when it already was revoked."""
        return self._insert_once(insert(revoked_sites).values(site=site, revoked_at=at))

    def revoked_at(self, site: str) -> float | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(revoked_sites.c.revoked_at).where(revoked_sites.c.site == site)
            ).first()
        return float(row[0]) if row else None

    def revoke_certificate(self, serial: str, site: str, at: float) -> bool:
        """Record one certificate (by serial) as revoked; False when it already was."""
        return self._insert_once(
            insert(revoked_certificates).values(serial=serial, site=site, revoked_at=at)
        )

    def certificate_revoked_at(self, serial: str) -> float | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(revoked_certificates.c.revoked_at).where(revoked_certificates.c.serial == serial)
            ).first()
        return float(row[0]) if row else None

    def revocations(self) -> tuple[list[tuple[str, float]], list[tuple[str, str, float]]]:
        """Revoked sites ``(site, at)`` and certificates ``(serial, site, at)``, oldest first."""
        with self.engine.connect() as conn:
            sites = conn.execute(
                select(revoked_sites.c.site, revoked_sites.c.revoked_at).order_by(revoked_sites.c.revoked_at)
            ).all()
            certificates = conn.execute(
                select(revoked_certificates.c.serial, revoked_certificates.c.site,
                       revoked_certificates.c.revoked_at).order_by(revoked_certificates.c.revoked_at)
            ).all()
        return ([(r[0], float(r[1])) for r in sites],
                [(r[0], r[1], float(r[2])) for r in certificates])

    # site activity ------------------------------------------------------------------
    def record_seen(self, site: str, at: float) -> None:
        """Remember that ``site`` called at ``at`` (later calls move it forward only)."""
        move = (
            update(site_activity)
            .where(site_activity.c.site == site, site_activity.c.last_seen_at < at)
            .values(last_seen_at=at)
        )
        with self.engine.begin() as conn:
            if conn.execute(move).rowcount:
                return
        if not self._insert_once(insert(site_activity).values(site=site, last_seen_at=at)):
            with self.engine.begin() as conn:  # it existed, or another process just added it
                conn.execute(move)

    def last_seen(self) -> dict[str, float]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(site_activity.c.site, site_activity.c.last_seen_at)).all()
        return {r[0]: float(r[1]) for r in rows}

    def upload_totals(self) -> dict[str, tuple[int, int]]:
        """Per site: how many uploads the store holds (one per round) and their bytes."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(uploads.c.site, func.count(), func.sum(uploads.c.size_bytes)).group_by(uploads.c.site)
            ).all()
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    def latest_metrics(self) -> dict[str, MetricsRow]:
        """Each site's most recent validation report (the figures as it released them)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(metrics).order_by(metrics.c.round)).all()
        return {r.site: MetricsRow(r.round, r.site, r.num_examples, json.loads(r.values_json)) for r in rows}

    # the CKKS key -------------------------------------------------------------------
    def key_generation(self) -> KeyGenerationRow | None:
        """The latest CKKS key generation, or None before the first."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ckks_key_generations).order_by(ckks_key_generations.c.generation.desc()).limit(1)
            ).first()
        if row is None:
            return None
        values = dict(row._mapping)
        members = tuple(json.loads(values.pop("members_json")))
        public = values.pop("public_context")
        return KeyGenerationRow(
            members=members, public_context=bytes(public) if public is not None else None, **values
        )

    def start_key_generation(self, generation: int, holder: str, members: list[str], at: float) -> bool:
        """Open key generation ``generation``; False when it exists already."""
        return self._insert_once(insert(ckks_key_generations).values(
            generation=generation, holder=holder, members_json=json.dumps(members), started_at=at,
        ))

    def set_public_context(self, generation: int, public_context: bytes, fingerprint: str) -> bool:
        """Keep the generation's public context once; False when it already has one."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(ckks_key_generations)
                .where(ckks_key_generations.c.generation == generation,
                       ckks_key_generations.c.public_context.is_(None))
                .values(public_context=public_context, fingerprint=fingerprint)
            ).rowcount
        return bool(done)

    def mark_key_ready(self, generation: int, at: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(ckks_key_generations)
                .where(ckks_key_generations.c.generation == generation,
                       ckks_key_generations.c.ready_at.is_(None))
                .values(ready_at=at)
            )

    def record_key_request(self, site: str, certificate: str, certificate_sha256: str, at: float) -> None:
        """Keep ``site``'s latest request for the key (its certificate, to seal to)."""
        with self.engine.begin() as conn:
            conn.execute(ckks_key_requests.delete().where(ckks_key_requests.c.site == site))
            conn.execute(insert(ckks_key_requests).values(
                site=site, certificate=certificate, certificate_sha256=certificate_sha256,
                requested_at=at,
            ))

    def key_requests(self) -> dict[str, tuple[str, str]]:
        """Per site that asked: ``(certificate PEM, its SHA-256)``."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(ckks_key_requests)).all()
        return {r.site: (r.certificate, r.certificate_sha256) for r in rows}

    def put_sealed_key(self, generation: int, site: str, certificate_sha256: str, body: str) -> None:
        """Keep the sealed copy of ``generation``'s key for ``site`` (a newer one replaces it)."""
        with self.engine.begin() as conn:
            conn.execute(ckks_sealed_keys.delete().where(
                ckks_sealed_keys.c.generation == generation, ckks_sealed_keys.c.site == site
            ))
            conn.execute(insert(ckks_sealed_keys).values(
                generation=generation, site=site, certificate_sha256=certificate_sha256, body=body,
            ))

    def sealed_key_certificates(self, generation: int) -> dict[str, str]:
        """Per site with a sealed copy of ``generation``'s key: the certificate SHA-256
        it was sealed to (without the copies: every poll of the round state reads this)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ckks_sealed_keys.c.site, ckks_sealed_keys.c.certificate_sha256)
                .where(ckks_sealed_keys.c.generation == generation)
            ).all()
        return {r[0]: r[1] for r in rows}

    def sealed_keys(self, generation: int) -> dict[str, tuple[str, str]]:
        """Per site: ``(certificate SHA-256 it was sealed to, sealed key JSON)``."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ckks_sealed_keys).where(ckks_sealed_keys.c.generation == generation)
            ).all()
        return {r.site: (r.certificate_sha256, r.body) for r in rows}

    # facts --------------------------------------------------------------------------
    def fact(self, key: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(federation_facts.c.value).where(federation_facts.c.key == key)).first()
        return bytes(row[0]) if row else None

    def set_fact_once(self, key: str, value: bytes) -> bool:
        """Store ``value`` under ``key`` unless already set; True when this call set it."""
        return self._insert_once(insert(federation_facts).values(key=key, value=value))

    def _insert_once(self, statement: Insert) -> bool:
        """Run one INSERT; False when its key already exists (set by this or another process)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(statement)
        except IntegrityError:
            return False
        return True
