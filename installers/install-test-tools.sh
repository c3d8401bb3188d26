#!/bin/sh
# Install what the packaging tests (make test-long) need from Debian: an X server for
# the screenshot (Xvfb), xdotool to open Help > About, desktop-file-validate, and the
# site app's runtime libraries so that `dpkg -i medfed-site_*.deb` succeeds. Does nothing
# when all are present, and only explains itself where apt-get is missing or not root.
set -eu
HERE=$(dirname "$0")
PACKAGES="xvfb xauth xdotool desktop-file-utils $(grep -v '^#' "$HERE/siteapp/linux/runtime-depends.txt" | tr '\n' ' ')"
missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -z "$missing" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "installers: the packaging tests need:$missing (apt-get as root); they will be skipped" >&2
    exit 0
fi
echo "installers: installing$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
