"""The site's DICOM network settings: its own receiver and the PACS nodes it knows.

Kept as JSON in the site data folder (``dicom-network.json``), not in the GUI's
preferences, so ``medfed-site pacs`` and the app read the same nodes. Every value is
checked when read and before it is saved: an AE title or port a PACS would refuse is
reported with what to enter instead.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from coordinator.durable_files import write_durably
from siteapp.errors import UsageError

CONFIG_FILENAME: Final = "dicom-network.json"
#: Received instances are kept under ``<data_dir>/received/<StudyInstanceUID>/``.
RECEIVED_DIRNAME: Final = "received"
#: Where results written as DICOM go unless the caller names a folder.
RESULTS_DIRNAME: Final = "dicom-results"
RETRIEVE_METHODS: Final = ("move", "get")
AE_TITLE_MAX: Final = 16


class PacsConfigError(UsageError):
    """A DICOM network setting is not usable; the message says which and why."""


@dataclass(frozen=True)
class NetworkTimeouts:
    """How long the site waits for a DICOM peer, in seconds."""

    connect_s: float = 10.0
    acse_s: float = 30.0
    dimse_s: float = 60.0
    network_s: float = 60.0
    #: After a C-MOVE completes, how long to wait for the PACS to close its store
    #: association, so the import report is complete.
    move_release_s: float = 5.0


TIMEOUTS: Final = NetworkTimeouts()


@dataclass(frozen=True)
class TlsFiles:
    """DICOM TLS towards a node: the CA that signed the node's certificate, and the
    site's own certificate and key where the node asks for one."""

    ca_file: str
    cert_file: str = ""
    key_file: str = ""


@dataclass(frozen=True)
class PacsNode:
    """A PACS (or another DICOM node) the site queries, retrieves from and sends to."""

    name: str
    ae_title: str
    host: str
    port: int
    retrieve_method: str = "move"
    tls: TlsFiles | None = None

    def describe(self) -> str:
        secure = ", TLS" if self.tls else ""
        return f"{self.name} ({self.ae_title}@{self.host}:{self.port}{secure})"


@dataclass(frozen=True)
class ReceiverSettings:
    """The site's Storage SCP. Off unless started; ``start_with_app`` starts it with the
    GUI. Besides the listed AE titles and hosts, the configured PACS nodes may call
    (a C-MOVE sends the studies back from the PACS's own AE title)."""

    ae_title: str = "MEDFED"
    port: int = 11112
    bind_address: str = "0.0.0.0"
    allowed_calling_ae_titles: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    start_with_app: bool = False
    tls: TlsFiles | None = None


@dataclass(frozen=True)
class DicomNetworkConfig:
    receiver: ReceiverSettings = field(default_factory=ReceiverSettings)
    nodes: tuple[PacsNode, ...] = ()

    def node(self, name: str) -> PacsNode:
        for node in self.nodes:
            if node.name == name:
                return node
        known = ", ".join(n.name for n in self.nodes) or "none yet"
        raise PacsConfigError(
            f"no PACS node named '{name}' (configured: {known}); add it with "
            "'medfed-site pacs node add' or in Settings > DICOM network"
        )

    def with_node(self, node: PacsNode) -> DicomNetworkConfig:
        """This configuration with ``node`` added, or replacing the node of its name."""
        check_node(node)
        others = tuple(n for n in self.nodes if n.name != node.name)
        return replace(self, nodes=(*others, node))

    def without_node(self, name: str) -> DicomNetworkConfig:
        self.node(name)
        return replace(self, nodes=tuple(n for n in self.nodes if n.name != name))

    def trusted_ae_titles(self) -> set[str]:
        return set(self.receiver.allowed_calling_ae_titles) | {n.ae_title for n in self.nodes}

    def trusted_hosts(self) -> set[str]:
        """Empty when the receiver accepts any host (AE titles are still checked)."""
        if not self.receiver.allowed_hosts:
            return set()
        return set(self.receiver.allowed_hosts) | {n.host for n in self.nodes}


def check_ae_title(value: str, what: str) -> str:
    """``value`` stripped, or a :class:`PacsConfigError` saying what a valid one is."""
    title = value.strip()
    if not title or len(title) > AE_TITLE_MAX or not title.isascii() or "\\" in title or any(
        not c.isprintable() for c in title
    ):
        raise PacsConfigError(
            f"{what} '{value}' is not a valid AE title: use 1 to 16 ASCII letters, digits, "
            "spaces or punctuation, without backslash (for example MEDFED)"
        )
    return title


def check_port(value: int, what: str) -> int:
    if not 1 <= int(value) <= 65535:
        raise PacsConfigError(f"{what} {value} is not a TCP port: use 1 to 65535 (often 104 or 11112)")
    return int(value)


def check_node(node: PacsNode) -> None:
    if not node.name.strip():
        raise PacsConfigError("a PACS node needs a name (for example 'main-pacs')")
    check_ae_title(node.ae_title, f"the AE title of node '{node.name}'")
    if not node.host.strip():
        raise PacsConfigError(f"node '{node.name}' needs a host name or IP address")
    check_port(node.port, f"the port of node '{node.name}'")
    if node.retrieve_method not in RETRIEVE_METHODS:
        raise PacsConfigError(
            f"node '{node.name}': retrieve method '{node.retrieve_method}' is not one of "
            f"{', '.join(RETRIEVE_METHODS)}"
        )
    if node.tls is not None:
        check_tls_files(node.tls, f"node '{node.name}'")


def check_receiver(receiver: ReceiverSettings) -> None:
    check_ae_title(receiver.ae_title, "the receiver's AE title")
    check_port(receiver.port, "the receiver's port")
    for title in receiver.allowed_calling_ae_titles:
        check_ae_title(title, "an allowed calling AE title")
    if receiver.tls is not None:
        if not receiver.tls.cert_file or not receiver.tls.key_file:
            raise PacsConfigError(
                "the receiver's TLS needs the site's certificate and key files"
            )
        check_tls_files(receiver.tls, "the receiver")


def check_tls_files(tls: TlsFiles, owner: str) -> None:
    for name in (tls.ca_file, tls.cert_file, tls.key_file):
        if name and not Path(name).is_file():
            raise PacsConfigError(f"{owner}: TLS file {name} does not exist")
    if bool(tls.cert_file) != bool(tls.key_file):
        raise PacsConfigError(f"{owner}: give both the certificate and its key, or neither")


def config_path(data_dir: Path) -> Path:
    return Path(data_dir) / CONFIG_FILENAME


def load_network_config(data_dir: Path) -> DicomNetworkConfig:
    """The site's settings, or the defaults (receiver off, no nodes) before any were saved."""
    path = config_path(data_dir)
    if not path.is_file():
        return DicomNetworkConfig()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        config = _from_json(doc)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise PacsConfigError(
            f"{path} is not a readable DICOM network configuration ({exc}); fix or delete it "
            "and configure the nodes again"
        ) from exc
    check_receiver(config.receiver)
    for node in config.nodes:
        check_node(node)
    return config


def save_network_config(data_dir: Path, config: DicomNetworkConfig) -> None:
    """Check and write the settings (temp file, fsync, rename: never half-written)."""
    check_receiver(config.receiver)
    for node in config.nodes:
        check_node(node)
    write_durably(config_path(data_dir), json.dumps(asdict(config), indent=2).encode("utf-8"))


def _tls(doc: dict[str, Any] | None) -> TlsFiles | None:
    return TlsFiles(**doc) if doc else None


def _from_json(doc: dict[str, Any]) -> DicomNetworkConfig:
    receiver_doc = dict(doc.get("receiver") or {})
    receiver_doc["allowed_calling_ae_titles"] = tuple(
        receiver_doc.get("allowed_calling_ae_titles", ())
    )
    receiver_doc["allowed_hosts"] = tuple(receiver_doc.get("allowed_hosts", ()))
    receiver_doc["tls"] = _tls(receiver_doc.get("tls"))
    nodes = []
    for node_doc in doc.get("nodes") or []:
        node_doc = dict(node_doc)
        node_doc["tls"] = _tls(node_doc.get("tls"))
        nodes.append(PacsNode(**node_doc))
    return DicomNetworkConfig(ReceiverSettings(**receiver_doc), tuple(nodes))
