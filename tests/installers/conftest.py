"""Fixtures of the packaging tests: each artefact is built once per session, via make."""

from __future__ import annotations

import pytest
from installer_builds import DIST, Artefact, build


@pytest.fixture(scope="session")
def coordinator_binary() -> Artefact:
    """``make coordinator-binary``: the one-file ``dist/medfed-coordinator``."""
    return build("coordinator-binary", "medfed-coordinator (one-file)", DIST / "medfed-coordinator")
