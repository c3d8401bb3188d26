"""The layers point one way: the coordinator runs without torch, the site app or Qt, and
the site's core (everything outside ``siteapp.ui``) runs without Qt.

Each check imports every module of a layer in a fresh interpreter in which the forbidden
packages cannot be imported at all, so a stray top-level import fails here with the
module that made it, not on an operator's server.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

_CHECK = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys

    forbidden = {forbidden!r}
    skip = {skip!r}

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in forbidden:
                raise ImportError(f"layering: {{name}} may not be imported here")
            return None

    sys.meta_path.insert(0, Refuse())
    package = importlib.import_module({package!r})
    names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    failures = []
    for name in sorted(names):
        if any(name == s or name.startswith(s + ".") for s in skip):
            continue
        try:
            importlib.import_module(name)
        except ImportError as exc:
            failures.append(f"{{name}}: {{exc}}")
    print("\\n".join(failures) or f"ok: {{len(names)}} modules")
    sys.exit(1 if failures else 0)
    """
)


def _import_layer(package: str, forbidden: set[str], skip: tuple[str, ...] = ()) -> None:
    code = _CHECK.format(package=package, forbidden=sorted(forbidden), skip=list(skip))
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("package", "forbidden", "skip"),
    [
        ("coordinator", {"torch", "siteapp", "PySide6", "opacus", "monai"}, ()),
        ("siteapp", {"PySide6", "pyqtgraph"}, ("siteapp.ui",)),
    ],
    ids=["coordinator-without-torch-siteapp-qt", "site-core-without-qt"],
)
def test_layers_import_without_what_they_must_not_need(
    package: str, forbidden: set[str], skip: tuple[str, ...]
) -> None:
    _import_layer(package, forbidden, skip)
