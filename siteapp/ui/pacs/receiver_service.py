"""The GUI's one Storage SCP per session, started and stopped from Settings.

pynetdicom serves on its own threads, so starting only binds a socket; what arrives is
stored and indexed on the receiver's thread, and ``batch_received`` reaches the GUI
thread through Qt's queued signals. A change of data folder stops the receiver (it
writes into the folder it was started for).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from PySide6.QtCore import QCoreApplication, QObject, Signal

from siteapp.pacs.config import load_network_config
from siteapp.pacs.received import ReceivedBatch
from siteapp.pacs.receiver import StorageReceiver
from siteapp.ui.logging_setup import get_logger
from siteapp.ui.session import SiteSession

log = get_logger("pacs")


class ReceiverService(QObject):
    batch_received = Signal(object)  # ReceivedBatch
    running_changed = Signal(bool)

    def __init__(self, session: SiteSession) -> None:
        super().__init__()
        self.session = session
        self.receiver: StorageReceiver | None = None
        self.batch_received.connect(lambda _batch: session.index_changed.emit())
        session.data_dir_changed.connect(lambda _folder: self.stop())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    @property
    def running(self) -> bool:
        return self.receiver is not None and self.receiver.running

    def start(self) -> StorageReceiver:
        """Start with the saved settings; raises :class:`siteapp.pacs.PacsError` (port in
        use, no allowed caller) or a configuration error for the page to show."""
        if self.receiver is not None and self.receiver.running:
            return self.receiver
        config = load_network_config(self.session.data_dir)
        receiver = StorageReceiver(self.session.data_dir, config, self._on_batch)
        receiver.start()
        self.receiver = receiver
        self.running_changed.emit(True)
        return receiver

    def stop(self) -> None:
        receiver, self.receiver = self.receiver, None
        if receiver is not None:
            receiver.stop()
            self.running_changed.emit(False)

    def _on_batch(self, batch: ReceivedBatch) -> None:
        self.batch_received.emit(batch)  # from the receiver's thread: queued to the GUI


_SERVICES: WeakKeyDictionary[SiteSession, ReceiverService] = WeakKeyDictionary()


def receiver_service(session: SiteSession) -> ReceiverService:
    """The session's receiver service (created stopped on first use)."""
    service = _SERVICES.get(session)
    if service is None:
        service = _SERVICES[session] = ReceiverService(session)
    return service


def start_if_configured(session: SiteSession) -> str | None:
    """Start the receiver when its settings say "start with the app"; the reason when it
    could not start, for the page to show."""
    try:
        if load_network_config(session.data_dir).receiver.start_with_app:
            receiver_service(session).start()
    except Exception as exc:
        log.warning("DICOM receiver did not start: %s", exc)
        return str(exc)
    return None
