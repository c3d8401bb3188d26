"""Entry point of the macOS app bundle: opening ``MedFed Site.app`` starts the window.

A bundle is launched without a command line, so this entry always runs ``medfed-site
gui``; the command-line program is the one-folder build (launch_site.py).
"""

import multiprocessing
import sys

from siteapp.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main(["gui"]))
