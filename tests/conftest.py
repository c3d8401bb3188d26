"""Shared fixtures: a small phantom data set (generated once) and site data folders.

Other subsystems' tests build on these, so their names are stable:
``phantom_root`` (folder with ``site-1``..``site-3``, each with ``labels.csv``),
``data_dir`` (an empty site data folder) and ``imported_site`` (a data folder with
site 1 imported, labelled and split).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hospital_proxy import LoopbackProxy, ProxyUnavailableError
from postgres_cluster import PostgresUnavailableError, ThrowawayPostgres

from siteapp.dicom.importer import import_paths
from siteapp.dicom.labels import import_labels
from siteapp.dicom.phantom import LABELS_FILENAME, generate_phantom_sites

PHANTOM_SITES = 3
PHANTOM_PATIENTS = 12  # per full-size site; the third site is half that
PHANTOM_SEED = 0
PHANTOM_TASK = "lung-ct-nodule"


@pytest.fixture(scope="session")
def phantom_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Phantom CT studies for 3 sites x 12 patients (4 slices each), generated once."""
    root = tmp_path_factory.mktemp("phantom")
    generate_phantom_sites(root, PHANTOM_SITES, PHANTOM_PATIENTS, PHANTOM_SEED, PHANTOM_TASK)
    return root


@pytest.fixture(scope="session")
def site_templates(phantom_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Data folders of sites a, b, c (phantom sites 1-3), imported and labelled once per
    session; each test copies them, so every test starts from fresh site data folders."""
    from harness import import_sites

    return import_sites(phantom_root, tmp_path_factory.mktemp("site-templates"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty site data folder (created on first use by the code under test)."""
    return tmp_path / "site-data"


@pytest.fixture
def imported_site(phantom_root: Path, tmp_path: Path) -> Path:
    """A data folder with phantom site 1 imported, labelled and split into train/val."""
    site = phantom_root / "site-1"
    target = tmp_path / "site-1-data"
    import_paths(target, [site])
    import_labels(target, site / LABELS_FILENAME, PHANTOM_TASK)
    return target


# --- the coordinator's store: SQLite always, PostgreSQL where the server can run ---------
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    """One throwaway PostgreSQL server per test session (skipped, with the reason, where
    Debian's ``postgresql`` is not installed and cannot be)."""
    try:
        server = ThrowawayPostgres().start()
    except PostgresUnavailableError as exc:
        pytest.skip(f"PostgreSQL store not tested: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def coordinator_database() -> str | None:
    """The coordinator's database URL; None is its default SQLite file. The coordinator
    suite overrides this with :func:`both_stores` to run every test on both stores."""
    return None



# --- a hospital's HTTPS proxy --------------------------------------------------------------
@pytest.fixture
def proxy_for() -> Iterator[Callable[[list[int]], LoopbackProxy]]:
    """Start a tinyproxy on loopback that tunnels to the given ports only (skipped, with
    the reason, where Debian's ``tinyproxy`` is not installed)."""
    started: list[LoopbackProxy] = []

    def start(ports: list[int]) -> LoopbackProxy:
        try:
            proxy = LoopbackProxy(ports)
        except ProxyUnavailableError as exc:
            pytest.skip(f"hospital proxy not tested: {exc}")
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()
