"""An enrolled site turned hostile, and the honest sites beside it, for the adversarial suite.

The hostile site uses its real enrolment kit (its own certificate, mutual TLS) and sends
raw HTTP requests or raw bytes; it never calls the coordinator's code. The honest sites
use the site app's client and the real secure-aggregation participants.
"""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import requests
from coordinator_loopback import Federation
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from reliability_support import snapshot

from coordinator.client import CoordinatorClient
from coordinator.protocol import masking_round_id, masking_threshold
from coordinator.round_state import MaskingStep
from coordinator.secure.masking import MaskingParticipant
from coordinator.secure.quantisation import masking_bounds
from coordinator.words import say
from siteapp.federation.round_polling import wait_for_round


class HostileSite:
    """Raw HTTPS as one enrolled site (``verify`` per request: the environment's CA bundle
    must not win over the federation CA)."""

    def __init__(self, fed: Federation, name: str) -> None:
        fed.client(name)  # writes the site's TLS files from its kit
        tls = fed.root / "tls" / name
        self.name = name
        self.fed = fed
        self.cert = (str(tls / "site.pem"), str(tls / "site.key"))
        self.ca = str(tls / "ca.pem")
        self.base = f"https://127.0.0.1:{fed.port}"
        self.session = requests.Session()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, cert=self.cert, verify=self.ca,
                                    timeout=30, **kwargs)

    def post_json_text(self, path: str, text: str | bytes) -> requests.Response:
        """POST a body as written (JSON that Python's encoder would never produce)."""
        data = text.encode() if isinstance(text, str) else text
        return self.request("POST", path, data=data, headers={"Content-Type": "application/json"})

    def tls_socket(self) -> ssl.SSLSocket:
        """A bare mutual-TLS connection, for byte-level games (stalls, cut bodies)."""
        context = ssl.create_default_context(cafile=self.ca)
        context.load_cert_chain(*self.cert)
        context.check_hostname = False
        raw = socket.create_connection(("127.0.0.1", self.fed.port), timeout=30)
        return context.wrap_socket(raw, server_hostname="127.0.0.1")

    def start_body(self, method: str, path: str, declared_length: int, first: bytes = b"") -> ssl.SSLSocket:
        """Send a request's headers and the first bytes of a body that will not finish."""
        sock = self.tls_socket()
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {declared_length}\r\n"
                "Content-Type: application/octet-stream\r\n\r\n")
        sock.sendall(head.encode() + first)
        return sock

    def close(self) -> None:
        self.session.close()


def status_of_cut_request(sock: ssl.SSLSocket, timeout_s: float) -> int | None:
    """The status line's code the server answers on ``sock``, or None if it closes first."""
    sock.settimeout(timeout_s)
    try:
        data = sock.recv(4096)
    except (TimeoutError, OSError):
        return None
    finally:
        sock.close()
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data.split()[1])


def refused_without_change(fed: Federation, send: Callable[[], requests.Response], status: int) -> requests.Response:
    """Send one hostile request; it must get ``status`` and leave the database and the
    blob folder exactly as they were."""
    before = snapshot(fed.state_dir)
    response = send()
    assert response.status_code == status, (response.status_code, response.text[:400])
    body = response.json()
    assert isinstance(body["detail"], str) and len(body["detail"]) > 10, body
    assert body["code"] != "internal", body
    assert snapshot(fed.state_dir) == before
    return response


class MaskingSites:
    """The honest side of a masking round: each site's client and its participant."""

    def __init__(self, fed: Federation, sites: Iterable[str], round_number: int = 1) -> None:
        self.fed = fed
        self.number = round_number
        self.clients: dict[str, CoordinatorClient] = {s: fed.client(s) for s in sites}
        self.people = {s: self._participant(s) for s in self.clients}
        self.adverts: list[dict[str, Any]] = []
        self.signed: set[str] = set()

    def _participant(self, site: str) -> MaskingParticipant:
        plan = self.fed.plan
        kit = self.fed.kit(site)
        key = serialization.load_pem_private_key(kit.key_pem, None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return MaskingParticipant(site, masking_round_id(plan, self.number), key, kit.cert_pem,
                                  kit.ca_pem, masking_threshold(plan), masking_bounds(plan))

    def wait_step(self, step: MaskingStep, timeout_s: float = 20) -> None:
        client = next(iter(self.clients.values()))
        wait_for_round(client.round_state, lambda s: s.masking_step == step or s.number > self.number
                       or s.phase in ("aggregating", "published", "failed"), timeout_s=timeout_s, poll_s=0.05)

    def advertise(self, sites: Iterable[str]) -> None:
        for s in sites:
            self.clients[s].post_masking(self.number, MaskingStep.ADVERTISE, self.people[s].advertise())

    def share(self, sites: Iterable[str]) -> None:
        self.wait_step(MaskingStep.SHARE)
        first = next(iter(self.clients.values()))
        self.adverts = first.get_masking(self.number, MaskingStep.ADVERTISE)
        for s in sites:
            self.clients[s].post_masking(self.number, MaskingStep.SHARE, self.people[s].share_keys(self.adverts))

    def upload(self, vectors: dict[str, np.ndarray], counts: dict[str, int]) -> None:
        self.wait_step(MaskingStep.UPLOAD)
        for s, vector in vectors.items():
            shares = self.clients[s].get_masking(self.number, MaskingStep.SHARE)
            masked = self.people[s].masked_input(shares, vector, counts[s])
            self.clients[s].upload_update(self.number, masked, None, carried=say("masked update"))

    def consistency(self, sites: Iterable[str]) -> None:
        """Each survivor signs the survivor set it is shown (once)."""
        todo = [s for s in sites if s not in self.signed]
        if not todo:
            return
        self.wait_step(MaskingStep.CONSISTENCY)
        for s in todo:
            shown = self.clients[s].get_masking(self.number, MaskingStep.CONSISTENCY)
            self.clients[s].post_masking(self.number, MaskingStep.CONSISTENCY, self.people[s].sign_survivors(shown))
            self.signed.add(s)

    def unmask_request(self, sites: Iterable[str]) -> dict[str, Any]:
        """The unmask request, once ``sites`` signed the survivor set."""
        sites = list(sites)
        self.consistency(sites)
        self.wait_step(MaskingStep.UNMASK)
        request: dict[str, Any] = self.clients[sites[0]].get_masking(self.number, MaskingStep.UNMASK)
        return request

    def unmask(self, sites: Iterable[str]) -> None:
        sites = list(sites)
        request = self.unmask_request(sites)
        for s in sites:
            self.clients[s].post_masking(self.number, MaskingStep.UNMASK, self.people[s].unmask(request))


def signed_as(fed: Federation, site: str, round_number: int, blob: bytes) -> bytes:
    """Any CKKS blob, signed by ``site`` for the round with its own key: what a hostile
    site can always make of its forgeries (the signature says who sent it, not that the
    blob is honest)."""
    import dataclasses
    import hashlib

    from coordinator.secure import ckks_contributions as signed
    from coordinator.secure.ckks import context_fingerprint
    from coordinator.secure.site_signatures import sign_fields

    kit = fed.kit(site)
    key = serialization.load_pem_private_key(kit.key_pem, None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    unsigned = signed.UploadStatement(
        kit.federation, round_number, site, context_fingerprint(fed.ckks_secret(site)),
        hashlib.sha256(blob).hexdigest(), kit.cert_pem.decode(), signature="",
    )
    statement = dataclasses.replace(unsigned, signature=sign_fields(signed._DOMAIN, unsigned.fields(), key))
    return signed._pack(signed.UPLOAD_MAGIC, [statement], blob)


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def with_field(message: dict[str, Any], name: str, raw_value: str) -> str:
    """``message`` as JSON text with one more field whose value is written raw (NaN)."""
    text = json.dumps(message)
    return text[:-1] + f', "{name}": {raw_value}}}'
