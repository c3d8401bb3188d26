"""The site's Storage SCP: modalities and PACS send studies to it.

Off unless started (Settings > DICOM network, or ``medfed-site dicom-listen``). Only
configured callers get in: a calling AE title outside the allowed list (plus the
configured PACS nodes, whose C-MOVEs come back from their own AE title) is rejected with
a DICOM association rejection; when allowed hosts are set, a connection from any other
address is closed before a byte is read. Each received instance is stored and indexed by
:class:`siteapp.pacs.received.ReceivedInstances` before it is acknowledged; when an
association ends, each listener gets what it delivered and the import report.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from pynetdicom import ALL_TRANSFER_SYNTAXES, AllStoragePresentationContexts, evt
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]
from pynetdicom.transport import ThreadedAssociationServer

from siteapp.pacs.association import PacsError, local_ae, server_ssl_context
from siteapp.pacs.config import DicomNetworkConfig
from siteapp.pacs.received import (
    STATUS_CANNOT_UNDERSTAND,
    ReceivedBatch,
    ReceivedInstances,
)

log = logging.getLogger("medfed.pacs.receiver")

BatchCallback = Callable[[ReceivedBatch], None]


def resolve_hosts(hosts: set[str]) -> set[str]:
    """The IP addresses of ``hosts`` (names resolved once, at start)."""
    addresses: set[str] = set()
    for host in hosts:
        try:
            for info in socket.getaddrinfo(host, None):
                addresses.add(str(info[4][0]))
        except OSError:
            log.warning("allowed host %s does not resolve; ignored", host)
    return addresses


class _HostCheckingServer(ThreadedAssociationServer):
    """Closes connections from addresses outside the allowed set (when one is set)."""

    #: Set right after construction, before the server serves.
    allowed_addresses: set[str]

    def verify_request(self, request: Any, client_address: Any) -> bool:
        if not self.allowed_addresses:
            return True
        allowed = str(client_address[0]) in self.allowed_addresses
        if not allowed:
            log.warning("refused a DICOM connection from %s (not an allowed host)",
                        client_address[0])
        return allowed


class StorageReceiver:
    """A running (or stopped) Storage SCP for one site data folder."""

    def __init__(
        self,
        data_dir: Path,
        config: DicomNetworkConfig,
        on_batch: BatchCallback | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.config = config
        self._listeners: list[BatchCallback] = [on_batch] if on_batch else []
        self.instances = ReceivedInstances(self.data_dir)
        self._server: _HostCheckingServer | None = None
        self._batches: dict[int, ReceivedBatch] = {}
        self._lock = threading.Lock()

    def add_listener(self, callback: BatchCallback) -> None:
        """Call ``callback(batch)`` (on the receiver's thread) after each association."""
        with self._lock:
            self._listeners.append(callback)

    def remove_listener(self, callback: BatchCallback) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        """The listening port (useful when started on port 0)."""
        if self._server is None:
            return self.config.receiver.port
        return int(self._server.server_address[1])

    def start(self) -> None:
        if self._server is not None:
            return
        settings = self.config.receiver
        ae = local_ae(settings.ae_title)
        for context in AllStoragePresentationContexts:
            ae.add_supported_context(str(context.abstract_syntax), ALL_TRANSFER_SYNTAXES)
        ae.add_supported_context(Verification)
        callers = sorted(self.config.trusted_ae_titles())
        if not callers:
            raise PacsError(
                "the receiver accepts no caller yet: add the AE titles of the modalities or "
                "PACS that send to this site (Settings > DICOM network, or --allow-ae)"
            )
        ae.require_calling_aet = callers
        ssl_context = server_ssl_context(settings.tls) if settings.tls else None
        handlers: list[Any] = [
            (evt.EVT_C_STORE, self._handle_store),
            (evt.EVT_RELEASED, self._handle_end),
            (evt.EVT_ABORTED, self._handle_end),
            (evt.EVT_CONN_CLOSE, self._handle_end),
        ]
        try:
            server = cast(_HostCheckingServer, ae.make_server(
                (settings.bind_address, settings.port),
                ssl_context=ssl_context,
                evt_handlers=handlers,
                server_class=_HostCheckingServer,
            ))
        except OSError as exc:
            raise PacsError(
                f"cannot listen on port {settings.port} ({exc.strerror}); another program "
                "may use it: choose another port in Settings > DICOM network"
            ) from exc
        server.allowed_addresses = resolve_hosts(self.config.trusted_hosts())
        # Registered as AE.start_server registers its own, which server.shutdown expects.
        ae._servers.append(server)
        threading.Thread(target=server.serve_forever, name="medfed-dicom-receiver",
                         daemon=True).start()
        self._server = server
        log.info("DICOM receiver %s listening on %s:%d", settings.ae_title,
                 settings.bind_address, self.port)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            log.info("DICOM receiver stopped")

    def _batch(self, event: Any) -> ReceivedBatch:
        key = id(event.assoc)
        with self._lock:
            batch = self._batches.get(key)
            if batch is None:
                requestor = event.assoc.requestor
                batch = self._batches[key] = ReceivedBatch(
                    requestor.ae_title, f"{requestor.address}:{requestor.port}"
                )
            return batch

    def _handle_store(self, event: Any) -> int:
        try:
            dataset = event.dataset
            study_uid = str(dataset.get("StudyInstanceUID", ""))
        except Exception:  # a dataset pydicom cannot decode: tell the sender, keep serving
            log.warning("received an undecodable dataset from %s", event.assoc.requestor.ae_title)
            return STATUS_CANNOT_UNDERSTAND
        return self.instances.store(
            event.encoded_dataset(), study_uid, str(event.request.AffectedSOPInstanceUID),
            self._batch(event),
        )

    def _handle_end(self, event: Any) -> None:
        with self._lock:
            batch = self._batches.pop(id(event.assoc), None)
            listeners = list(self._listeners)
        if batch is None:
            return
        batch.close()
        log.info("received from %s (%s): %s", batch.calling_ae_title, batch.peer,
                 batch.report.summary())
        for listener in listeners:
            listener(batch)
