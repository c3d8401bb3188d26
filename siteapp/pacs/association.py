"""Opening an association to a PACS node, and saying plainly why one failed.

pynetdicom answers a failed association with flags, not exceptions; :func:`open_association`
turns them into a :class:`PacsError` that names the node and what its administrator or the
user can do: a refused association usually means the PACS does not know this site's AE
title, no answer means a wrong host or port, a firewall, or a PACS that is down.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pynetdicom import AE
from pynetdicom.association import Association

from siteapp.errors import UserFacingError
from siteapp.pacs.config import TIMEOUTS, NetworkTimeouts, PacsNode, TlsFiles


class PacsError(UserFacingError):
    """A DICOM peer refused, dropped or never answered; the message says what to check."""


def client_ssl_context(tls: TlsFiles) -> ssl.SSLContext:
    """TLS towards a node: verify its certificate with the configured CA; present the
    site's certificate where one is configured."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=tls.ca_file)
    if tls.cert_file:
        context.load_cert_chain(tls.cert_file, tls.key_file)
    return context


def server_ssl_context(tls: TlsFiles) -> ssl.SSLContext:
    """TLS for the site's receiver; with a CA file, callers must present a certificate
    signed by it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls.cert_file, tls.key_file)
    if tls.ca_file:
        context.load_verify_locations(tls.ca_file)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def local_ae(ae_title: str, timeouts: NetworkTimeouts = TIMEOUTS) -> AE:
    ae = AE(ae_title=ae_title)
    ae.acse_timeout = timeouts.acse_s
    ae.dimse_timeout = timeouts.dimse_s
    ae.network_timeout = timeouts.network_s
    ae.connection_timeout = timeouts.connect_s
    return ae


@contextmanager
def open_association(
    ae: AE,
    node: PacsNode,
    contexts_for: str,
    ext_neg: Sequence[Any] | None = None,
    evt_handlers: list[Any] | None = None,
) -> Iterator[Association]:
    """An established association to ``node`` (released on exit, aborted on an error).

    ``contexts_for`` names the work in words ("query", "retrieve") for the messages.
    """
    tls_args = None
    if node.tls is not None:
        try:
            tls_args = (client_ssl_context(node.tls), node.host)
        except (OSError, ssl.SSLError) as exc:
            raise PacsError(
                f"cannot set up TLS for {node.describe()}: {exc}; check the CA, certificate "
                "and key files in Settings > DICOM network"
            ) from exc
    assoc = ae.associate(
        node.host,
        node.port,
        ae_title=node.ae_title,
        ext_neg=list(ext_neg) if ext_neg else None,
        evt_handlers=evt_handlers,
        tls_args=tls_args,
    )
    if not assoc.is_established:
        raise association_failure(ae, node, assoc, contexts_for)
    try:
        yield assoc
    except BaseException:
        assoc.abort()
        raise
    else:
        if assoc.is_established:
            assoc.release()


def association_failure(ae: AE, node: PacsNode, assoc: Association, action: str) -> PacsError:
    if assoc.is_rejected:
        return PacsError(
            f"{node.describe()} refused the association for {action}: it does not accept "
            f"calling AE title '{ae.ae_title}' from this computer, or its AE title is not "
            f"'{node.ae_title}'. Ask the PACS administrator to add this site's AE title, "
            "host and port"
        )
    if assoc.is_aborted and _reachable(node):
        return PacsError(
            f"{node.describe()} dropped the association for {action}"
            + (" during the TLS handshake; check the TLS files and that the node offers TLS"
               if node.tls else "; it may require TLS or refuse this computer's address")
        )
    return PacsError(
        f"cannot reach {node.describe()} for {action}: no DICOM answer at "
        f"{node.host}:{node.port}. Check host and port, the network or firewall, and that "
        "the PACS is running"
    )


def _reachable(node: PacsNode) -> bool:
    """Whether ``node``'s port takes TCP connections (pynetdicom reports a refused
    connection and a dropped association alike)."""
    try:
        with socket.create_connection((node.host, node.port), timeout=TIMEOUTS.connect_s):
            return True
    except OSError:
        return False


def require_context(assoc: Association, node: PacsNode, sop_class: str, action: str) -> None:
    """Raise when ``node`` accepted the association but not the service we need."""
    accepted = {cx.abstract_syntax for cx in assoc.accepted_contexts}
    if sop_class not in accepted:
        raise PacsError(
            f"{node.describe()} does not offer {action} (SOP class {sop_class}); "
            "check the node's retrieve method or ask the PACS administrator"
        )
