"""Named defaults and limits of the coordinator and its client, in one place."""

from __future__ import annotations

from dataclasses import dataclass

API_PREFIX = "/v1"
SITE_HEADER = "X-MedFed-Site"
SHA256_HEADER = "X-MedFed-SHA256"
# The largest round number or example count the wire accepts: it fits every SQL integer
# column, so a huge number is refused with a 422 instead of overflowing the database.
MAX_WIRE_INT = 2**31 - 1
# A metrics report holds at most this many figures, named in at most this many characters,
# each of magnitude at most MAX_METRIC_ABS: validation figures (AUC, loss, counts, noised
# or not) are small numbers, and the operator's table must stay readable.
MAX_METRICS_PER_REPORT = 32
MAX_METRIC_NAME_CHARS = 64
MAX_METRIC_ABS = 1e9
# A JSON message nested deeper than this is refused before it is parsed any further.
MAX_JSON_DEPTH = 16


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
    # ...and one that is still arriving after this long, however slowly it trickles in:
    # 256 MiB at 1 MB/s fits, a client sending one byte a minute does not hold on for ever.
    upload_total_timeout_s: float = 900.0
    # Requests a single site may have in flight at once (uploads, polls, downloads), and
    # connections the server holds in all: beyond them a site gets 429 / 503 and retries.
    # Both count per server process (``serve --workers N`` multiplies them by N).
    max_requests_per_site: int = 8
    max_connections: int = 256
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
