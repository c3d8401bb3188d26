"""Retrieving studies from a PACS into the site: C-MOVE to the site's receiver, or C-GET.

C-MOVE asks the PACS to send the studies to the site's own Storage SCP (the PACS must
know the site's AE title, host and port); when the receiver is not running it is started
for the retrieve and stopped after. C-GET brings them back on the same association, so it
needs no inbound connection. Either way each instance is stored and indexed as an import
indexes it. One request per study; a cancel aborts the association, keeping what arrived.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import build_role, evt
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
)

from siteapp.dicom.importer import ImportReport
from siteapp.pacs.association import PacsError, local_ae, open_association, require_context
from siteapp.pacs.config import TIMEOUTS, DicomNetworkConfig, PacsNode
from siteapp.pacs.received import ReceivedBatch, ReceivedInstances, merge_report
from siteapp.pacs.receiver import StorageReceiver
from siteapp.pacs.storage_classes import RETRIEVED_STORAGE_CLASSES

ProgressCallback = Callable[[int, int], None]
StatusCallback = Callable[[str], None]


@dataclass
class RetrieveReport:
    node: str
    method: str
    studies_requested: int
    completed: int = 0
    failed: int = 0
    warnings: int = 0
    cancelled: bool = False
    imported: ImportReport = field(default_factory=ImportReport)

    def summary(self) -> str:
        text = (
            f"retrieved {self.completed} instances of {self.studies_requested} studies from "
            f"{self.node} by C-{self.method.upper()} ({self.failed} failed, {self.warnings} "
            f"with warnings); index: {self.imported.summary()}"
        )
        return text + (" (cancelled)" if self.cancelled else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node, "method": self.method,
            "studies_requested": self.studies_requested, "completed": self.completed,
            "failed": self.failed, "warnings": self.warnings, "cancelled": self.cancelled,
            "import": self.imported.to_json(),
        }


class _Progress:
    """Counts sub-operations over several studies for one progress bar."""

    def __init__(self, report: RetrieveReport, progress: ProgressCallback | None) -> None:
        self.report = report
        self.callback = progress
        self.base = 0

    def update(self, status: Dataset) -> None:
        done = int(status.get("NumberOfCompletedSuboperations", 0) or 0)
        failed = int(status.get("NumberOfFailedSuboperations", 0) or 0)
        warned = int(status.get("NumberOfWarningSuboperations", 0) or 0)
        remaining = int(status.get("NumberOfRemainingSuboperations", 0) or 0)
        if self.callback is not None:
            finished = self.base + done + failed + warned
            self.callback(finished, finished + remaining)

    def finish_study(self, status: Dataset) -> None:
        done = int(status.get("NumberOfCompletedSuboperations", 0) or 0)
        failed = int(status.get("NumberOfFailedSuboperations", 0) or 0)
        warned = int(status.get("NumberOfWarningSuboperations", 0) or 0)
        self.report.completed += done
        self.report.failed += failed
        self.report.warnings += warned
        self.base += done + failed + warned
        if self.callback is not None:
            self.callback(self.base, self.base)


def _identifier(study_uid: str) -> Dataset:
    ds = Dataset()
    ds.QueryRetrieveLevel = "STUDY"
    ds.StudyInstanceUID = study_uid
    return ds


def retrieve_studies(
    data_dir: Path,
    config: DicomNetworkConfig,
    node: PacsNode,
    study_uids: Sequence[str],
    receiver: StorageReceiver | None = None,
    progress: ProgressCallback | None = None,
    status: StatusCallback | None = None,
    cancel: threading.Event | None = None,
) -> RetrieveReport:
    """Bring ``study_uids`` from ``node`` into the site at ``data_dir``.

    ``receiver`` is the site's running Storage SCP if there is one (C-MOVE only).
    """
    if not study_uids:
        raise PacsError("choose at least one study to retrieve")
    report = RetrieveReport(node.name, node.retrieve_method, len(study_uids))
    if node.retrieve_method == "get":
        _retrieve_by_get(data_dir, config, node, study_uids, report, progress, status, cancel)
    else:
        _retrieve_by_move(data_dir, config, node, study_uids, receiver, report, progress,
                          status, cancel)
    return report


def _check_final(status: Dataset, node: PacsNode, method: str, destination: str) -> None:
    code = int(status.Status)
    if code in (0x0000, 0xB000, 0xFE00):
        return
    comment = str(status.get("ErrorComment", "") or "").strip()
    said = f" ({comment})" if comment else ""
    if method == "move" and (code == 0xA801 or code >= 0xC000):
        raise PacsError(
            f"{node.describe()} refused to send the studies to this site (status 0x{code:04X})"
            f"{said}. Most often the PACS does not know the move destination: ask its "
            f"administrator to add this site's receiver (AE title {destination}, this "
            "computer's address and the receiver's port) as a DICOM modality, or switch the "
            "node to C-GET"
        )
    raise PacsError(
        f"{node.describe()} refused the C-{method.upper()} (status 0x{code:04X}){said}"
    )


def _run_requests(
    assoc: Any, node: PacsNode, study_uids: Sequence[str], method: str, destination: str,
    send: Callable[[Dataset], Any], tracker: _Progress, status: StatusCallback | None,
    cancel: threading.Event | None,
) -> bool:
    """Send one request per study; False when cancelled."""
    for number, study_uid in enumerate(study_uids, start=1):
        if status is not None:
            status(f"study {number} of {len(study_uids)} from {node.name}")
        final: Dataset | None = None
        for rsp_status, _ in send(_identifier(study_uid)):
            if cancel is not None and cancel.is_set():
                assoc.abort()
                return False
            if not rsp_status:
                raise PacsError(f"{node.describe()} stopped answering during the retrieve")
            code = int(rsp_status.Status)
            if code in (0xFF00, 0xFF01):
                tracker.update(rsp_status)
            else:
                final = rsp_status
                _check_final(rsp_status, node, method, destination)
        if final is not None:
            tracker.finish_study(final)
    return True


def _retrieve_by_move(
    data_dir: Path, config: DicomNetworkConfig, node: PacsNode, study_uids: Sequence[str],
    receiver: StorageReceiver | None, report: RetrieveReport,
    progress: ProgressCallback | None, status: StatusCallback | None,
    cancel: threading.Event | None,
) -> None:
    own = receiver is None or not receiver.running
    active = StorageReceiver(data_dir, config) if own else receiver
    assert active is not None
    batches: list[ReceivedBatch] = []
    from_node = threading.Event()

    def collect(batch: ReceivedBatch) -> None:
        if batch.calling_ae_title.strip() == node.ae_title:
            batches.append(batch)
            from_node.set()

    active.add_listener(collect)
    try:
        if own:
            active.start()
        ae = local_ae(config.receiver.ae_title)
        ae.add_requested_context(StudyRootQueryRetrieveInformationModelMove)
        tracker = _Progress(report, progress)
        with open_association(ae, node, "a retrieve") as assoc:
            require_context(assoc, node, StudyRootQueryRetrieveInformationModelMove, "C-MOVE")

            def send(identifier: Dataset) -> Any:
                return assoc.send_c_move(identifier, config.receiver.ae_title,
                                         StudyRootQueryRetrieveInformationModelMove)

            report.cancelled = not _run_requests(assoc, node, study_uids, "move",
                                                 config.receiver.ae_title, send,
                                                 tracker, status, cancel)
        if report.completed and not report.cancelled:
            # The PACS closes its store association just after the final response.
            from_node.wait(TIMEOUTS.move_release_s)
    finally:
        active.remove_listener(collect)
        if own:
            active.stop()
    for batch in batches:
        merge_report(report.imported, batch.report)


def _retrieve_by_get(
    data_dir: Path, config: DicomNetworkConfig, node: PacsNode, study_uids: Sequence[str],
    report: RetrieveReport, progress: ProgressCallback | None,
    status: StatusCallback | None, cancel: threading.Event | None,
) -> None:
    ae = local_ae(config.receiver.ae_title)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelGet)
    roles = []
    for sop_class in RETRIEVED_STORAGE_CLASSES:
        ae.add_requested_context(sop_class)
        roles.append(build_role(sop_class, scp_role=True))
    instances = ReceivedInstances(data_dir)
    batch = ReceivedBatch(node.ae_title, f"{node.host}:{node.port}")

    def store(event: Any) -> int:
        study_uid = str(event.dataset.get("StudyInstanceUID", ""))
        return instances.store(event.encoded_dataset(), study_uid,
                               str(event.request.AffectedSOPInstanceUID), batch)

    tracker = _Progress(report, progress)
    try:
        with open_association(ae, node, "a retrieve", ext_neg=roles,
                              evt_handlers=[(evt.EVT_C_STORE, store)]) as assoc:
            require_context(assoc, node, StudyRootQueryRetrieveInformationModelGet, "C-GET")

            def send(identifier: Dataset) -> Any:
                return assoc.send_c_get(identifier, StudyRootQueryRetrieveInformationModelGet)

            report.cancelled = not _run_requests(assoc, node, study_uids, "get", "", send,
                                                 tracker, status, cancel)
    finally:
        batch.close()
    merge_report(report.imported, batch.report)
