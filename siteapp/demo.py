"""``make demo``: phantom hospitals, each importing and labelling its own studies.

For now the demo generates phantom CT data for three sites, imports each site into its
own data folder (as three hospitals would) and prints the import summaries. It grows
into the full federation demo later. The folder defaults to ``./demo-run`` or
``$MEDFED_DEMO_DIR``; it is reused, so a second run re-imports and adds nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from siteapp.dicom.importer import import_paths
from siteapp.dicom.labels import import_labels
from siteapp.dicom.phantom import LABELS_FILENAME, generate_phantom_sites
from siteapp.errors import UserFacingError

DEFAULT_DEMO_DIR = Path(os.environ.get("MEDFED_DEMO_DIR", "demo-run"))
DEMO_SITES = 3
DEMO_PATIENTS = 120
DEMO_SEED = 0
DEMO_TASK = "lung-ct-nodule"


def prepare_sites(demo_dir: Path, sites: int = DEMO_SITES, patients: int = DEMO_PATIENTS,
                  seed: int = DEMO_SEED, task: str = DEMO_TASK) -> list[Path]:
    """Generate (once) the phantom data and import + label each site; returns data dirs."""
    phantom = demo_dir / "phantom"
    site_dirs = [phantom / f"site-{i + 1}" for i in range(sites)]
    if not all((d / LABELS_FILENAME).is_file() for d in site_dirs):
        start = time.perf_counter()
        site_dirs = generate_phantom_sites(phantom, sites, patients, seed, task)
        print(f"generated phantom studies for {sites} sites in {time.perf_counter() - start:.1f} s")
    data_dirs = []
    for number, site_dir in enumerate(site_dirs, start=1):
        data_dir = demo_dir / f"site-{number}-data"
        start = time.perf_counter()
        report = import_paths(data_dir, [site_dir])
        labels = import_labels(data_dir, site_dir / LABELS_FILENAME, task)
        print(f"site {number}: {report.summary()}; {labels.patients_labelled} patients labelled"
              f" ({time.perf_counter() - start:.1f} s)")
        data_dirs.append(data_dir)
    return data_dirs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m siteapp.demo", description=__doc__)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DEMO_DIR)
    parser.add_argument("--patients", type=int, default=DEMO_PATIENTS)
    args = parser.parse_args(argv)
    try:
        prepare_sites(args.dir, patients=args.patients)
    except UserFacingError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
