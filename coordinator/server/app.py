"""The coordinator's ASGI app: thin routes over :class:`RoundService`.

Routes validate with the pydantic models of ``coordinator.protocol``, call the service,
and map domain errors to HTTP codes in one handler. Every route of the sites' API sits on
one router whose dependency resolves the caller (verified certificate, enrolled, not
revoked) before the route runs, so no route can forget it; a route that needs the site's
name takes it as a ``CallerSite`` argument (resolved once per request). A background driver wakes on every change and every tick
to close rounds at their deadline and aggregate.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, NoReturn, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coordinator.errors import (
    CallerForbiddenError,
    CoordinatorError,
    MessageRejectedError,
    PayloadTooLargeError,
    RoundError,
)
from coordinator.kits import OPERATOR_UNIT
from coordinator.protocol import (
    MAX_PROBES,
    CkksKeyRequest,
    CkksKeyState,
    CkksPublicContext,
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
from coordinator.server.blobs import PendingBlob
from coordinator.server.operator_page import render_refusal_page, render_status_page, status_view
from coordinator.server.rounds import RoundService
from coordinator.server.tls import PEER_CN_STATE, PEER_SERIAL_STATE, PEER_UNIT_STATE
from coordinator.settings import MAX_WIRE_INT, SHA256_HEADER, SITE_HEADER, ServerSettings
from coordinator.statistics import STATISTICS_PREFIX

T = TypeVar("T")
log = logging.getLogger("medfed.coordinator")
RoundNumber = Annotated[int, PathParam(ge=1, le=MAX_WIRE_INT)]
# Which masked sum of a round a masking message or upload belongs to (a secure median's probe).
SecureSum = Annotated[int, Query(ge=0, le=MAX_PROBES)]
SiteName = Annotated[str, PathParam(alias="site", max_length=128)]


def validation_detail(errors: Sequence[Any]) -> str:
    """FastAPI's list of validation errors as the one-line ``detail`` every refusal carries."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())) or 'request'}: {e.get('msg', 'invalid')}"
        for e in errors
    )
    return f"the request is not valid ({problems}); check it against the federation's API"


def _error_response(detail: str, code: ErrorCode, status: int) -> JSONResponse:
    """Every refusal's body: :class:`ErrorBody` (a code for the client, a sentence for people)."""
    return JSONResponse(ErrorBody(detail=detail, code=code).model_dump(mode="json"), status_code=status)


def peer_site(request: Request) -> str:
    """The calling site, from its verified certificate; refuses a mismatching claim."""
    cn = request.scope.get("state", {}).get(PEER_CN_STATE)
    if not cn:
        raise RoundError("a valid site certificate is required (mutual TLS)", status=401,
                         code=ErrorCode.NOT_AUTHENTICATED)
    claimed = request.headers.get(SITE_HEADER)
    if claimed is not None and claimed != cn:
        raise CallerForbiddenError(
            f"this request claims to come from '{claimed}' but its certificate belongs to "
            f"'{cn}'; a site can only act as itself"
        )
    return str(cn)


def caller(request: Request) -> str:
    """The verified calling site, refused unless enrolled and not revoked (the sites'
    API's router dependency; see the module docstring)."""
    service: RoundService = request.app.state.service
    settings: ServerSettings = request.app.state.settings
    peer = request.scope.get("state", {})
    if peer.get(PEER_UNIT_STATE) == OPERATOR_UNIT:
        raise CallerForbiddenError("the operator's certificate opens the status page only; "
                                   "it cannot act as a site")
    site = peer_site(request)
    service.check_site(site)
    service.check_certificate(site, peer.get(PEER_SERIAL_STATE))
    # Written at most once per resolution per process: sites poll often.
    last_seen: dict[str, float] = request.app.state.last_seen_written
    now = service.clock()
    if now - last_seen.get(site, float("-inf")) >= settings.last_seen_resolution_s:
        last_seen[site] = now
        service.record_seen(site, now)
    return site


CallerSite = Annotated[str, Depends(caller)]


async def _receive(request: Request, pending: PendingBlob, settings: ServerSettings) -> PendingBlob:
    """Stream a blob body into ``pending``; a body that stalls, trickles in past the total
    deadline, runs over the limit or is cut off is dropped with its partial file."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > pending.limit_bytes:
        pending.discard()
        raise PayloadTooLargeError(
            f"the {pending.what} is {declared} bytes, over the federation's limit of "
            f"{pending.limit_bytes} bytes"
        )
    idle_s, total_s = settings.upload_idle_timeout_s, settings.upload_total_timeout_s
    deadline = time.monotonic() + total_s
    chunks = request.stream().__aiter__()
    try:
        while True:
            left = deadline - time.monotonic()
            try:
                chunk = await asyncio.wait_for(chunks.__anext__(), max(min(idle_s, left), 0.0))
            except StopAsyncIteration:
                break
            if chunk:
                pending.write(chunk)
    except ClientDisconnect as exc:
        pending.discard()
        raise RoundError("the upload was interrupted; send it again", status=400,
                         code=ErrorCode.INTERRUPTED) from exc
    except TimeoutError as exc:
        pending.discard()
        why = (f"it was still arriving after {total_s:.0f} s" if time.monotonic() >= deadline
               else f"nothing received for {idle_s:.0f} s")
        raise RoundError(f"the upload was too slow ({why}) and was dropped; send it again", status=408,
                         code=ErrorCode.TOO_SLOW) from exc
    except BaseException:
        pending.discard()
        raise
    return pending


def _not_a_number(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


async def read_message(request: Request, limit_bytes: int) -> Any:
    """A JSON message body: at most ``limit_bytes`` (chunked bodies included), strict JSON
    (no NaN or Infinity, which no peer could read back), not nested past the parser."""
    raw = bytearray()
    try:
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > limit_bytes:
                raise PayloadTooLargeError(
                    f"the message is over the limit of {limit_bytes} bytes for messages"
                )
    except ClientDisconnect as exc:
        raise RoundError("the message was interrupted; send it again", status=400,
                         code=ErrorCode.INTERRUPTED) from exc
    try:
        return json.loads(raw, parse_constant=_not_a_number)
    except (ValueError, RecursionError) as exc:
        raise MessageRejectedError(f"the message is not valid JSON ({type(exc).__name__})") from exc


class SiteRequestLimit:
    """At most ``per_site`` requests of one site in flight at once (429 beyond it): one site
    holding many stalled uploads open cannot use up the server's connections and files."""

    def __init__(self, app: ASGIApp, per_site: int) -> None:
        self.app = app
        self.per_site = per_site
        self.in_flight: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        site = scope.get("state", {}).get(PEER_CN_STATE) if scope["type"] == "http" else None
        if site is None:
            await self.app(scope, receive, send)
            return
        if self.in_flight[site] >= self.per_site:
            response = _error_response(
                f"site '{site}' already has {self.per_site} requests in progress; wait for them "
                "to finish", ErrorCode.TOO_MANY_REQUESTS, 429,
            )
            response.headers["Retry-After"] = "1"
            await response(scope, receive, send)
            return
        self.in_flight[site] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight[site] -= 1


class MessageSizeLimit:
    """Refuse over-long bodies on the JSON endpoints; blob uploads have their own limits.

    Checks the declared Content-Length, and cuts a chunked body that runs past the limit.
    """

    BLOB_SUFFIXES = ("/update", "/initial-model")

    def __init__(self, app: ASGIApp, limit_bytes: int) -> None:
        self.app = app
        self.limit_bytes = limit_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].endswith(self.BLOB_SUFFIXES):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit_bytes:
            response = _error_response(
                f"the request body is {int(declared)} bytes, over the limit of "
                f"{self.limit_bytes} bytes for messages", ErrorCode.PAYLOAD_TOO_LARGE, 413,
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit_bytes:
                raise PayloadTooLargeError(
                    f"the request body is over the limit of {self.limit_bytes} bytes for messages"
                )
            return message

        await self.app(scope, limited, send)


def round_routes(service: RoundService, settings: ServerSettings, call: Callable[..., Any]) -> APIRouter:
    """The routes of one round sequence: its plan, state, masked or plain uploads, the
    masking relay and published results (the training rounds', or under
    ``coordinator.statistics.STATISTICS_PREFIX`` the statistics')."""
    plan = service.plan
    router = APIRouter()

    @router.get(Endpoints.PLAN, response_model=FederationPlan)
    def get_plan() -> FederationPlan:
        return plan

    @router.get(Endpoints.ROUND, response_model=RoundState)
    def get_round() -> RoundState:
        return service.state()

    @router.get(Endpoints.STATUS, response_model=FederationStatus)
    def get_status() -> FederationStatus:
        return service.status()

    @router.get(Endpoints.RESULT_ROUTE)
    def get_result(round_number: RoundNumber) -> FileResponse:
        path, sha = service.result(round_number)
        return FileResponse(path, media_type="application/octet-stream", headers={SHA256_HEADER: sha})

    @router.put(Endpoints.UPDATE_ROUTE, response_model=UploadReceipt)
    async def put_update(
        request: Request, site: CallerSite, round_number: RoundNumber,
        num_examples: int | None = Query(None, ge=0, le=MAX_WIRE_INT),
        secure_sum: SecureSum = 0,
    ) -> UploadReceipt:
        pending = service.blobs.receive(
            f"uploads/round-{round_number}", plan.limits.max_update_bytes, "update"
        )
        await _receive(request, pending, settings)
        return await call(service.accept_update, site, round_number, pending, num_examples, secure_sum)

    @router.post(Endpoints.MASKING_ROUTE, status_code=204)
    async def post_masking(
        request: Request, site: CallerSite, round_number: RoundNumber, step: MaskingStep,
        secure_sum: SecureSum = 0,
    ) -> None:
        body = await read_message(request, plan.limits.max_message_bytes)
        await call(service.masking_post, site, round_number, step, body, secure_sum)

    @router.get(Endpoints.MASKING_ROUTE)
    def get_masking(
        site: CallerSite, round_number: RoundNumber, step: MaskingStep, secure_sum: SecureSum = 0
    ) -> JSONResponse:
        return JSONResponse(service.masking_get(site, round_number, step, secure_sum))

    @router.get(Endpoints.PROBE_ANSWER_ROUTE)
    def get_probe_answer(
        site: CallerSite, round_number: RoundNumber, probe: Annotated[int, PathParam(ge=0, le=MAX_PROBES)]
    ) -> Response:
        return Response(service.probe_answer(site, round_number, probe), media_type="application/octet-stream")

    return router


def create_app(
    service: RoundService, settings: ServerSettings | None = None,
    statistics: RoundService | None = None,
) -> FastAPI:
    """Build the app; the caller runs it under uvicorn with :mod:`coordinator.server.tls`.
    ``statistics`` is the round service of the federation's statistics, if it has them."""
    settings = settings or ServerSettings()
    plan = service.plan
    services = [service] if statistics is None else [service, statistics]
    # Heavy service calls (validation, fsync, aggregation) run on a small dedicated pool:
    # each extra thread would keep its own malloc arena of freed model-sized buffers, so
    # the peak memory would creep up with the number of sites.
    workers = ThreadPoolExecutor(settings.service_threads, thread_name_prefix="medfed-service")

    async def call(fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(workers, functools.partial(fn, *args))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def wake_up() -> None:
            loop.call_soon_threadsafe(wake.set)

        for each in services:
            each.on_change = wake_up

        async def drive() -> None:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), settings.tick_s)
                wake.clear()
                for each in services:
                    try:
                        if await call(each.advance) is None:
                            # Another process's driver holds the round: look again soon, as
                            # the change that woke this one may have come after its check.
                            loop.call_later(settings.tick_s / 10, wake.set)
                    except Exception as exc:
                        # Every step starts from the store, so the next tick retries it; a
                        # driver that died here would leave the round stuck for good.
                        log.error("the round driver could not advance (%s); retrying in %.1f s",
                                  exc, settings.tick_s)

        task = asyncio.create_task(drive())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            workers.shutdown(wait=True)

    # No public schema or docs: the schema is served below to enrolled sites only.
    app = FastAPI(title="MedFed coordinator", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)

    @app.exception_handler(RoundError)
    async def _round_error(_request: Request, exc: RoundError) -> JSONResponse:
        return _error_response(str(exc), exc.code, exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(validation_detail(exc.errors()), ErrorCode.INVALID_REQUEST, 422)

    @app.exception_handler(ClientDisconnect)
    async def _disconnected(_request: Request, _exc: ClientDisconnect) -> JSONResponse:
        return _error_response("the request was interrupted; send it again", ErrorCode.INTERRUPTED, 400)

    @app.exception_handler(CoordinatorError)
    async def _coordinator_error(_request: Request, exc: CoordinatorError) -> JSONResponse:
        return _error_response(str(exc), ErrorCode.INTERNAL, 500)

    app.state.service = service
    app.state.settings = settings
    app.state.last_seen_written = {}

    @app.get(Endpoints.OPERATOR_STATUS, response_class=HTMLResponse, include_in_schema=False)
    def get_operator_status(request: Request) -> HTMLResponse:
        """The federation's state for the operator's certificate; 403 for anyone else."""
        peer = request.scope.get("state", {})
        if peer.get(PEER_UNIT_STATE) != OPERATOR_UNIT:
            return HTMLResponse(render_refusal_page(
                "This status page opens only with the federation operator's certificate "
                "(the operator folder that provisioning wrote). A site's certificate cannot open it."
            ), status_code=403)
        serial = peer.get(PEER_SERIAL_STATE)
        if serial and service.store.certificate_revoked_at(serial) is not None:
            return HTMLResponse(render_refusal_page(
                "This operator certificate was revoked; use the one provisioning issued since."
            ), status_code=403)
        view = status_view(service, statistics, service.clock(), settings.last_seen_resolution_s)
        return HTMLResponse(render_status_page(view, settings.status_page_refresh_s))

    sites_api = APIRouter(dependencies=[Depends(caller)])

    @sites_api.get(Endpoints.OPENAPI, include_in_schema=False)
    def get_openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @sites_api.put(Endpoints.INITIAL_MODEL, response_model=InitialModelReceipt)
    async def put_initial_model(request: Request, site: CallerSite) -> InitialModelReceipt:
        pending = service.blobs.receive("initial", plan.limits.max_model_bytes, "initial model")
        await _receive(request, pending, settings)
        return await call(service.accept_initial_model, site, pending)

    @sites_api.get(Endpoints.INITIAL_MODEL)
    def get_initial_model() -> FileResponse:
        path, sha = service.initial_model()
        return FileResponse(path, media_type="application/octet-stream", headers={SHA256_HEADER: sha})

    @sites_api.get(Endpoints.PRETRAINED_WEIGHTS)
    def get_pretrained_weights() -> FileResponse:
        path, sha = service.pretrained_weights_file()
        return FileResponse(path, media_type="application/octet-stream", headers={SHA256_HEADER: sha})

    @sites_api.post(Endpoints.METRICS_ROUTE, status_code=204)
    def post_metrics(site: CallerSite, round_number: RoundNumber, report: MetricsReport) -> None:
        service.record_metrics(site, round_number, report)

    sites_api.include_router(round_routes(service, settings, call))
    if statistics is not None:
        sites_api.include_router(round_routes(statistics, settings, call), prefix=STATISTICS_PREFIX)

    # The CKKS key, made by a site and sealed to each other site (coordinator.server.ckks_keys).
    @sites_api.get(Endpoints.CKKS_KEY, response_model=CkksKeyState)
    def get_ckks_key() -> CkksKeyState:
        return service.ckks().state()

    @sites_api.put(Endpoints.CKKS_KEY_REQUEST, status_code=204)
    def put_ckks_key_request(site: CallerSite, request: CkksKeyRequest) -> None:
        service.ckks().accept_request(site, request)
        service.ckks_key_changed()

    @sites_api.get(Endpoints.CKKS_KEY_REQUESTS)
    def get_ckks_key_requests() -> dict[str, str]:
        return service.ckks().request_certificates()

    @sites_api.put(Endpoints.CKKS_PUBLIC_CONTEXT_ROUTE, status_code=204)
    def put_ckks_public_context(site: CallerSite, generation: RoundNumber, message: CkksPublicContext) -> None:
        service.ckks().accept_public_context(site, generation, message)
        service.ckks_key_changed()

    @sites_api.put(Endpoints.CKKS_SEALED_KEY_ROUTE, status_code=204)
    async def put_ckks_sealed_key(request: Request, site: CallerSite, generation: RoundNumber,
                                  recipient: SiteName) -> None:
        body = await read_message(request, plan.limits.max_message_bytes)
        await call(service.ckks().accept_sealed_key, site, generation, recipient, body)
        service.ckks_key_changed()

    @sites_api.get(Endpoints.CKKS_SEALED_KEY_ROUTE)
    def get_ckks_sealed_key(site: CallerSite, generation: RoundNumber, recipient: SiteName) -> JSONResponse:
        if recipient != site:
            raise CallerForbiddenError("a site fetches its own sealed copy of the key only")
        return JSONResponse(service.ckks().sealed_key_for(site, generation))

    app.include_router(sites_api)
    app.add_middleware(MessageSizeLimit, limit_bytes=plan.limits.max_message_bytes)
    app.add_middleware(SiteRequestLimit, per_site=settings.max_requests_per_site)
    return app
