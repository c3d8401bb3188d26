"""The site app's Debian package: builds, installs with dpkg, runs frozen, uninstalls cleanly.

Needs root, dpkg, Xvfb and xdotool (``make installer-test-tools`` installs them); skipped
elsewhere. The package is installed on this machine for the duration of the module and
removed at the end. Screenshots of the installed app go to ``build/installers/``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from coordinator_process import provision, serving
from installer_builds import DIST, REPO, Artefact, build, record, size_of
from x11_display import Display, available, xvfb

from coordinator.loopback import free_port
from coordinator.protocol import FederationPlan
from coordinator.provisioning import provision as provision_federation

pytestmark = [pytest.mark.long, pytest.mark.timeout(3600)]

PACKAGE = "medfed-site"
INSTALL_DIR = Path("/opt/medfed-site")
LAUNCHER = Path("/usr/bin/medfed-site")
DESKTOP_ENTRY = Path("/usr/share/applications/medfed-site.desktop")
SCREENSHOTS = REPO / "build" / "installers"
WINDOW_TIMEOUT_S = 180.0
SETTLE_S = 1.5
CLI_TIMEOUT_S = 600.0
# Files the bundle must not carry: torch's own C++ tests and headers, unused stacks.
NOT_SHIPPED = ("torch/bin/test_", "torch/bin/protoc", "torch/test/", "torch/include/",
               "matplotlib/", "tkinter/", "PySide6/Qt/lib/libQt6Quick", "uvicorn/")


def _why_not_here() -> str | None:
    if not sys.platform.startswith("linux"):
        return "Debian packages are built and installed on Linux only"
    if shutil.which("dpkg-deb") is None or shutil.which("dpkg") is None:
        return "dpkg is not installed"
    if os.geteuid() != 0:
        return "installing a .deb needs root"
    return available()


if (reason := _why_not_here()) is not None:
    pytest.skip(reason, allow_module_level=True)


def _dpkg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["dpkg", *args], capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def deb_package() -> Artefact:
    """``make deb`` (the one-folder build, then the package); the newest .deb in dist/."""
    bundle = build("deb", "medfed-site one-folder (time: make deb, both steps)", DIST / PACKAGE)
    debs = sorted(DIST.glob(f"{PACKAGE}_*.deb"), key=lambda p: p.stat().st_mtime)
    assert debs, "make deb wrote no .deb into dist/"
    return record(Artefact("medfed-site .deb", str(debs[-1]), size_of(debs[-1]), bundle.build_seconds))


@pytest.fixture(scope="module")
def installed(deb_package: Artefact) -> Iterator[Artefact]:
    result = _dpkg("-i", deb_package.path)
    assert result.returncode == 0, result.stdout + result.stderr
    yield deb_package
    _dpkg("--purge", PACKAGE)  # leave no trace of the package on this machine


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in folder.rglob("*")
    }


def _user_env(home: Path, display: Display | None = None) -> dict[str, str]:
    """A fresh desktop user: every XDG folder under ``home``, no MedFed overrides."""
    env = display.env() if display is not None else dict(os.environ)
    for key in ("MEDFED_DATA_DIR", "QT_QPA_PLATFORM", "PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(key, None)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        OMP_NUM_THREADS="1",
    )
    (home / "runtime").mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def provision_kit(out: Path, request: Path) -> Path:
    """The kit of a small plaintext federation signed for the site's ``request`` (no
    coordinator needs to run)."""
    from coordinator.provisioning import sign_site_request

    plan = FederationPlan(federation="about-box", sites=["st-olaf"], min_sites=1)
    provision_federation(plan, out)
    return sign_site_request(out, request.read_bytes()).path


def test_package_holds_menu_entry_icon_and_a_lean_app(deb_package: Artefact) -> None:
    listing = subprocess.run(
        ["dpkg-deb", "--contents", deb_package.path], capture_output=True, text=True, check=True
    ).stdout
    for shipped in (
        "./opt/medfed-site/medfed-site",
        "./opt/medfed-site/_internal/resources/presets/lung-ct-nodule.json",
        "./opt/medfed-site/_internal/resources/medfed.qss",
        "./usr/bin/medfed-site -> /opt/medfed-site/medfed-site",
        "./usr/share/applications/medfed-site.desktop",
        "./usr/share/icons/hicolor/scalable/apps/medfed-site.svg",
        "./usr/share/icons/hicolor/256x256/apps/medfed-site.png",
    ):
        assert shipped in listing
    assert "medfed-0.1.0.dist-info" in listing or ".dist-info/METADATA" in listing
    for unwanted in NOT_SHIPPED:
        assert f"/_internal/{unwanted}" not in listing
    depends = subprocess.run(
        ["dpkg-deb", "--field", deb_package.path, "Depends"], capture_output=True, text=True
    ).stdout
    assert "libxcb-cursor0" in depends
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(REPO / "installers/siteapp/linux/medfed-site.desktop")],
            capture_output=True, text=True,
        )
        assert check.returncode == 0, check.stdout


def _site(env: dict[str, str], *args: str) -> str:
    """Run the installed ``medfed-site`` CLI; fails the test on a non-zero exit."""
    done = subprocess.run(
        [str(LAUNCHER), *args], env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S
    )
    assert done.returncode == 0, f"medfed-site {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout


def test_installed_site_joins_a_round_of_the_coordinator_binary(
    installed: Artefact, coordinator_binary: Artefact, tmp_path: Path
) -> None:
    """Both programs as hospitals get them: no virtual environment, no source tree."""
    env = _user_env(tmp_path / "home")
    data = tmp_path / "site-data"
    phantom = tmp_path / "phantom"
    port = free_port()
    federation = tmp_path / "federation"
    provisioned = provision(
        Path(coordinator_binary.path), federation, port, "--federation", "packaged-e2e",
        # One packaged site: TLS only (a secure sum needs at least three sites).
        "--sites", "alpha", "--min-sites", "1", "--rounds", "1", "--mode", "none",
    )
    assert provisioned.returncode == 0, provisioned.stderr
    _site(env, "demo-data", "--sites", "1", "--patients", "8", "--slices", "2", str(phantom))
    _site(env, "--data-dir", str(data), "import", str(phantom / "site-1"))
    _site(env, "--data-dir", str(data), "labels", "import", str(phantom / "site-1/labels.csv"))
    _site(env, "--data-dir", str(data), "request-enrolment", "--site", "alpha",
          "--out", str(tmp_path / "alpha.csr"))
    signed = subprocess.run(
        [coordinator_binary.path, "sign-request", "--out", str(federation), str(tmp_path / "alpha.csr")],
        capture_output=True, text=True, timeout=60,
    )
    assert signed.returncode == 0, signed.stderr
    enrolled = _site(env, "--data-dir", str(data), "enroll",
                     str(federation / "sites" / "alpha.medfed-kit"))
    assert "federation 'packaged-e2e'" in enrolled
    with serving([coordinator_binary.path], federation / "coordinator", port,
                 tmp_path / "serve.log"):
        joined = _site(env, "--data-dir", str(data), "join", "--rounds", "1", "--device", "cpu")
        status = subprocess.run(
            [coordinator_binary.path, "status", "--kit", str(federation / "coordinator")],
            capture_output=True, text=True, timeout=60,
        )
    assert "round 1: validation AUC" in joined
    assert "round 1: published" in status.stdout, status.stdout + status.stderr
    assert "epsilon" in _site(env, "--data-dir", str(data), "privacy")


def test_installed_app_opens_its_window_and_about_box(installed: Artefact, tmp_path: Path) -> None:
    before = _snapshot(INSTALL_DIR)
    home = tmp_path / "home"
    # Enrolled in the default data folder, as the GUI finds it (Help > About names it).
    _site(_user_env(home), "request-enrolment", "--site", "st-olaf", "--out", str(tmp_path / "st-olaf.csr"))
    kit = provision_kit(tmp_path / "federation", tmp_path / "st-olaf.csr")
    _site(_user_env(home), "enroll", str(kit))
    with xvfb() as display:
        app = subprocess.Popen(
            [str(LAUNCHER), "gui"], env=_user_env(home, display),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        try:
            main = display.wait_for_window("MedFed", WINDOW_TIMEOUT_S)
            time.sleep(SETTLE_S)  # let the first page finish drawing
            shot = display.screenshot(SCREENSHOTS / "deb-main-window.png")
            display.xdotool("windowfocus", "--sync", main)
            display.xdotool("key", "alt+h")
            time.sleep(SETTLE_S)
            display.xdotool("key", "a")
            display.wait_for_window("About MedFed", 30.0)
            time.sleep(SETTLE_S)
            about_shot = display.screenshot(SCREENSHOTS / "deb-about-box.png")
            display.xdotool("key", "Escape")
            assert app.poll() is None, "the app exited while being shown"
        finally:
            app.send_signal(signal.SIGTERM)
            try:
                output = app.communicate(timeout=30)[0].decode(errors="replace")
            except subprocess.TimeoutExpired:
                app.kill()
                output = app.communicate()[0].decode(errors="replace")
    from PIL import Image

    for path in (shot, about_shot):
        with Image.open(path) as image:
            low, high = cast(tuple[int, int], image.convert("L").getextrema())
            assert image.width > 200 and high - low > 50, f"{path} looks blank; app said:\n{output}"
    # It wrote to the user's data folder, and nothing into the installed program.
    assert (home / ".local/share/MedFed/logs/siteapp.log").is_file(), output
    assert _snapshot(INSTALL_DIR) == before


def test_removing_the_package_keeps_the_user_data(installed: Artefact, tmp_path: Path) -> None:
    data = tmp_path / "home/.local/share/MedFed"
    data.mkdir(parents=True)
    (data / "site.sqlite").write_bytes(b"kept")
    # A maintainer script that cleaned "$HOME" would delete it here.
    removed = _dpkg("-r", PACKAGE, env=_user_env(tmp_path / "home"))
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not INSTALL_DIR.exists()
    assert not LAUNCHER.exists() and not LAUNCHER.is_symlink()
    assert not DESKTOP_ENTRY.exists()
    assert (data / "site.sqlite").read_bytes() == b"kept"
