"""What goes into the frozen site app, shared by the Linux/Windows and macOS specs.

Lean by construction: the app needs Qt's core, GUI, widgets and SVG image support,
torch's CPU runtime (not its C++ test programs, headers or build files) and nothing
from the test or plotting stacks. Every list below says why an entry is there, so a
later import that needs something excluded is a one-line change.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path

# Python packages the site app never imports (tests, notebooks, other GUI toolkits,
# plotting: the charts are pyqtgraph), plus Qt modules it does not use (pyqtgraph needs
# QtOpenGL and QtOpenGLWidgets, so those stay).
EXCLUDED_MODULES: tuple[str, ...] = (
    "tkinter",
    "_tkinter",
    "matplotlib",
    "IPython",
    "jupyter_client",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "pydantic.mypy",
    "ast_serialize",
    "ruff",
    "PyInstaller",
    "torch.utils.tensorboard",
    "PySide6.QtQml",
    "PySide6.QtQmlFeatures",
    "PySide6.QtQuick",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest",
    "PySide6.QtQuickWidgets",
    "PySide6.QtTest",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtSql",
    "PySide6.QtUiTools",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "PySide6.QtLabsStyleKit",
    "PySide6.QtPrintSupport",
    # The coordinator's server side: a site only uses its protocol, client and crypto.
    "coordinator.server",
    "coordinator.cli",
    "uvicorn",
    "fastapi",
    "starlette",
    "sqlalchemy",
)

# Files collected by library hooks that the running app never opens: torch's C++ test
# programs and test libraries, headers and CMake files (torch/bin/torch_shm_manager
# stays: ``import torch`` checks that it exists); Qt translations other than the
# standard dialogs' (qtbase) ones. Patterns match the destination path in the bundle.
DROPPED_FILES: tuple[str, ...] = (
    "torch/bin/*Test",
    "torch/bin/test_*",
    "torch/bin/protoc*",
    "torch/test/*",
    "torch/include/*",
    "torch/share/*",
    "torch/lib/*test*.so",
    "torch/lib/libbackend_with_compiler.so",
    "torch/lib/libaoti_custom_ops.so",
    "PySide6/Qt/translations/qtwebengine*",
    "PySide6/Qt/translations/qtdeclarative*",
    "PySide6/Qt/translations/qtmultimedia*",
    "PySide6/Qt/translations/qtconnectivity*",
    "PySide6/Qt/translations/qtlocation*",
    "PySide6/Qt/translations/qtserialport*",
    "PySide6/Qt/translations/qtwebsockets*",
    "PySide6/Qt/translations/designer*",
    "PySide6/Qt/translations/linguist*",
    "PySide6/Qt/translations/assistant*",
    "PySide6/Qt/translations/qt_help*",
)

# Resources the app reads at run time (siteapp.tasks.RESOURCES_DIR), by pattern.
RESOURCE_PATTERNS: tuple[str, ...] = (
    "tasks/*.json",
    "icons/*.svg",
    "icons/*.png",
    "translations/*.qm",
    "models/*.safetensors",
    "*.qss",
)


def resource_datas(root: Path) -> list[tuple[str, str]]:
    """``(source file, bundle folder)`` pairs for ``resources/`` in PyInstaller's form."""
    resources = root / "resources"
    pairs: list[tuple[str, str]] = []
    for pattern in RESOURCE_PATTERNS:
        for path in sorted(resources.glob(pattern)):
            folder = path.parent.relative_to(root).as_posix()
            pairs.append((str(path), folder))
    return pairs


def is_dropped(dest: str) -> bool:
    """True when a bundle path matches :data:`DROPPED_FILES`."""
    normalised = dest.replace("\\", "/")
    return any(fnmatch(normalised, pattern) for pattern in DROPPED_FILES)


def without_dropped(entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A PyInstaller TOC (``(dest, source, kind)`` triples) less the dropped files."""
    return [entry for entry in entries if not is_dropped(entry[0])]
