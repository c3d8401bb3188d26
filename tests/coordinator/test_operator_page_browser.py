"""The operator's status page in a real browser (Debian's headless chromium).

chromium cannot be handed a client certificate on the command line, so the test puts a
small TLS-terminating relay on loopback, as an operator's workstation proxy would: the
browser asks the relay over plain HTTP on 127.0.0.1, the relay calls the coordinator with
the operator's certificate over mutual TLS and hands back status, type and body. The
page is captured as a screenshot; ``MEDFED_SCREENSHOT_DIR`` also copies it there (the
README shows ``docs/screenshots/operator-status.png``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import requests
from coordinator_loopback import Federation
from operator_scenario import federation_with_history, operator_files
from PIL import Image

from coordinator.protocol import Endpoints

WINDOW = (1280, 800)
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", f"--window-size={WINDOW[0]},{WINDOW[1]}",
]


@pytest.fixture
def coordinator_database() -> None:
    """The page's content is tested on both stores; the browser needs one."""
    return None


@pytest.fixture
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("status page not tested in a browser: Debian's 'chromium' is not installed")
    return found


@pytest.fixture
def operator_relay() -> Iterator[Callable[[Federation], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(fed: Federation) -> str:
        cert, key, ca = operator_files(fed)
        upstream = f"https://127.0.0.1:{fed.port}"

        class Relay(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                answer = requests.get(upstream + self.path, cert=(str(cert), str(key)),
                                      verify=str(ca), timeout=30)
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("content-type", "text/plain"))
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *_args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "HOME": str(profile)},
    )


def test_the_status_page_renders_in_headless_chromium(
    make_federation, chromium: str, operator_relay, tmp_path: Path
) -> None:
    fed = federation_with_history(make_federation)
    url = operator_relay(fed) + Endpoints.OPERATOR_STATUS
    dom = _chromium(chromium, tmp_path / "profile-dom", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Federation test" in dom.stdout and "Round 3 failed" in dom.stdout
    assert "Site c expelled on" in dom.stdout and "Federated statistics" in dom.stdout

    shot = tmp_path / "operator-status.png"
    done = _chromium(chromium, tmp_path / "profile-shot", f"--screenshot={shot}", url)
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    image = np.asarray(Image.open(shot).convert("RGB"))
    assert image.shape[:2] == (WINDOW[1], WINDOW[0])
    # A rendered page, not a blank or error screen: text, table rules and coloured states.
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50
    target = os.environ.get("MEDFED_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(target) / "operator-status.png")
