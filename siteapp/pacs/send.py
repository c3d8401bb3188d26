"""C-STORE: sending DICOM files (MedFed's results) to a PACS node.

Each file sent is reported to ``on_sent`` as a :class:`coordinator.client.RequestRecord`,
the record the audit log keeps for every request that leaves the machine (size, SHA-256,
what it carried), so the privacy officer sees results sent to a PACS as well.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from coordinator.client import RequestRecord
from coordinator.words import say
from siteapp.pacs.association import PacsError, local_ae, open_association
from siteapp.pacs.config import PacsNode

ProgressCallback = Callable[[int, int], None]
SentCallback = Callable[[RequestRecord], None]


@dataclass
class SendReport:
    node: str
    sent: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    cancelled: bool = False

    def summary(self) -> str:
        text = f"sent {len(self.sent)} files to {self.node}, {len(self.failed)} refused"
        return text + (" (cancelled)" if self.cancelled else "")

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "sent": list(self.sent), "failed": list(self.failed),
                "cancelled": self.cancelled}


def send_files(
    node: PacsNode,
    local_ae_title: str,
    paths: Sequence[Path],
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    on_sent: SentCallback | None = None,
) -> SendReport:
    """Store ``paths`` on ``node``; a file the node refuses is listed with its status."""
    report = SendReport(node.name)
    datasets = []
    for path in paths:
        try:
            datasets.append((Path(path), pydicom.dcmread(path)))
        except (InvalidDicomError, OSError) as exc:
            report.failed.append({"path": str(path), "reason": f"not a readable DICOM file ({exc})"})
    if not datasets:
        raise PacsError("nothing to send: none of the files is a readable DICOM file")
    ae = local_ae(local_ae_title)
    for sop_class in sorted({str(ds.SOPClassUID) for _, ds in datasets}):
        syntaxes = sorted({str(ds.file_meta.TransferSyntaxUID) for _, ds in datasets
                           if str(ds.SOPClassUID) == sop_class}
                          | {ExplicitVRLittleEndian, ImplicitVRLittleEndian})
        ae.add_requested_context(sop_class, syntaxes)
    with open_association(ae, node, "sending results") as assoc:
        for done, (path, ds) in enumerate(datasets, start=1):
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                break
            try:
                status = assoc.send_c_store(ds)
            except ValueError as exc:  # no accepted context for this SOP class
                report.failed.append({"path": str(path), "reason": f"{node.name} does not "
                                      f"accept this kind of object ({exc})"})
                continue
            if not status:
                raise PacsError(f"{node.describe()} stopped answering while results were sent")
            code = int(status.Status)
            if on_sent is not None:
                on_sent(_record(node, path, ds, code))
            if code in (0x0000, 0xB000, 0xB007, 0xB006):
                report.sent.append(str(path))
            else:
                report.failed.append({"path": str(path),
                                      "reason": f"refused with status 0x{code:04X}"})
            if progress is not None:
                progress(done, len(datasets))
    return report


def _record(node: PacsNode, path: Path, ds: pydicom.Dataset, code: int) -> RequestRecord:
    data = Path(path).read_bytes()
    kind = getattr(ds.SOPClassUID, "name", str(ds.SOPClassUID))
    return RequestRecord(
        endpoint=f"dicom://{node.ae_title}@{node.host}:{node.port}",
        method="C-STORE",
        status=code,
        bytes_sent=len(data),
        body_sha256=hashlib.sha256(data).hexdigest(),
        carried=say("{kind} {instance} in study {study}, with the study's patient and study "
                    "attributes ({series})", kind=kind, instance=str(ds.SOPInstanceUID),
                    study=str(ds.get("StudyInstanceUID", "?")),
                    series=str(ds.get("SeriesDescription", ""))),
        attempts=1,
    )


def echo(node: PacsNode, local_ae_title: str) -> None:
    """C-ECHO: raise :class:`PacsError` saying why ``node`` cannot be used."""
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    ae = local_ae(local_ae_title)
    ae.add_requested_context(Verification)
    with open_association(ae, node, "a connection test") as assoc:
        status = assoc.send_c_echo()
        if not status or int(status.Status) != 0:
            raise PacsError(f"{node.describe()} did not answer the connection test (C-ECHO)")
