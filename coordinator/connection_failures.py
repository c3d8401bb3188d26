"""Why a site could not talk to its coordinator, in words a hospital's staff can act on.

requests wraps the real cause several layers deep (``ConnectionError`` around a
``MaxRetryError`` around a ``NewConnectionError`` around ``ConnectionRefusedError``);
these helpers walk the chain and name the cause: nothing listening, a name that does not
resolve, no answer in time, or a TLS refusal. A TLS refusal is final: no retry can make an
untrusted server trusted or a revoked certificate valid, so the client says so at once.
Each reason is :class:`~coordinator.words.Words`, so the site app can show it translated.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

from coordinator.words import Words, say


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps (causes, contexts, urllib3 reasons, args)."""
    todo: list[BaseException] = [exc]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None),
                  *current.args)
        todo.extend(e for e in linked if isinstance(e, BaseException))


def _where(base_url: str) -> str:
    parts = urlsplit(base_url)
    return parts.netloc or base_url


def unreachable_reason(exc: BaseException, base_url: str) -> Words:
    """One clause: why nothing usable came back from ``base_url``."""
    where = _where(base_url)
    chain = list(causes(exc))
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "connection refused" in text:
        return say("nothing answers at {where} (connection refused): the coordinator is not "
                "running there, or the address is wrong", where=where)
    if any(isinstance(e, socket.gaierror) for e in chain) or "name or service not known" in text \
            or "failed to resolve" in text or "nodename nor servname" in text:
        return say("the name in {where} cannot be found (DNS): check the coordinator address "
                "and this workstation's network", where=where)
    if "timed out" in text or "timeout" in text:
        return say("{where} did not answer in time: the network, a firewall or the coordinator "
                "is slow or blocking the connection", where=where)
    if any(isinstance(e, ConnectionResetError | ConnectionAbortedError | BrokenPipeError)
           for e in chain):
        return say("the connection to {where} was cut off", where=where)
    return say("the connection to {where} failed ({error})", where=where, error=type(exc).__name__)


def tls_refusal(exc: BaseException, base_url: str) -> Words:
    """What a TLS handshake failure means, and what to do (it is never retried)."""
    where = _where(base_url)
    text = " ".join(str(e) for e in causes(exc)).lower()
    if "certificate_verify_failed" in text or "certificate verify failed" in text \
            or "hostname mismatch" in text:
        return say("the server at {where} could not prove it is this federation's coordinator "
                "(its certificate is not signed by the federation's authority in this site's "
                "kit, or is for another name). Retrying cannot fix this: check the coordinator "
                "address, or ask the federation operator whether the coordinator's certificate "
                "changed and import the new enrolment kit they give you", where=where)
    if "revoked" in text:
        return say("the coordinator at {where} refused this site's certificate: it was revoked. "
                "Ask the federation operator for a new enrolment kit", where=where)
    if "expired" in text:
        return say("a certificate expired (this site's or the coordinator's at {where}); ask the "
                "federation operator for a renewed kit", where=where)
    if any(isinstance(e, ssl.SSLError) for e in causes(exc)) and (
            "alert" in text or "unknown ca" in text or "bad certificate" in text):
        return say("the coordinator at {where} refused this site's certificate (it does not know "
                "it, or it was revoked): check that the kit is this federation's, or ask the "
                "federation operator for a new one", where=where)
    return say("a secure connection to {where} could not be set up ({error}); "
            "check the coordinator address and that the kit is this federation's", where=where, error=type(exc).__name__)
