"""Assemble and run the coordinator from its kit: store, blobs, round service, uvicorn.

With PostgreSQL the coordinator may run several uvicorn worker processes on one port,
sharing the database and the blob folder: this process recovers the state once (removes
half-received blobs, opens round 1), then each worker opens the same state without
recovering (a worker restarted by uvicorn must not delete another's upload in flight).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from coordinator.errors import CoordinatorError
from coordinator.kits import CoordinatorKit, load_coordinator_kit
from coordinator.server.blobs import BlobStore
from coordinator.server.rounds import RoundService
from coordinator.server.store import CoordinatorStore
from coordinator.settings import ServerSettings


def default_state_dir(kit: CoordinatorKit) -> Path:
    return kit.folder / "state"


def open_service(
    kit: CoordinatorKit,
    state_dir: Path,
    database_url: str | None = None,
    settings: ServerSettings | None = None,
    recover: bool = True,
) -> RoundService:
    """The round service over ``state_dir`` (SQLite file there unless a URL is given)."""
    settings = settings or ServerSettings()
    state_dir.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{state_dir / settings.database_file}"
    from coordinator.pretrained import kit_weights_file

    return RoundService(
        kit.plan,
        CoordinatorStore(url),
        BlobStore(state_dir / settings.blob_dir),
        recover=recover,
        ca_pem=kit.ca_path.read_bytes(),
        pretrained_weights=kit_weights_file(kit.folder, kit.plan),
    )


STATISTICS_DIR = "statistics"
STATISTICS_SCHEMA = "statistics"


def open_statistics_service(
    kit: CoordinatorKit,
    state_dir: Path,
    revocations: CoordinatorStore,
    database_url: str | None = None,
    settings: ServerSettings | None = None,
    recover: bool = True,
) -> RoundService | None:
    """The round service of the federation's statistics (``coordinator.statistics``),
    in ``state_dir/statistics/`` (or the PostgreSQL database's ``statistics`` schema);
    None when the federation has too few sites for a secure sum."""
    from coordinator.statistics import StatisticsUnavailableError, statistics_plan

    settings = settings or ServerSettings()
    try:
        plan = statistics_plan(kit.plan)
    except StatisticsUnavailableError:
        return None
    folder = state_dir / STATISTICS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    store = (
        CoordinatorStore(database_url, schema=STATISTICS_SCHEMA) if database_url
        else CoordinatorStore(f"sqlite:///{folder / settings.database_file}")
    )
    return RoundService(
        plan, store, BlobStore(folder / settings.blob_dir), recover=recover,
        ca_pem=kit.ca_path.read_bytes(), revocations=revocations,
    )


# How the serving process tells its worker processes what to open (they are spawned).
WORKER_ENV = "MEDFED_COORDINATOR_WORKER"


def worker_app() -> Any:
    """The app of one worker process (a uvicorn factory), from :data:`WORKER_ENV`."""
    from coordinator.server.app import create_app

    spec = json.loads(os.environ[WORKER_ENV])
    settings = ServerSettings(**spec["settings"])
    kit = load_coordinator_kit(Path(spec["kit"]))
    service = open_service(kit, Path(spec["state"]), spec["database_url"], settings, recover=False)
    statistics = open_statistics_service(
        kit, Path(spec["state"]), service.store, spec["database_url"], settings, recover=False
    )
    return create_app(service, settings, statistics)


def serve(
    kit: CoordinatorKit,
    state_dir: Path,
    host: str,
    port: int,
    database_url: str | None = None,
    settings: ServerSettings | None = None,
    workers: int = 1,
) -> None:
    """Serve HTTPS with mandatory client certificates until interrupted.

    ``workers > 1`` runs that many processes on the port; it needs a store that several
    processes can share (PostgreSQL), and is refused with a reason otherwise.
    """
    import uvicorn

    from coordinator.server.app import create_app
    from coordinator.server.tls import server_ssl_options

    settings = settings or ServerSettings()
    if workers < 1:
        raise CoordinatorError("--workers must be at least 1")
    service = open_service(kit, state_dir, database_url, settings)
    statistics = open_statistics_service(kit, state_dir, service.store, database_url, settings)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "lifespan": "on",
        "timeout_graceful_shutdown": int(settings.graceful_shutdown_s),
        "limit_concurrency": settings.max_connections,
        **server_ssl_options(str(kit.ca_path), str(kit.cert_path), str(kit.key_path)),
    }
    if workers == 1:
        uvicorn.Server(uvicorn.Config(create_app(service, settings, statistics), **options)).run()
        return
    shared = service.store.shared_between_processes
    service.store.close()
    if statistics is not None:
        statistics.store.close()
    if not shared:
        raise CoordinatorError(
            f"{workers} worker processes need a database they can share: a SQLite file "
            "serves one process. Serve with one worker, or give --database-url "
            "postgresql+psycopg://USER@HOST/DATABASE"
        )
    os.environ[WORKER_ENV] = json.dumps({
        "kit": str(kit.folder), "state": str(state_dir), "database_url": database_url,
        "settings": dataclasses.asdict(settings),
    })
    uvicorn.run("coordinator.server.serving:worker_app", factory=True, workers=workers, **options)
