"""Named defaults and limits of the coordinator and its client, in one place."""

from __future__ import annotations

from dataclasses import dataclass

API_PREFIX = "/v1"
SITE_HEADER = "X-MedFed-Site"
SHA256_HEADER = "X-MedFed-SHA256"
# The largest round number or example count the wire accepts: it fits every SQL integer
# column, so a huge number is refused with a 422 instead of overflowing the database.
MAX_WIRE_INT = 2**31 - 1


@dataclass(frozen=True)
class ServerSettings:
    """How the coordinator serves and stores a federation."""

    host: str = "127.0.0.1"
    port: int = 8443
    database_file: str = "coordinator.sqlite"
    blob_dir: str = "blobs"
    # An upload that sends nothing for this long is dropped (and its partial blob removed):
    # a vanished peer must not hold a connection and a half-written file for ever.
    upload_idle_timeout_s: float = 60.0
    # How often the round driver looks at deadlines when nothing else wakes it.
    tick_s: float = 0.5
    # Threads for validation, fsync and aggregation (see coordinator.server.app).
    service_threads: int = 2
    # On SIGTERM, how long open connections get to finish before they are cut.
    graceful_shutdown_s: float = 5.0
    # A site's "last seen" is written at most this often per process (polls are frequent).
    last_seen_resolution_s: float = 5.0
    # How often the operator's status page reloads itself in the browser.
    status_page_refresh_s: int = 10


@dataclass(frozen=True)
class ProvisioningDefaults:
    """Certificate lifetimes and kit layout."""

    validity_days: int = 365
    coordinator_address: str = "https://127.0.0.1:8443"
    kit_suffix: str = ".medfed-kit"


@dataclass(frozen=True)
class ClientDefaults:
    """Timeouts and retry policy of the site's calls to the coordinator."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0
    max_retries: int = 6
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    # None: give up after max_retries. A number: keep retrying (backoff capped at
    # backoff_max_s) until an outage has lasted this long; a site's `join` waits out
    # coordinator restarts this way.
    patience_s: float | None = None
    stream_chunk_bytes: int = 1024 * 1024
    # The hospital's HTTPS proxy, e.g. "http://proxy.hospital.example:3128". None: the
    # environment's HTTPS_PROXY, as for every program on the workstation. NO_PROXY from
    # the environment is honoured either way.
    https_proxy: str | None = None
