"""Fixtures of the federation tests (the phantom sites, ``site_templates``, come from the
root conftest)."""

from __future__ import annotations

import torch

torch.set_num_threads(1)
