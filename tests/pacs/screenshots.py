"""Screenshots of the DICOM network GUI on a real Orthanc (offscreen, no display).

``python -m tests.pacs.screenshots`` starts Orthanc on loopback in a temporary folder,
pushes six phantom CT studies into it, then drives the site app through its public
actions: Query PACS (search, retrieve two studies), Inference on the retrieved files,
and Inference > Export as DICOM sent back to Orthanc. Writes ``pacs-query.png`` and
``pacs-export.png`` (and ``pacs-settings.png``) to ``docs/screenshots``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from siteapp.dicom.phantom import generate_phantom_sites
from siteapp.pacs.config import DicomNetworkConfig, ReceiverSettings, save_network_config
from siteapp.pacs.send import send_files
from tests.pacs.orthanc import free_port, start_orthanc

SITE_AE = "MEDFED_SITE1"


def render(out_dir: Path, scratch: Path) -> list[Path]:
    from siteapp.tasks import demo_task
    from siteapp.training.checkpoints import save_checkpoint
    from siteapp.training.inference import predict_paths
    from siteapp.training.models import build_model
    from siteapp.training.weights import full_state
    from siteapp.ui.app import application, apply_style, build_main_window
    from siteapp.ui.preferences import Preferences, ini_settings
    from siteapp.ui.screenshots import _settle

    (phantom,) = generate_phantom_sites(scratch / "phantom", 1, 6, 5, "lung-ct-nodule", 2)
    port = free_port()
    orthanc = start_orthanc(scratch / "orthanc", SITE_AE, port)
    try:
        send_files(orthanc.node(), "CT_SCANNER1", sorted(phantom.rglob("*.dcm")))
        data_dir = scratch / "site"
        receiver = ReceiverSettings(SITE_AE, port, "127.0.0.1", ("CT_SCANNER1",))
        save_network_config(data_dir, DicomNetworkConfig(receiver).with_node(
            orthanc.node("hospital-pacs")))
        task = demo_task("lung-ct-nodule")
        save_checkpoint(data_dir, full_state(build_model("compact_cnn", task)),
                        source="federated", run_id="screens", round=8,
                        model_name="compact_cnn", task=task, epsilon=7.5, metrics={})

        app = application()
        apply_style(app)
        prefs = Preferences(ini_settings(scratch / "preferences.ini"))
        prefs.device = "cpu"
        window = build_main_window(data_dir, prefs)
        window.resize(1440, 900)
        window.show()
        _settle(app)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []

        studies = window.show_page("studies")
        dialog = studies.open_query_pacs()
        dialog.modality_combo.setCurrentIndex(dialog.modality_combo.findData("CT"))
        dialog.search()
        _settle(app)
        dialog.table.selectRow(1)
        dialog.table.selectionModel().select(
            dialog.table.model().index(3, 0),
            dialog.table.selectionModel().SelectionFlag.Select
            | dialog.table.selectionModel().SelectionFlag.Rows)
        dialog.retrieve_selected()
        _settle(app)
        written.append(_grab(dialog, out_dir / "pacs-query.png"))
        dialog.close()

        received = data_dir / "received"
        inference = window.show_page("inference")
        report = predict_paths(data_dir, [received])
        inference.predicted_paths = [received]
        inference._on_report(report)
        export = inference.open_dicom_export()
        export.export()
        _settle(app)
        written.append(_grab(export, out_dir / "pacs-export.png"))
        export.close()

        window.show_page("settings")
        _settle(app)
        written.append(_grab(window, out_dir / "pacs-settings.png"))
        window.close()
        return written
    finally:
        orthanc.stop()


def _grab(widget, path: Path) -> Path:
    widget.grab().save(str(path))
    print(f"wrote {path}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pacs.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="medfed-pacs-screens-") as scratch:
        render(args.out, Path(scratch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
