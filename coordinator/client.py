"""The only way a site talks to the coordinator: HTTPS with mutual TLS, retries, audit hook.

Every call goes through :meth:`CoordinatorClient._request`, which retries connection
errors, 5xx, 429 and 503 with exponential backoff (honouring ``Retry-After``): at least
``max_retries`` times, and with ``patience_s`` set until that long an outage has passed
(the site's one retry layer: nothing above the client retries again). It streams
file bodies, and reports each completed exchange to ``on_request`` with the bytes sent,
the SHA-256 of the body and what it carried, so the site can keep an audit log of every
request that left the machine. Downloads are written to a temporary file, checked against
the coordinator's SHA-256 header and renamed into place.

Behind a hospital's HTTPS proxy (``ClientDefaults.https_proxy`` or the environment's
``HTTPS_PROXY``/``NO_PROXY``) the TLS session still runs end to end through the proxy's
CONNECT tunnel, and the coordinator is verified against the kit's CA only, whatever
``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` say; a proxy failure is told as one.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import requests
from pydantic import ValidationError
from requests.utils import get_environ_proxies, should_bypass_proxies

from coordinator.connection_failures import causes, tls_refusal, unreachable_reason
from coordinator.durable_files import replace_durably
from coordinator.errors import CoordinatorError
from coordinator.kits import SiteKit, temporary_tls_dir
from coordinator.protocol import (
    CkksKeyState,
    Endpoints,
    ErrorBody,
    ErrorCode,
    FederationPlan,
    FederationStatus,
    InitialModelReceipt,
    MetricsReport,
    RoundState,
    UploadReceipt,
)
from coordinator.round_state import MaskingStep
from coordinator.settings import SHA256_HEADER, SITE_HEADER, ClientDefaults
from coordinator.words import Words, say

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# A TLS error caused by one of these is the connection dying mid-exchange (a network
# fault worth retrying), not the coordinator or the site failing verification.
TRANSPORT_CUTS = (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError,
                  ConnectionAbortedError, BrokenPipeError)
#: What an upload carried when its caller does not say more (the site's audit log shows it).
_MODEL_UPDATE = say("model update")


def _cut_by_network(exc: BaseException) -> bool:
    """True when anything in the exception's chain is a connection cut, not a TLS refusal."""
    return any(isinstance(cause, TRANSPORT_CUTS) for cause in causes(exc))


class CoordinatorUnreachableError(CoordinatorError):
    """The coordinator could not be reached (or kept failing) after every retry."""


class CoordinatorNotTrustedError(CoordinatorError):
    """TLS failed for a reason no retry can fix (untrusted server, refused certificate)."""


class RequestRefusedError(CoordinatorError):
    """The coordinator refused the request (4xx/501); ``code`` says what kind of refusal
    (act on it), ``detail`` says why in words (show it)."""

    def __init__(self, status: int, detail: str, endpoint: str, code: ErrorCode = ErrorCode.REFUSED) -> None:
        super().__init__(f"the coordinator refused {endpoint} ({status}): {detail}")
        self.status = status
        self.detail = detail
        self.code = code


class UpdateAlreadyHeldError(RequestRefusedError):
    """The coordinator already holds this exact update (e.g. a retry after a lost reply)."""


@dataclass(frozen=True)
class ConnectionParams:
    base_url: str
    ca_path: Path
    cert_path: Path
    key_path: Path
    site: str | None = None


@dataclass(frozen=True)
class RequestRecord:
    """One completed exchange, for the site's audit log."""

    endpoint: str
    method: str
    status: int | None
    bytes_sent: int
    body_sha256: str | None
    carried: Words | None  # what the body carried, in words a GUI can translate; None: nothing said
    attempts: int


def _sha256_of(body: bytes | Path) -> tuple[str, int]:
    if isinstance(body, bytes):
        return hashlib.sha256(body).hexdigest(), len(body)
    digest = hashlib.sha256()
    with open(body, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest(), body.stat().st_size


class CoordinatorClient:
    """A site's connection to its coordinator, from an enrolment kit or explicit paths."""

    def __init__(
        self,
        kit_or_params: SiteKit | ConnectionParams,
        *,
        tls_dir: Path | None = None,
        defaults: ClientDefaults | None = None,
        on_request: Callable[[RequestRecord], None] | None = None,
        on_retry: Callable[[Words], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._owned_tls_dir: Path | None = None
        if isinstance(kit_or_params, SiteKit):
            folder = tls_dir or temporary_tls_dir()
            if tls_dir is None:
                self._owned_tls_dir = folder
            ca, cert, key = kit_or_params.write_tls_files(folder)
            params = ConnectionParams(kit_or_params.coordinator_url, ca, cert, key, kit_or_params.site)
        else:
            params = kit_or_params
        if not params.base_url.startswith("https://"):
            raise CoordinatorError("the coordinator address must be https:// (mutual TLS is mandatory)")
        self.params = params
        self.defaults = defaults or ClientDefaults()
        self.on_request = on_request
        self.on_retry = on_retry
        self._sleep = sleep
        self._session = requests.Session()
        # Passed on every request: a session-level ``verify`` would lose to
        # REQUESTS_CA_BUNDLE from the environment, and only the federation CA may vouch
        # for the coordinator.
        self._verify = str(params.ca_path)
        self._cert = (str(params.cert_path), str(params.key_path))
        self._proxies = self._proxies_for(params.base_url, self.defaults.https_proxy)
        if params.site:
            self._session.headers[SITE_HEADER] = params.site

    @staticmethod
    def _proxies_for(base_url: str, configured: str | None) -> dict[str, str]:
        """The proxy for the coordinator's address: the configured one, else the
        environment's, unless NO_PROXY names the coordinator."""
        if should_bypass_proxies(base_url, no_proxy=None):
            return {}
        if configured:
            return {"https": configured}
        found = get_environ_proxies(base_url).get("https")
        return {"https": found} if found else {}

    @property
    def proxy(self) -> str | None:
        """The HTTPS proxy this client goes through, or None for a direct connection."""
        return self._proxies.get("https")

    def _proxy_failure(self, exc: requests.exceptions.ProxyError) -> str:
        """What went wrong with the proxy, in words a site's IT department can act on."""
        text = str(exc)
        host = self.params.base_url.split("://", 1)[-1].rstrip("/")
        # The proxy's answer to CONNECT; the text also holds the coordinator's address,
        # whose port may well contain "407".
        tunnel = re.search(r"Tunnel connection failed: (\d{3})", text)
        if (tunnel is not None and tunnel.group(1) == "407") or "Proxy Authentication Required" in text:
            return (f"the HTTPS proxy {self.proxy} asks for a login (407 Proxy Authentication "
                    "Required); put the user name and password in the proxy address "
                    "(http://user:password@proxy:port) or ask IT for an exception for MedFed")
        if "Tunnel connection failed" in text:
            return (f"the HTTPS proxy {self.proxy} refused to open a tunnel to the coordinator "
                    f"at {host} ({text.rsplit('Tunnel connection failed:', 1)[-1].strip(' )')}); "
                    f"ask IT to allow HTTPS (CONNECT) to {host}")
        return (f"the HTTPS proxy {self.proxy} could not be reached ({text}); check the proxy "
                "address in the site's network settings or HTTPS_PROXY, or set NO_PROXY if the "
                "coordinator is reachable directly")

    def close(self) -> None:
        self._session.close()
        if self._owned_tls_dir is not None:
            shutil.rmtree(self._owned_tls_dir, ignore_errors=True)

    def __enter__(self) -> CoordinatorClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # the one request path -----------------------------------------------------------
    def _backoff(self, attempt: int, response: requests.Response | None) -> float:
        delay = self.defaults.backoff_base_s * (2**attempt)
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                delay = max(delay, float(retry_after))
        return min(delay, self.defaults.backoff_max_s)

    def _request(
        self,
        method: str,
        endpoint: str,
        *,
        body: bytes | Path | None = None,
        json_body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        carried: Words | None = None,
        stream: bool = False,
    ) -> requests.Response:
        digest: str | None = None
        size = 0
        if body is not None:
            digest, size = _sha256_of(body)
        elif json_body is not None:
            encoded = requests.models.complexjson.dumps(json_body).encode()
            body, (digest, size) = encoded, _sha256_of(encoded)
        headers = {"Content-Type": "application/json"} if json_body is not None else {}
        url = self.params.base_url.rstrip("/") + endpoint
        last_error = say("no answer yet")
        started = time.monotonic()
        attempt = 0
        while True:
            fh: BinaryIO | None = open(body, "rb") if isinstance(body, Path) else None  # noqa: SIM115
            payload: BinaryIO | bytes | None = fh if fh is not None else (
                body if isinstance(body, bytes) else None
            )
            try:
                response = self._session.request(
                    method, url,
                    data=payload,
                    params=params, headers=headers, stream=stream,
                    verify=self._verify, cert=self._cert, proxies=self._proxies,
                    timeout=(self.defaults.connect_timeout_s, self.defaults.read_timeout_s),
                )
            except requests.exceptions.ProxyError as exc:
                problem = self._proxy_failure(exc)
                if "Tunnel connection failed" in str(exc):
                    # The proxy answered and said no: asking again will not change its mind.
                    self._record(endpoint, method, None, size, digest, carried, attempt + 1)
                    raise CoordinatorUnreachableError(
                        say("{problem}; nothing was sent to the coordinator", problem=problem)) from exc
                last_error = say("{problem}", problem=problem)
                response = None
            except (requests.ConnectionError, requests.Timeout) as exc:
                if isinstance(exc, requests.exceptions.SSLError) and not _cut_by_network(exc):
                    self._record(endpoint, method, None, size, digest, carried, attempt + 1)
                    raise CoordinatorNotTrustedError(tls_refusal(exc, self.params.base_url)) from exc
                last_error = unreachable_reason(exc, self.params.base_url)
                response = None
            finally:
                if fh is not None:
                    fh.close()
            if response is not None and response.status_code not in RETRY_STATUS:
                self._record(endpoint, method, response.status_code, size, digest, carried, attempt + 1)
                if response.status_code >= 400:
                    self._refuse(response, endpoint)
                return response
            if response is not None:
                last_error = say("HTTP {status}: {text}", status=response.status_code,
                                 text=response.text[:200])
            if not self._keep_trying(attempt, started):
                break
            if self.on_retry is not None:
                self.on_retry(say("{why}; retrying", why=last_error))
            self._sleep(self._backoff(attempt, response))
            attempt += 1
        self._record(endpoint, method, None, size, digest, carried, attempt + 1)
        raise CoordinatorUnreachableError(say(
            "{why}. Tried {tries} time(s) over {seconds:.0f} s; nothing was lost: ask the "
            "federation operator whether the coordinator is running, check the address, and "
            "try again", why=last_error, tries=attempt + 1, seconds=time.monotonic() - started))

    def _keep_trying(self, attempt: int, started: float) -> bool:
        """Retry while under ``max_retries``, or, with ``patience_s`` set, until that
        much time has passed since the first attempt (an outage the caller waits out)."""
        if attempt < self.defaults.max_retries:
            return True
        patience = self.defaults.patience_s
        return patience is not None and time.monotonic() - started < patience

    def _record(
        self, endpoint: str, method: str, status: int | None, size: int,
        digest: str | None, carried: Words | None, attempts: int,
    ) -> None:
        if self.on_request is not None:
            self.on_request(RequestRecord(endpoint, method, status, size, digest, carried, attempts))

    @staticmethod
    def _refuse(response: requests.Response, endpoint: str) -> None:
        try:
            body = ErrorBody.model_validate(response.json())
        except (ValueError, ValidationError):
            # Not the coordinator's own refusal (a proxy's page, a truncated body).
            body = ErrorBody(detail=response.text[:500] or response.reason or "no reason given")
        cls = UpdateAlreadyHeldError if body.code is ErrorCode.DUPLICATE_UPLOAD else RequestRefusedError
        raise cls(response.status_code, body.detail, endpoint, body.code)

    def _download(self, endpoint: str, dest: Path, carried: Words, max_bytes: int | None = None) -> str:
        """Stream ``endpoint`` to ``dest``; a body longer than ``max_bytes`` is cut off
        and refused (a coordinator cannot fill the site's disk)."""
        response = self._request("GET", endpoint, stream=True, carried=carried)
        expected = response.headers.get(SHA256_HEADER)
        digest = hashlib.sha256()
        temp = dest.with_name(dest.name + ".partial")
        dest.parent.mkdir(parents=True, exist_ok=True)
        received = 0
        with response, open(temp, "wb") as fh:
            for chunk in response.iter_content(self.defaults.stream_chunk_bytes):
                received += len(chunk)
                if max_bytes is not None and received > max_bytes:
                    fh.close()
                    temp.unlink(missing_ok=True)
                    raise CoordinatorError(
                        f"the download of {endpoint} is longer than the {max_bytes} bytes "
                        "expected; it was dropped"
                    )
                digest.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if expected and digest.hexdigest() != expected:
            temp.unlink(missing_ok=True)
            raise CoordinatorError(
                f"the download of {endpoint} was corrupted (SHA-256 mismatch); try again"
            )
        replace_durably(temp, dest)
        return digest.hexdigest()

    # the protocol -------------------------------------------------------------------
    def plan(self) -> FederationPlan:
        return FederationPlan.model_validate(self._request("GET", Endpoints.PLAN).json())

    def round_state(self) -> RoundState:
        return RoundState.model_validate(self._request("GET", Endpoints.ROUND).json())

    def status(self) -> FederationStatus:
        return FederationStatus.model_validate(self._request("GET", Endpoints.STATUS).json())

    def upload_initial_model(self, body: bytes | Path) -> InitialModelReceipt:
        response = self._request("PUT", Endpoints.INITIAL_MODEL, body=body, carried=say("initial model weights (seed-initialised)"))
        return InitialModelReceipt.model_validate(response.json())

    def download_initial_model(self, dest: Path) -> str:
        """Write the initial model to ``dest``; returns its SHA-256 for comparing with one's own."""
        return self._download(Endpoints.INITIAL_MODEL, dest, say("nothing (download)"))

    def download_pretrained_weights(self, dest: Path, size_bytes: int) -> str:
        """Write the operator's pretrained weights file (``size_bytes`` long, as the plan
        says) to ``dest``; returns its SHA-256 (the caller compares it with the plan's
        before loading the file)."""
        return self._download(Endpoints.PRETRAINED_WEIGHTS, dest, say("nothing (download)"), size_bytes)

    def download_result(self, round_number: int, dest: Path) -> str:
        """Write round ``round_number``'s published result to ``dest``; returns its SHA-256."""
        return self._download(Endpoints.result(round_number), dest, say("nothing (download)"))

    def upload_update(
        self, round_number: int, body: bytes | Path, num_examples: int | None,
        carried: Words = _MODEL_UPDATE, secure_sum: int = 0,
    ) -> UploadReceipt:
        """Upload this site's update; ``secure_sum`` names which masked sum of the round
        it belongs to (a secure median runs several)."""
        params: dict[str, Any] = {"num_examples": num_examples} if num_examples is not None else {}
        if secure_sum:
            params["secure_sum"] = secure_sum
        response = self._request(
            "PUT", Endpoints.update(round_number), body=body, params=params, carried=carried
        )
        return UploadReceipt.model_validate(response.json())

    def report_metrics(self, round_number: int, report: MetricsReport) -> None:
        self._request(
            "POST", Endpoints.metrics(round_number), json_body=report.model_dump(),
            carried=say("validation histogram of the global model (Gaussian-noised at the site)"),
        )

    def post_masking(
        self, round_number: int, step: MaskingStep, message: dict[str, Any], secure_sum: int = 0
    ) -> None:
        """Send this site's message of a masking step (advertisement, shares, survivor
        signature, unmask answer) of the round's masked sum ``secure_sum``."""
        self._request(
            "POST", Endpoints.masking(round_number, step.value), json_body=message,
            params={"secure_sum": secure_sum} if secure_sum else None,
            carried=say("secure-aggregation {step} message (keys/shares, no model data)",
                        step=step.value),
        )

    # the CKKS key, shared among the sites (coordinator.secure.ckks_key_sharing) -------
    def ckks_key_state(self) -> CkksKeyState:
        return CkksKeyState.model_validate(self._request("GET", Endpoints.CKKS_KEY).json())

    def request_ckks_key(self, certificate_pem: str) -> None:
        """Ask for this site's sealed copy of the federation's CKKS key."""
        self._request(
            "PUT", Endpoints.CKKS_KEY_REQUEST, json_body={"certificate": certificate_pem},
            carried=say("request for the federation's encryption key (this site's certificate, public)"),
        )

    def ckks_key_requests(self) -> dict[str, str]:
        """The certificates the sites asked for the key with (the key holder seals to them)."""
        return dict(self._request("GET", Endpoints.CKKS_KEY_REQUESTS).json())

    def post_ckks_public_context(self, generation: int, public_context: bytes) -> None:
        """The key holder's public context: CKKS parameters only, no key."""
        self._request(
            "PUT", Endpoints.ckks_public_context(generation),
            json_body={"public_context": base64.b64encode(public_context).decode("ascii")},
            carried=say("CKKS public context (encryption parameters, no key)"),
        )

    def post_ckks_sealed_key(self, generation: int, recipient: str, sealed: dict[str, Any]) -> None:
        """The key holder's copy of the secret key for ``recipient``, sealed to its certificate."""
        self._request(
            "PUT", Endpoints.ckks_sealed_key(generation, recipient), json_body=sealed,
            carried=say("the federation's CKKS key sealed to site {recipient} (only it can open it)",
                        recipient=recipient),
        )

    def ckks_sealed_key(self, generation: int, site: str) -> dict[str, Any]:
        """This site's sealed copy of ``generation``'s key (404 while there is none)."""
        return dict(self._request("GET", Endpoints.ckks_sealed_key(generation, site)).json())

    def get_masking(self, round_number: int, step: MaskingStep, secure_sum: int = 0) -> Any:
        """The messages of a closed step meant for this site (409 while the step is open)."""
        params = {"secure_sum": secure_sum} if secure_sum else None
        return self._request("GET", Endpoints.masking(round_number, step.value), params=params).json()

    def probe_answer(self, round_number: int, probe: int) -> bytes:
        """The coordinator's published answer to one probe of a secure bisection."""
        return self._request("GET", Endpoints.probe_answer(round_number, probe)).content
