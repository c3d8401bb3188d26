"""Entry point that PyInstaller freezes into the ``medfed-coordinator`` binary."""

import sys

from coordinator.cli import main

if __name__ == "__main__":
    sys.exit(main())
