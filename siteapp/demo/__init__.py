"""``make demo``: three phantom hospitals train one model together, privately.

Modules: :mod:`settings` (every number), :mod:`sites` (phantom data per site),
:mod:`federation` (provision, coordinator and site processes), :mod:`site_worker` (one
headless site), :mod:`processes` (children that never outlive the demo), :mod:`live`
(the console), :mod:`baselines` (local-only DP and centralized non-DP) and
:mod:`results` (tables, plot, JSON). Run ``python -m siteapp.demo --help``.
"""

from siteapp.demo.cli import main
from siteapp.demo.sites import prepare_sites

__all__ = ["main", "prepare_sites"]
