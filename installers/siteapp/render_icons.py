"""Render the app icon (``resources/icons/medfed.svg``) into the raster formats installers need.

Linux menus take the SVG itself plus a PNG fallback; Windows wants ``.ico`` and macOS
``.icns``. Rendering at build time from the one SVG keeps a single source of truth for
the artwork. Run as a script to write all three into a folder::

    python installers/siteapp/render_icons.py build/icons
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
APP_ICON_SVG = ROOT / "resources" / "icons" / "medfed.svg"
PNG_SIZE = 256
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZE = 1024


def render_png(svg: Path, size: int, out: Path) -> Path:
    """Rasterise ``svg`` to a square transparent PNG of ``size`` pixels."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG image; check the file in resources/icons")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):  # format from the .png suffix
        raise OSError(f"could not write {out}; check that the folder is writable")
    return out


def write_ico(svg: Path, out: Path) -> Path:
    """A Windows ``.ico`` holding every size in :data:`ICO_SIZES`."""
    from PIL import Image

    png = render_png(svg, max(ICO_SIZES), out.with_suffix(".ico.png"))
    with Image.open(png) as image:
        image.save(out, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    png.unlink()
    return out


def write_icns(svg: Path, out: Path) -> Path:
    """A macOS ``.icns`` (Pillow derives the smaller sizes from the 1024-pixel image)."""
    from PIL import Image

    png = render_png(svg, ICNS_SIZE, out.with_suffix(".icns.png"))
    with Image.open(png) as image:
        image.save(out, format="ICNS")
    png.unlink()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the MedFed app icon for installers.")
    parser.add_argument("out", type=Path, help="folder for medfed.png, medfed.ico, medfed.icns")
    args = parser.parse_args(argv)
    render_png(APP_ICON_SVG, PNG_SIZE, args.out / "medfed.png")
    write_ico(APP_ICON_SVG, args.out / "medfed.ico")
    write_icns(APP_ICON_SVG, args.out / "medfed.icns")
    for name in ("medfed.png", "medfed.ico", "medfed.icns"):
        print(f"{args.out / name}: {(args.out / name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
