"""A demo site for ``make gui`` and ``make screenshots``: phantom studies, imported.

The same plain functions staff would use (phantom generator, importer, labels CSV
import), so the demo exercises the real layers. Nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from siteapp.settings import default_data_dir

DEMO_SOURCE_DIRNAME = "demo-source"


@dataclass(frozen=True)
class DemoSpec:
    """Size of the demo site: small enough to build in seconds on a laptop."""

    patients: int = 24
    seed: int = 7
    task: str = "lung-ct-nodule"
    slices: int = 12


DEMO = DemoSpec()


def demo_has_studies(data_dir: Path) -> bool:
    from siteapp.dicom.index import StudyIndex

    with StudyIndex(data_dir) as index:
        return index.counts()["studies"] > 0


def ensure_demo_site(data_dir: Path | None, spec: DemoSpec = DEMO) -> Path:
    """Fill ``data_dir`` with one imported, labelled phantom site unless it has studies."""
    from siteapp.dicom.importer import import_paths
    from siteapp.dicom.labels import import_labels
    from siteapp.dicom.phantom import LABELS_FILENAME, generate_phantom_sites

    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if demo_has_studies(data_dir):
        return data_dir
    source = data_dir / DEMO_SOURCE_DIRNAME
    (site,) = generate_phantom_sites(
        source, sites=1, patients=spec.patients, seed=spec.seed, task=spec.task, slices=spec.slices
    )
    import_paths(data_dir, [site])
    import_labels(data_dir, site / LABELS_FILENAME, spec.task)
    return data_dir
