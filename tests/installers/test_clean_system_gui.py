"""The README's promise on a clean Debian: a fresh clone, then `make gui` opens the app.

A minimal Debian 12 is made with debootstrap (Python 3.11, venv, make and an X server, but
none of Qt's X11 libraries: `make gui` must install what it needs, as it does on a fresh
workstation). The repository is cloned into it, `make gui` runs under Xvfb inside the
chroot, and the main window is screenshotted to ``build/installers/clean-system-gui.png``.

Everything that touches the chroot runs in one script in private mount and PID namespaces
(``unshare``): the bind mounts and every process vanish with it, even when the test is
killed, so no later clean-up of the temporary folder can reach the host's /dev or /proc.
Python packages come from the package index as on any machine of this project; the pinned
CPU build of torch comes from the wheel folder these machines hold (bound read-only, with
pip's settings and the host's CA bundle), since the index's torch is a CUDA build of
several GB. Needs root, debootstrap, unshare and Debian's mirror; skipped elsewhere.
About ten minutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from installer_builds import REPO

pytestmark = [pytest.mark.long, pytest.mark.timeout(3600)]

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
# What the clean system starts with: enough to run the README's commands and an X server,
# nothing of Qt's runtime libraries (libxcb-cursor0 and friends).
BASE_PACKAGES = ("python3", "python3-venv", "make", "ca-certificates", "xvfb", "xauth",
                 "imagemagick", "x11-utils", "procps")
SCREENSHOT = REPO / "build" / "installers" / "clean-system-gui.png"
# The chroot gets a clean environment: nothing of this test run (QT_QPA_PLATFORM=offscreen,
# the venv's paths) may leak into the "fresh system".
CLEAN_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
SCRIPT_TIMEOUT_S = 2400

# Runs on the host, inside `unshare --mount --propagation private`; $1 is the chroot.
SCENARIO = r"""
set -eu
root=$1
for fs in proc dev sys; do mount --rbind /$fs "$root/$fs"; done
for src in /opt/wheels /opt/pypi /opt/pypi-more /etc/xdg/pip; do
    if [ -e "$src" ]; then mkdir -p "$root$src"; mount --bind -o ro "$src" "$root$src"; fi
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
in_root() {
    chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        HOME=/root LANG=C.UTF-8 DISPLAY=:77 PIP_FIND_LINKS=/opt/wheels \
        PIP_CONFIG_FILE=/etc/xdg/pip/pip.conf /bin/sh -c "$1"
}
if in_root "dpkg-query -W -f='\${Status}' libxcb-cursor0 2>/dev/null" | grep -q "install ok"; then
    echo "CLEAN-SYSTEM-HAD-QT-LIBS"; exit 3
fi
in_root "Xvfb :77 -screen 0 1280x860x24 >/tmp/xvfb.log 2>&1 &"
sleep 2
in_root "cd /root/medfed && make gui >/tmp/make-gui.log 2>&1 &"
found=""
for _ in $(seq 1 240); do
    if in_root "xwininfo -root -tree" | grep -q "MedFed Site"; then found=yes; break; fi
    if ! in_root "pgrep -f 'make gui' >/dev/null"; then break; fi
    sleep 5
done
if [ -z "$found" ]; then echo "NO-WINDOW"; tail -40 "$root/tmp/make-gui.log"; exit 4; fi
sleep 10
in_root "import -window root /tmp/clean-system-gui.png"
in_root "dpkg-query -W -f='\${Status}' libxcb-cursor0"
echo
echo "WINDOW-SHOWN"
"""


def _why_not_here() -> str | None:
    if os.geteuid() != 0:
        return "debootstrap, mount namespaces and chroot need root"
    for tool in ("debootstrap", "unshare", "chroot", "git"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (make installer-test-tools installs debootstrap)"
    return None


if (reason := _why_not_here()) is not None:
    pytest.skip(reason, allow_module_level=True)


def test_a_fresh_clone_opens_the_gui_with_make_gui(tmp_path: Path) -> None:
    root = tmp_path / "clean-debian"
    subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", SUITE,
         str(root), MIRROR],
        check=True, capture_output=True, timeout=SCRIPT_TIMEOUT_S, env=CLEAN_ENV,
    )
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(root / "root" / "medfed")],
                   check=True, capture_output=True, timeout=600)
    script = tmp_path / "scenario.sh"
    script.write_text(SCENARIO, encoding="utf-8")
    result = subprocess.run(
        # A private mount namespace (the bind mounts die with it) and a private PID
        # namespace (Xvfb and the app die with the script, whatever happens).
        ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
         "sh", str(script), str(root)],
        capture_output=True, text=True, timeout=SCRIPT_TIMEOUT_S, env=CLEAN_ENV,
    )
    log_file = root / "tmp" / "make-gui.log"
    log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.is_file() else ""
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-2000:]}\n{log[-3000:]}"
    assert "WINDOW-SHOWN" in result.stdout and "install ok installed" in result.stdout
    assert "installing Debian packages" in log and "libxcb-cursor0" in log, log[-3000:]
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "tmp" / "clean-system-gui.png", SCREENSHOT)
    assert SCREENSHOT.stat().st_size > 20_000, "the screenshot is (nearly) empty"
