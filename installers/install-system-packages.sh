#!/bin/sh
# Install the Debian packages of the named groups that are missing, and nothing else.
#   gui        Qt's X11/OpenGL runtime libraries (installers/siteapp/linux/runtime-depends.txt)
#   services   servers the tests start on loopback (installers/system-packages/services.txt)
#   packaging  X server and desktop tools for the packaging tests (.../packaging.txt)
# Does nothing when all are present. Where apt-get is missing or we are not root it says
# which packages are missing and exits 0: the tests that need them skip with that reason.
set -eu
HERE=$(dirname "$0")
packages=""
for group in "$@"; do
    case "$group" in
        gui) file="$HERE/siteapp/linux/runtime-depends.txt" ;;
        *) file="$HERE/system-packages/$group.txt" ;;
    esac
    if [ ! -f "$file" ]; then
        echo "install-system-packages: unknown group '$group'" >&2
        exit 2
    fi
    packages="$packages $(grep -v '^#' "$file" | tr '\n' ' ')"
done
missing=""
for pkg in $packages; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -z "$missing" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "MedFed needs these Debian packages:$missing" >&2
    echo "  install them as root: apt-get install$missing" >&2
    exit 0
fi
echo "installing Debian packages:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
