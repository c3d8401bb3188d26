"""Fixtures of the federation tests: three phantom sites imported once per session (each
test copies them, so every test starts from fresh site data folders)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from harness import import_sites

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def site_templates(phantom_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Data folders of sites a, b, c (phantom sites 1-3), imported and labelled once."""
    return import_sites(phantom_root, tmp_path_factory.mktemp("federation-sites"))
