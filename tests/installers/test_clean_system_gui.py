"""The README's promise on a clean Debian: a fresh clone, then `make gui` opens the app.

A minimal Debian 12 is made with debootstrap (Python 3.11, venv, make and an X server, but
none of Qt's X11 libraries: `make gui` must install what it needs, as it does on a fresh
workstation). The repository is cloned into it, `make gui` runs under Xvfb inside the
chroot, and the main window is screenshotted to ``build/installers/clean-system-gui.png``.

Python packages come from the package index as on any machine of this project; the pinned
CPU build of torch comes from the wheel folder these machines hold (bound read-only into
the chroot, with pip's settings and the host's CA bundle), since the index's own torch is
a CUDA build of several GB.
Needs root, debootstrap and Debian's mirror; skipped elsewhere. About ten minutes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from installer_builds import REPO

pytestmark = [pytest.mark.long, pytest.mark.timeout(3600)]

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# What the clean system starts with: enough to run the README's commands and an X server,
# nothing of Qt's runtime libraries (libxcb-cursor0 and friends).
BASE_PACKAGES = ("python3", "python3-venv", "make", "ca-certificates", "xvfb", "xauth",
                 "imagemagick", "x11-utils")
# The wheels and local indexes pip uses on these machines (read-only inside the chroot).
PIP_SOURCES = (Path("/opt/wheels"), Path("/opt/pypi"), Path("/opt/pypi-more"), Path("/etc/xdg/pip"))
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SCREENSHOT = REPO / "build" / "installers" / "clean-system-gui.png"
DISPLAY = ":77"
WINDOW_TIMEOUT_S = 600.0
STEP_TIMEOUT_S = 1800


def _why_not_here() -> str | None:
    if os.geteuid() != 0:
        return "debootstrap and chroot need root"
    if shutil.which("debootstrap") is None:
        return "debootstrap is not installed (make installer-test-tools installs it)"
    return None


if (reason := _why_not_here()) is not None:
    pytest.skip(reason, allow_module_level=True)


def _run(*args: str, timeout: float = STEP_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _in_root(root: Path, script: str, timeout: float = STEP_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    env = "PIP_FIND_LINKS=/opt/wheels PIP_CONFIG_FILE=/etc/xdg/pip/pip.conf HOME=/root LANG=C.UTF-8"
    return _run("chroot", str(root), "/bin/sh", "-c", f"export {env}; {script}", timeout=timeout)


def _stop_everything_in(root: Path) -> None:
    """Kill every process whose root directory is the chroot (the app, Xvfb, make)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(entry / "root") == str(root):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


@pytest.fixture(scope="module")
def clean_debian(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("clean-debian")
    _run("debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", SUITE,
         str(root), MIRROR)
    mounts: list[Path] = []
    try:
        for source in ("/proc", "/dev", "/sys"):
            target = root / source.lstrip("/")
            _run("mount", "--rbind", source, str(target))
            mounts.append(target)
        for source in PIP_SOURCES:
            if source.exists():
                target = root / str(source).lstrip("/")
                target.mkdir(parents=True, exist_ok=True)
                _run("mount", "--bind", "-o", "ro", str(source), str(target))
                mounts.append(target)
        shutil.copy("/etc/resolv.conf", root / "etc" / "resolv.conf")
        # This machine's trust store: the network it reaches the package index through may
        # present certificates that only the host's bundle knows.
        shutil.copy(HOST_CA_BUNDLE, root / str(HOST_CA_BUNDLE).lstrip("/"))
        yield root
    finally:
        _stop_everything_in(root)
        for target in reversed(mounts):
            subprocess.run(["umount", "-R", "-l", str(target)], capture_output=True, check=False)


def test_a_fresh_clone_opens_the_gui_with_make_gui(clean_debian: Path) -> None:
    root = clean_debian
    missing = _in_root(root, "dpkg-query -W -f='${Status}' libxcb-cursor0 2>/dev/null || true")
    assert "install ok installed" not in missing.stdout, "the clean system already had Qt's libraries"
    _run("git", "clone", "--quiet", str(REPO), str(root / "root" / "medfed"))

    _in_root(root, f"Xvfb {DISPLAY} -screen 0 1280x860x24 >/tmp/xvfb.log 2>&1 & sleep 2")
    app = subprocess.Popen(
        ["chroot", str(root), "/bin/sh", "-c",
         "export PIP_FIND_LINKS=/opt/wheels PIP_CONFIG_FILE=/etc/xdg/pip/pip.conf HOME=/root "
         f"LANG=C.UTF-8 DISPLAY={DISPLAY}; cd /root/medfed && make gui > /tmp/make-gui.log 2>&1"],
    )
    try:
        deadline = time.monotonic() + WINDOW_TIMEOUT_S
        while time.monotonic() < deadline:
            windows = subprocess.run(["chroot", str(root), "xwininfo", "-display", DISPLAY, "-root",
                                      "-tree"], capture_output=True, text=True).stdout
            if "MedFed Site" in windows:
                break
            assert app.poll() is None, (root / "tmp" / "make-gui.log").read_text()[-4000:]
            time.sleep(5)
        else:
            pytest.fail("no MedFed window within the time: " + (root / "tmp" / "make-gui.log").read_text()[-4000:])
        time.sleep(8)  # first paint and the demo site's import
        _in_root(root, f"import -display {DISPLAY} -window root /tmp/clean-system-gui.png")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "tmp" / "clean-system-gui.png", SCREENSHOT)
    finally:
        _stop_everything_in(root)
        app.wait(timeout=60)
    log = (root / "tmp" / "make-gui.log").read_text()
    assert "installing Debian packages" in log and "libxcb-cursor0" in log, log[-3000:]
    installed = _in_root(root, "dpkg-query -W -f='${Status}' libxcb-cursor0")
    assert "install ok installed" in installed.stdout
    assert SCREENSHOT.stat().st_size > 20_000, "the screenshot is (nearly) empty"
