"""A federation with some history for the operator's status page: two published rounds
with validation figures, a revoked site and a round that failed at its deadline."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from coordinator_loopback import Federation, blob, model, wait_published

from coordinator import cli
from coordinator.kits import CA_FILE, OPERATOR_CERT, OPERATOR_DIR, OPERATOR_KEY
from coordinator.protocol import Endpoints, MetricsReport
from siteapp.federation.round_polling import wait_for_round

# Each site's (noised, here hand-made) validation histogram: negatives, then positives.
# AUC: a 15.5/16, b 12/16, c 11/16.
FIGURES = {
    "a": [[3.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 2.0]],
    "b": [[2.0, 2.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]],
    "c": [[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 2.0]],
}


def federation_with_history(make_federation: Callable[..., Federation]) -> Federation:
    fed = make_federation(rounds=3, min_sites=2, round_deadline_s=2.0, on_deadline="fail",
                          max_failed_rounds=0)  # the failed round stays the last one
    clients = {s: fed.client(s) for s in ("a", "b", "c")}
    clients["a"].upload_initial_model(blob(model(0)))
    for i, client in enumerate(clients.values()):
        client.upload_update(1, blob(model(10 + i, 0.1)), 10 * (i + 1))
    wait_published(clients["a"], 1)
    for site, client in clients.items():
        client.report_metrics(1, MetricsReport(noisy_counts=FIGURES[site]))
    assert cli.main(["revoke", "--kit", str(fed.kit_dir), *fed.store_args(), "c"]) == 0
    clients["a"].upload_update(2, blob(model(20, 0.1)), 10)
    clients["b"].upload_update(2, blob(model(21, 0.1)), 20)
    wait_published(clients["a"], 2)
    clients["a"].upload_update(3, blob(model(30, 0.1)), 10)
    failed = wait_for_round(clients["a"].round_state, lambda s: s.phase == "failed", timeout_s=20, poll_s=0.05)
    assert failed.number == 3
    return fed


def operator_files(fed: Federation) -> tuple[Path, Path, Path]:
    """The operator's (certificate, key, CA) that provisioning wrote."""
    folder = fed.root / "prov" / OPERATOR_DIR
    return folder / OPERATOR_CERT, folder / OPERATOR_KEY, folder / CA_FILE


def get_status_page(fed: Federation, cert: tuple[Path, Path], ca: Path, **kwargs: Any) -> requests.Response:
    return requests.get(
        f"https://127.0.0.1:{fed.port}{Endpoints.OPERATOR_STATUS}",
        cert=(str(cert[0]), str(cert[1])), verify=str(ca), timeout=30, **kwargs,
    )


def status_page_showing(fed: Federation, *texts: str, timeout_s: float = 30) -> str:
    """The operator's page, its escaped characters read back (``&#39;`` as ``'``), once it
    shows every one of ``texts`` (polled: the round moves on its own); AssertionError with
    the last page after ``timeout_s``."""
    cert, key, ca = operator_files(fed)
    end = time.monotonic() + timeout_s
    while True:
        page = get_status_page(fed, (cert, key), ca)
        assert page.status_code == 200, page.text
        text = html.unescape(page.text)
        if all(wanted in text for wanted in texts):
            return text
        if time.monotonic() > end:
            raise AssertionError(f"the status page did not show {texts} within {timeout_s:.0f} s:\n{text}")
        time.sleep(0.1)
