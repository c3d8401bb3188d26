"""Package the one-folder site app (``dist/medfed-site``) as a Debian package with dpkg-deb.

Layout of the package:

    /opt/medfed-site/                       the PyInstaller folder, never written at run time
    /usr/bin/medfed-site                    symlink: the CLI, and ``medfed-site gui``
    /usr/share/applications/medfed-site.desktop   the menu item
    /usr/share/icons/hicolor/{scalable,256x256}/apps/medfed-site.{svg,png}
    /usr/share/doc/medfed-site/copyright

``postinst``/``postrm`` refresh the menu and icon caches; removing the package leaves each
user's data folder alone (it holds the privacy ledger). Run ``make deb``, or::

    python installers/siteapp/linux/build_deb.py --bundle dist/medfed-site --out dist
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from render_icons import APP_ICON_SVG, PNG_SIZE, render_png  # noqa: E402

PACKAGE = "medfed-site"
INSTALL_DIR = Path("opt") / PACKAGE
MAINTAINER = "MedFed maintainers <medfed@localhost>"
SECTION = "science"
DESCRIPTION = (
    "MedFed site app: federated medical-imaging training\n"
    " Import DICOM studies, label them and train one model together with other\n"
    " hospitals without any image, label or patient record leaving the workstation\n"
    " (patient-level differential privacy, encrypted model updates)."
)
# zstd: a fraction of xz's time on a ~1 GB payload for a slightly larger package;
# dpkg reads it since Debian 12 and Ubuntu 21.10.
COMPRESSION = ("-Zzstd", "-z9")


class PackagingError(RuntimeError):
    """The package could not be built; the message says what to do."""


@dataclass(frozen=True)
class DebResult:
    path: Path
    size_bytes: int
    installed_kib: int
    seconds: float


def package_version() -> str:
    """The distribution's version (what Help > About shows), as a Debian version."""
    try:
        return version("medfed")
    except PackageNotFoundError as exc:
        raise PackagingError("medfed is not installed in this environment; run 'make install'") from exc


def runtime_depends() -> list[str]:
    lines = (HERE / "runtime-depends.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def debian_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _tree_kib(folder: Path) -> int:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return (total + 1023) // 1024


def _control(ver: str, arch: str, installed_kib: int) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {ver}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(runtime_depends())}\n"
        f"Section: {SECTION}\n"
        "Priority: optional\n"
        f"Description: {DESCRIPTION}\n"
    )


def _copyright() -> str:
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: medfed\n\n"
        "Files: *\n"
        "License: Apache-2.0\n"
        " The bundled third-party libraries keep their own licences; their metadata is in\n"
        f" /{INSTALL_DIR}/_internal/*.dist-info.\n"
    )


def stage(bundle: Path, staging: Path) -> int:
    """Lay out the package tree under ``staging``; returns its installed size in KiB."""
    executable = bundle / PACKAGE
    if not executable.is_file():
        raise PackagingError(
            f"{executable} does not exist; build the one-folder app first with "
            "'make siteapp-bundle'"
        )
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(bundle, staging / INSTALL_DIR, symlinks=True)
    usr_bin = staging / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / PACKAGE).symlink_to(Path("/") / INSTALL_DIR / PACKAGE)
    applications = staging / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copyfile(HERE / f"{PACKAGE}.desktop", applications / f"{PACKAGE}.desktop")
    icons = staging / "usr" / "share" / "icons" / "hicolor"
    (icons / "scalable" / "apps").mkdir(parents=True)
    shutil.copyfile(APP_ICON_SVG, icons / "scalable" / "apps" / f"{PACKAGE}.svg")
    render_png(APP_ICON_SVG, PNG_SIZE, icons / f"{PNG_SIZE}x{PNG_SIZE}" / "apps" / f"{PACKAGE}.png")
    doc = staging / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(_copyright(), encoding="utf-8")
    for path in staging.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or path.stat().st_mode & 0o111 else 0o644)
    debian = staging / "DEBIAN"
    debian.mkdir()
    for script in ("postinst", "postrm"):
        shutil.copyfile(HERE / script, debian / script)
        (debian / script).chmod(0o755)
    installed_kib = _tree_kib(staging) - _tree_kib(debian)
    (debian / "control").write_text(
        _control(package_version(), debian_architecture(), installed_kib), encoding="utf-8"
    )
    return installed_kib


def build_deb(bundle: Path, out_dir: Path, staging: Path) -> DebResult:
    """Stage ``bundle`` and build ``<out_dir>/medfed-site_<version>_<arch>.deb``."""
    if shutil.which("dpkg-deb") is None:
        raise PackagingError("dpkg-deb is not installed; build the .deb on Debian or Ubuntu")
    started = time.monotonic()
    installed_kib = stage(bundle, staging)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{package_version()}_{debian_architecture()}.deb"
    completed = subprocess.run(
        ["dpkg-deb", "--root-owner-group", *COMPRESSION, "--build", str(staging), str(target)],
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise PackagingError(f"dpkg-deb failed: {completed.stderr.strip()}")
    shutil.rmtree(staging)
    return DebResult(target, target.stat().st_size, installed_kib, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the MedFed site app's .deb package.")
    parser.add_argument("--bundle", type=Path, default=Path("dist") / PACKAGE,
                        help="the PyInstaller one-folder build (default: dist/medfed-site)")
    parser.add_argument("--out", type=Path, default=Path("dist"), help="folder for the .deb")
    parser.add_argument("--staging", type=Path, default=Path("build") / "deb" / PACKAGE,
                        help="scratch folder for the package tree")
    args = parser.parse_args(argv)
    try:
        result = build_deb(args.bundle, args.out, args.staging)
    except PackagingError as exc:
        print(f"build_deb: {exc}", file=sys.stderr)
        return 1
    print(
        f"{result.path}: {result.size_bytes / 2**20:.1f} MiB "
        f"(installs {result.installed_kib / 1024:.0f} MiB) in {result.seconds:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
