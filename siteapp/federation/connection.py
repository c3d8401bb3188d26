"""The site's audited client for its coordinator, and "check connection".

Every request a site makes is recorded in its audit log, so every client is built here:
the round runner's (patient: it waits out outages), the statistics round's (under the
coordinator's statistics routes) and the connection check's (one quick poll).
:func:`check_connection` is what the Federation page's *Check connection* button and
``medfed-site check-connection`` both run; a failure raises the client's error, worded by
:mod:`coordinator.connection_failures` (what failed, what to do next).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coordinator.client import ConnectionParams, CoordinatorClient
from coordinator.kits import SiteKit
from coordinator.protocol import RoundState
from coordinator.settings import ClientDefaults
from coordinator.words import Words
from siteapp.federation.audit import AuditLog
from siteapp.federation.enrolment import load_enrolled_kit
from siteapp.federation.settings import KIT_DIRNAME, TLS_DIRNAME

#: A connection check should answer quickly; joining retries far more patiently.
CONNECTION_CHECK_RETRIES = 1


def site_client(
    data_dir: Path,
    kit: SiteKit,
    defaults: ClientDefaults,
    on_retry: Callable[[Words], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    routes: str = "",
) -> CoordinatorClient:
    """A client for the enrolled ``kit`` whose every request goes to the audit log.

    Its TLS files are the kit's, written to ``<data_dir>/kit/tls``; ``routes`` is the path
    under the coordinator's address where this client's rounds are served (empty for the
    training rounds, ``coordinator.statistics.STATISTICS_PREFIX`` for the statistics round).
    """
    ca, cert, key = kit.write_tls_files(Path(data_dir) / KIT_DIRNAME / TLS_DIRNAME)
    return CoordinatorClient(
        ConnectionParams(kit.coordinator_url.rstrip("/") + routes, ca, cert, key, kit.site),
        defaults=defaults,
        on_request=AuditLog(data_dir).record,
        on_retry=on_retry,
        sleep=sleep,
    )


@dataclass(frozen=True)
class ConnectionCheck:
    """The coordinator answered: where it is and its current round."""

    coordinator: str
    state: RoundState


def check_connection(data_dir: Path, https_proxy: str | None = None) -> ConnectionCheck:
    """One poll of the enrolled federation's coordinator (recorded in the audit log).

    Needs only the kit and the HTTP client, no torch. Raises ``NotEnrolledError``, or the
    client's ``CoordinatorUnreachableError`` / ``CoordinatorNotTrustedError``.
    """
    _enrolment, kit = load_enrolled_kit(data_dir)
    defaults = ClientDefaults(max_retries=CONNECTION_CHECK_RETRIES, https_proxy=https_proxy or None)
    client = site_client(data_dir, kit, defaults)
    try:
        return ConnectionCheck(kit.coordinator_url, client.round_state())
    finally:
        client.close()
