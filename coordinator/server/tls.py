"""Mutual TLS for uvicorn, with the client certificate's identity visible to the app.

uvicorn verifies client certificates (``ssl_cert_reqs=CERT_REQUIRED``) but does not put
the certificate into the ASGI scope. :class:`MutualTLSProtocol` reads it from the TLS
transport once per connection (after the handshake) and adds the subject's common name to
the connection's copy of the ASGI ``state``, from where :func:`peer_site` reads it. The
identity therefore comes from the verified certificate and never from the request body.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

PEER_CN_STATE = "medfed_peer_cn"
PEER_SERIAL_STATE = "medfed_peer_serial"
PEER_UNIT_STATE = "medfed_peer_unit"


def subject_field(peer_cert: dict[str, Any] | None, name: str) -> str | None:
    """One subject attribute (``commonName``, ``organizationalUnitName``) of a certificate
    as ``ssl.SSLSocket.getpeercert()`` returns it."""
    if not peer_cert:
        return None
    for rdn in peer_cert.get("subject", ()):
        for key, value in rdn:
            if key == name:
                return str(value)
    return None


def common_name(peer_cert: dict[str, Any] | None) -> str | None:
    """The subject CN of a certificate as ``ssl.SSLSocket.getpeercert()`` returns it."""
    return subject_field(peer_cert, "commonName")


class MutualTLSProtocol(H11Protocol):
    """uvicorn's h11 protocol, plus the verified client certificate's CN per connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        cn = serial = unit = None
        if isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
            peer = ssl_object.getpeercert()
            cn, serial = common_name(peer), certificate_serial(peer)
            unit = subject_field(peer, "organizationalUnitName")
        # A per-connection copy: the shared lifespan state is never mutated.
        self.app_state = {
            **self.app_state, PEER_CN_STATE: cn, PEER_SERIAL_STATE: serial, PEER_UNIT_STATE: unit,
        }


def certificate_serial(peer_cert: dict[str, Any] | None) -> str | None:
    """The serial number as lowercase hex without leading zeros (the form the
    revocation list stores), from ``getpeercert()``'s upper-case hex."""
    if not peer_cert or "serialNumber" not in peer_cert:
        return None
    return format(int(str(peer_cert["serialNumber"]), 16), "x")


def server_ssl_options(ca_path: str, cert_path: str, key_path: str) -> dict[str, Any]:
    """uvicorn.Config keyword arguments for TLS that requires a CA-signed client certificate."""
    return {
        "ssl_ca_certs": ca_path,
        "ssl_certfile": cert_path,
        "ssl_keyfile": key_path,
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
        "http": MutualTLSProtocol,
    }
