"""Assemble and run the coordinator from its kit: store, blobs, round service, uvicorn."""

from __future__ import annotations

from pathlib import Path

from coordinator.provisioning import CoordinatorKit
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
    return RoundService(
        kit.plan,
        CoordinatorStore(url),
        BlobStore(state_dir / settings.blob_dir),
        ckks_public_context=kit.ckks_public_context,
        recover=recover,
        ca_pem=kit.ca_path.read_bytes(),
    )


def serve(
    kit: CoordinatorKit,
    state_dir: Path,
    host: str,
    port: int,
    database_url: str | None = None,
    settings: ServerSettings | None = None,
) -> None:
    """Serve HTTPS with mandatory client certificates until interrupted."""
    import uvicorn

    from coordinator.server.app import create_app
    from coordinator.server.tls import server_ssl_options

    settings = settings or ServerSettings()
    service = open_service(kit, state_dir, database_url, settings)
    config = uvicorn.Config(
        create_app(service, settings),
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=int(settings.graceful_shutdown_s),
        **server_ssl_options(str(kit.ca_path), str(kit.cert_path), str(kit.key_path)),
    )
    uvicorn.Server(config).run()
