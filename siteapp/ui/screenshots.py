"""``make screenshots``: render every page of the site app on demo data to PNG files.

Runs offscreen (``QT_QPA_PLATFORM=offscreen``, no display needed) on the three-hospital
workspace of :mod:`siteapp.demo.workspace`, so each picture shows what the real
layers computed. Writes ``docs/screenshots/<page>.png``, and with ``--language zh_CN``
the same pages in Simplified Chinese (``make screenshots`` writes both, the Chinese ones
under ``docs/screenshots/zh_CN/``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

DEFAULT_OUT = Path("docs/screenshots")
DEFAULT_WORKSPACE = Path("build/screenshot-demo")
WINDOW_SIZE = (1440, 900)
SETTLE_S = 0.4
JOB_TIMEOUT_S = 300.0


def _settle(app, timeout_s: float = JOB_TIMEOUT_S) -> None:
    """Run the event loop until no worker is busy, then let painting finish."""
    from siteapp.ui.workers import active_workers

    end = time.monotonic() + timeout_s
    while active_workers() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    end = time.monotonic() + SETTLE_S
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _grab_whole_page(window, app, path: Path) -> None:
    """Save the window with its page whole: a page taller or wider than the window
    scrolls in the app, and the docs show all of it, so the window grows for the picture
    (never below :data:`WINDOW_SIZE`) and goes back after."""
    window.resize(*WINDOW_SIZE)
    _settle(app)
    area = window.stack.currentWidget()
    for _ in range(4):  # wrapped text can take more height once the window is taller
        wider, taller = area.horizontalScrollBar().maximum(), area.verticalScrollBar().maximum()
        if not (wider or taller):
            break
        window.resize(window.width() + wider, window.height() + taller)
        _settle(app)
    window.grab().save(str(path))
    window.resize(*WINDOW_SIZE)


def _prepare(page_id: str, page, app, workspace: Path) -> None:
    """Put a page in the state worth showing (all through its public actions)."""
    if page_id == "studies":
        # Importing the phantom folder again adds nothing new and shows the import
        # report: its labels.csv is listed as skipped, with the reason.
        page.start_import([workspace / "phantom" / "site-1"])
        _settle(app)
    if page_id == "labels" and page.table.rowCount():
        page.select_row(min(3, page.table.rowCount() - 1))
    if page_id == "inference" and page.studies.count():
        for row in range(min(8, page.studies.count())):
            page.studies.item(row).setSelected(True)
        page.predict_selected()
    _settle(app)


def render(out_dir: Path, workspace: Path, language: str = "en") -> list[Path]:
    from siteapp.demo.workspace import build_workspace
    from siteapp.ui.app import application, apply_style, build_main_window
    from siteapp.ui.i18n import install_translators
    from siteapp.ui.preferences import Preferences, ini_settings

    data_dir = build_workspace(workspace)
    app = application()
    translators = install_translators(app, language)
    apply_style(app)
    prefs = Preferences(ini_settings(Path(tempfile.mkdtemp()) / "preferences.ini"))
    prefs.device = "cpu"
    window = build_main_window(data_dir, prefs)
    window.resize(*WINDOW_SIZE)
    window.show()
    _settle(app)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for page_id in window.pages:
        page = window.show_page(page_id)
        _settle(app)
        _prepare(page_id, page, app, workspace)
        path = out_dir / f"{page_id}.png"
        _grab_whole_page(window, app, path)
        written.append(path)
        print(f"wrote {path}")
    window.ask_before_quitting = False
    window.close()
    written.append(render_mask_view(out_dir, app, prefs))
    written.append(render_segmentation_inference(out_dir, app, prefs))
    del translators
    return written


def _open_page(app, data_dir: Path, prefs, page_id: str):
    """A main window on ``data_dir`` at the screenshot size, showing ``page_id``, settled."""
    from siteapp.ui.app import build_main_window

    window = build_main_window(data_dir, prefs)
    window.resize(*WINDOW_SIZE)
    window.show()
    _settle(app)
    page = window.show_page(page_id)
    _settle(app)
    return window, page


def _save_and_close(window, app, path: Path) -> Path:
    _grab_whole_page(window, app, path)
    print(f"wrote {path}")
    window.ask_before_quitting = False
    window.close()
    return path


def render_mask_view(out_dir: Path, app, prefs) -> Path:
    """``viewer-mask.png``: the Viewer over a phantom CT whose lesion mask (a DICOM SEG
    written by the phantom, imported like any other) is overlaid, brush tools active.

    A small site of its own: the screenshot workspace's phantom has no masks (writing and
    importing them for its 1,200 patients would add minutes to every rebuild)."""
    from siteapp.dicom.importer import import_paths
    from siteapp.dicom.index import StudyIndex
    from siteapp.dicom.masks import mask_for_series, series_with_masks
    from siteapp.dicom.phantom import generate_phantom_sites
    from siteapp.ui.pages.viewer_page import ViewerPage
    from siteapp.ui.widgets.mask_tools import BrushTool

    scratch = Path(tempfile.mkdtemp(prefix="medfed-mask-view-"))
    (site,) = generate_phantom_sites(scratch / "phantom", 1, 4, seed=11, slices=3, masks=True)
    data_dir = scratch / "site-data"
    import_paths(data_dir, [site])
    with StudyIndex(data_dir) as index:
        best, best_area, best_uid = "", -1, ""
        for series_uid in series_with_masks(index):
            mask = mask_for_series(index, series_uid)
            for uid, frame in (mask.frames.items() if mask is not None else ()):
                if int(frame.sum()) > best_area:
                    best, best_area, best_uid = series_uid, int(frame.sum()), uid
    window, page = _open_page(app, data_dir, prefs, "viewer")
    assert isinstance(page, ViewerPage)
    page.open_series(best)
    _settle(app)
    if page.loaded is not None and best_uid in page.loaded.frame_uids:
        page.viewer.set_slice(page.loaded.frame_uids.index(best_uid))
    page.mask_tools.set_tool(BrushTool.DRAW)
    _settle(app)
    return _save_and_close(window, app, out_dir / "viewer-mask.png")


def render_segmentation_inference(out_dir: Path, app, prefs) -> Path:
    """``inference-segmentation.png``: Inference on a segmentation site, the U-Net's
    predicted lesion mask over the image, after one local DP round on a small masked
    phantom site of its own (seeded: a screenshot, not a measurement)."""
    from siteapp.dicom.importer import import_paths
    from siteapp.dicom.phantom import generate_phantom_sites
    from siteapp.tasks import demo_task, keep_federation_task
    from siteapp.training.local import LocalTrainingOptions, train_local
    from siteapp.ui.pages.inference_page import InferencePage

    scratch = Path(tempfile.mkdtemp(prefix="medfed-seg-view-"))
    (site,) = generate_phantom_sites(scratch / "phantom", 1, 12, seed=4, task="lung-ct-nodule",
                                     slices=2, masks=True)
    data_dir = scratch / "site-data"
    import_paths(data_dir, [site])
    task = demo_task("lung-ct-nodule-seg")
    keep_federation_task(data_dir, task)
    train_local(data_dir, LocalTrainingOptions(rounds=2, task=task, device="cpu",
                                               insecure_fixed_dp_seed=0))
    prefs.task = task.name
    window, page = _open_page(app, data_dir, prefs, "inference")
    assert isinstance(page, InferencePage)
    for row in range(min(3, page.studies.count())):
        page.studies.item(row).setSelected(True)
    page.predict_selected()
    _settle(app)
    return _save_and_close(window, app, out_dir / "inference-segmentation.png")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m siteapp.ui.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    parser.add_argument("--language", default="en", choices=["en", "zh_CN"],
                        help="the app's language in the pictures (default en)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from siteapp.errors import UserFacingError

    try:
        render(args.out, args.workspace, args.language)
    except UserFacingError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
