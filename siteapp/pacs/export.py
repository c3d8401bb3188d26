"""Sending inference results back: DICOM files on disk, and C-STORE to a PACS node."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from siteapp.pacs.config import RESULTS_DIRNAME, DicomNetworkConfig
from siteapp.pacs.results import reference_images, study_results, write_study_results
from siteapp.pacs.send import SendReport, SentCallback, send_files

if TYPE_CHECKING:
    from siteapp.training.inference import InferenceReport


@dataclass
class ExportOutcome:
    written: list[Path]
    sent: SendReport | None

    def summary(self) -> str:
        text = f"wrote {len(self.written)} DICOM result objects"
        if self.written:
            text += f" to {self.written[0].parent.parent}"
        return text + (f"; {self.sent.summary()}" if self.sent else "")

    def to_json(self) -> dict[str, Any]:
        return {"written": [str(p) for p in self.written],
                "sent": self.sent.to_json() if self.sent else None}


def default_results_dir(data_dir: Path) -> Path:
    return Path(data_dir) / RESULTS_DIRNAME


def export_results(
    report: InferenceReport,
    source_paths: Sequence[Path],
    out_dir: Path,
    config: DicomNetworkConfig,
    node_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    on_sent: SentCallback | None = None,
) -> ExportOutcome:
    """Write the SR and saliency Secondary Capture of every study in ``report``  to ``out_dir``, and C-STORE
    them to the node named ``node_name`` when one is given. ``source_paths`` are the files
    or folders the report was predicted from (the results take patient and study from
    them). ``on_sent`` gets the audit record of each file sent."""
    node = config.node(node_name) if node_name else None
    results = study_results(report)
    sources = reference_images(source_paths, {r.study_uid for r in results})
    written = write_study_results(results, sources, out_dir)
    sent = None
    if node is not None:
        sent = send_files(node, config.receiver.ae_title, written, progress, cancel, on_sent)
    return ExportOutcome(written, sent)
