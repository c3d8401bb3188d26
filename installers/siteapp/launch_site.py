"""Entry point that PyInstaller freezes into the ``medfed-site`` program.

``freeze_support`` must run first: training, inference and the DICOM importer start
``spawn`` child processes, which in a frozen build re-run this executable and must be
routed to the multiprocessing bootstrap instead of the command line.
"""

import multiprocessing
import sys

from siteapp.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
