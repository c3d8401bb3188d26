"""The demo's hospitals: phantom studies per site, imported and labelled like real ones.

Each site gets its own data folder, filled through the same importer and labels import
staff use. The phantom DICOM files are generated once per configuration and reused by
later runs (a stamp file records the configuration); data folders are rebuilt per run,
because a privacy ledger and an enrolment belong to one federation.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from siteapp.demo.settings import (
    DEMO_TASK,
    PHANTOM_DIRNAME,
    PHANTOM_OF_TASK,
    STRONG_SKEW_POSITIVE_FRACTIONS,
    site_name,
)
from siteapp.dicom.importer import import_paths
from siteapp.dicom.labels import import_labels
from siteapp.dicom.phantom import (
    LABELS_FILENAME,
    SITE_PROFILES,
    SiteProfile,
    generate_phantom_sites,
)

STAMP_FILENAME = "phantom.json"
Say = Callable[[str], None]


def skewed_profiles(skew: float) -> tuple[SiteProfile, ...]:
    """The phantom site profiles with class balance moved ``skew`` of the way (0..1)
    towards :data:`STRONG_SKEW_POSITIVE_FRACTIONS`; scanners and sizes are unchanged."""
    if not 0.0 <= skew <= 1.0:
        raise ValueError(f"skew must be between 0 and 1, got {skew}")
    return tuple(
        replace(p, positive_fraction=(1 - skew) * p.positive_fraction + skew * strong)
        for p, strong in zip(SITE_PROFILES, STRONG_SKEW_POSITIVE_FRACTIONS, strict=True)
    )


def generator_version() -> str:
    """A digest of the phantom generators' source: a changed generator means new files."""
    import siteapp.dicom.phantom as phantom
    import siteapp.dicom.phantom_cxr as phantom_cxr

    digest = hashlib.sha256()
    for module in (phantom, phantom_cxr):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def generate_phantom(
    root: Path, sites: int, patients: int, seed: int, slices: int, skew: float, say: Say = print,
    task: str = DEMO_TASK, detector_scale: int = 1,
) -> list[Path]:
    """Phantom DICOM folders ``root/phantom/site-<n>``, generated unless an identical
    configuration is already there."""
    phantom = root / PHANTOM_DIRNAME
    wanted = {"sites": sites, "patients": patients, "seed": seed, "slices": slices,
              "skew": skew, "task": task, "generator": generator_version()}
    if detector_scale != 1:
        wanted["detector_scale"] = detector_scale
    stamp = phantom / STAMP_FILENAME
    folders = [phantom / site_name(n) for n in range(1, sites + 1)]
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == wanted and all(
        (f / LABELS_FILENAME).is_file() for f in folders
    ):
        return folders
    shutil.rmtree(phantom, ignore_errors=True)
    start = time.perf_counter()
    folders = generate_phantom_sites(
        phantom, sites, patients, seed, PHANTOM_OF_TASK.get(task, task), slices,
        profiles=skewed_profiles(skew), masks=task in PHANTOM_OF_TASK, detector_scale=detector_scale,
    )
    stamp.write_text(json.dumps(wanted), encoding="utf-8")
    say(f"generated phantom {task} studies for {sites} sites in "
        f"{time.perf_counter() - start:.1f} s")
    return folders


def seed_pseudonyms(data_dir: Path, seed: int, site: int) -> None:
    """Derive the site's pseudonym secret from the demo seed (a real site draws it at
    random), so patient keys, hence train/validation splits, repeat from run to run."""
    from siteapp.dicom.pseudonym import set_site_secret
    from siteapp.dicom.schema import open_dicom_db

    conn = open_dicom_db(data_dir)
    try:
        set_site_secret(conn, hashlib.sha256(f"medfed-demo:{seed}:{site}".encode()).digest())
    finally:
        conn.close()


def import_site(data_dir: Path, source: Path, task: str = DEMO_TASK) -> str:
    """Import and label one phantom site into ``data_dir`` (a segmentation task's masks
    come in with the images, as DICOM SEG); returns a one-line summary."""
    report = import_paths(data_dir, [source])
    labels = import_labels(data_dir, source / LABELS_FILENAME, PHANTOM_OF_TASK.get(task, task))
    return f"{report.summary()}; {labels.patients_labelled} patients labelled"


def prepare_sites(
    demo_dir: Path,
    sites: int = 3,
    patients: int = 120,
    seed: int = 0,
    task: str = DEMO_TASK,
    *,
    slices: int = 4,
    skew: float = 0.0,
    fresh: bool = False,
    say: Say = print,
    detector_scale: int = 1,
) -> list[Path]:
    """Generate (once) the phantom data and import + label each site into
    ``demo_dir/site-<n>``; returns the data folders. ``fresh`` deletes them first."""
    if skew and task != DEMO_TASK:
        raise ValueError(f"--skew moves the {DEMO_TASK} phantom's class balance only")
    folders = generate_phantom(
        demo_dir, sites, patients, seed, slices, skew, say, task, detector_scale
    )
    data_dirs = []
    for number, source in enumerate(folders, start=1):
        data_dir = demo_dir / site_name(number)
        if fresh:
            shutil.rmtree(data_dir, ignore_errors=True)
        start = time.perf_counter()
        if not data_dir.exists():
            seed_pseudonyms(data_dir, seed, number)
        summary = import_site(data_dir, source, task)
        say(f"{site_name(number)}: {summary} ({time.perf_counter() - start:.1f} s)")
        data_dirs.append(data_dir)
    return data_dirs
