"""The ASGI GraphQL endpoint: context with the caller, JSON errors for bad HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from mcms.core.auth import Permission, Principal
from mcms.core.db import Database
from mcms.core.errors import ErrorCode
from mcms.graphql.context import Context
from mcms.graphql.response_cache import CacheKey, ResponseCache, make_key
from mcms.live.groups import (
    LIVE_TARGET,
    OperationTarget,
    graphql_ws_prefix,
    transport_ws_prefix,
)
from mcms.live.hub import EventHub
from mcms.live.wire import SCOPE_KEY, Writer, writer_for
from mcms.settings import Settings
from mcms.users.authn import PrincipalCache, authenticate_connection, principal_from_token

_STATUS_CODES = {
    400: ErrorCode.INVALID_ARGUMENT,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.INVALID_ARGUMENT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.INVALID_ARGUMENT,
}


def graphql_error_response(status: int, message: str) -> JSONResponse:
    code = _STATUS_CODES.get(status, ErrorCode.INVALID_ARGUMENT)
    # The message may quote the request (an operation name); escape lone surrogates.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    return JSONResponse(body, status_code=status)


class WebSocketUnauthenticated(Exception):
    """Raised by ``on_ws_connect`` to close the connection with 4401."""


def _live_target(
    context: Context, operation_id: object, prefix: Callable[[str], bytes]
) -> OperationTarget | None:
    """Where the fan-out writes this operation's live frames (``live/groups.py``)."""
    writer = context.request.scope.get(SCOPE_KEY)
    if not isinstance(writer, Writer) or not isinstance(operation_id, str):
        return None
    return OperationTarget(writer=writer, prefix=prefix(operation_id))


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with 4401 for a missing or bad credential (Strawberry
    itself only knows 4403 for a refused ``connection_init``), and live frames
    written by the fan-out instead of Strawberry's per-subscriber pipeline."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # The operation's task is created in here and copies the context.
        target = _live_target(self.context, message.get("id"), transport_ws_prefix)
        token = LIVE_TARGET.set(target)
        try:
            await super().handle_subscribe(message)
        finally:
            LIVE_TARGET.reset(token)

    async def send_message(self, message: Message) -> None:
        """``next`` frames reuse the JSON of a result shared by all subscribers of
        the same operation (see ``live/fanout.py``): encoded once per event."""
        if message["type"] != "next" or set(message["payload"]) != {"data"}:
            await super().send_message(message)
            return
        shared = self.context.hub.shared
        data_json = shared.payload_json(message["payload"]["data"], self.view.encode_json)
        operation_id = json.dumps(message["id"])
        frame = f'{{"id":{operation_id},"type":"next","payload":{{"data":{data_json}}}}}'
        try:
            await self.websocket.ws.send_text(frame)  # type: ignore[attr-defined]
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def handle_task_exception(self, error: Exception) -> None:
        # A subscriber that leaves while a frame is on its way is ordinary for a
        # live-updates server; only real failures deserve a traceback in the log.
        if isinstance(error, WebSocketDisconnected):
            return
        await super().handle_task_exception(error)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except WebSocketUnauthenticated:
            await self.websocket.close(code=4401, reason="Unauthenticated")


class GraphQLWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Legacy graphql-ws, with live frames written by the fan-out as well."""

    async def handle_start(self, message: StartMessage) -> None:
        target = _live_target(self.context, message.get("id"), graphql_ws_prefix)
        token = LIVE_TARGET.set(target)
        try:
            await super().handle_start(message)
        finally:
            LIVE_TARGET.reset(token)


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI view with MCMS's context and error shape.

    Strawberry answers malformed HTTP (bad JSON, no query, a mutation over GET)
    with plain text; integrators get the same JSON error shape as everywhere.
    """

    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = GraphQLWSHandler

    def __init__(
        self,
        schema: Any,
        *,
        db: Database,
        settings: Settings,
        hub: EventHub,
        response_cache: ResponseCache | None = None,
    ) -> None:
        super().__init__(
            schema,
            # Browsers attach cookies to cross-site WebSockets: only the same
            # origin and the configured ones may open one.
            allowed_origins=settings.allowed_origins,
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            # Strawberry's GraphiQL page loads its scripts from a CDN, and nothing
            # here may reach outside the intranet: integrators use their own client.
            graphql_ide=None,
            allow_queries_via_get=True,
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.db = db
        self.settings = settings
        self.hub = hub
        self.response_cache = response_cache
        self.principal_cache = PrincipalCache() if response_cache is not None else None
        self._inflight: dict[CacheKey, asyncio.Future[bytes | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_KEY] = writer_for(receive, send)  # for the live fan-out
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        version = await self._data_version()
        request.state.data_version = version
        key = await self._cache_key(request, version)
        cached = await self._cached_body(key)
        if cached is not None:
            await Response(cached, media_type="application/json")(scope, receive, send)
            return
        if key is None or self.response_cache is None:
            response = await self._execute(request)
        else:
            response = await self._execute_once(request, key, self.response_cache)
        await response(scope, receive, send)

    async def _execute(self, request: Request) -> Response:
        try:
            return await self.run(request)
        except HTTPException as exc:
            return graphql_error_response(exc.status_code, exc.reason)

    async def _cached_body(self, key: CacheKey | None) -> bytes | None:
        """The cached answer, waiting for it if another request is computing it."""
        if key is None or self.response_cache is None:
            return None
        body = self.response_cache.get(key)
        if body is None and key in self._inflight:
            body = await asyncio.shield(self._inflight[key])
        return body

    async def _execute_once(
        self, request: Request, key: CacheKey, cache: ResponseCache
    ) -> Response:
        """Execute and cache; requests for the same key meanwhile wait for this one
        (after a change, a hundred open explorers must not all recompute at once)."""
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        body: bytes | None = None
        try:
            response = await self._execute(request)
            if _succeeded(request, response):
                body = bytes(response.body)
                cache.put(key, body)
            return response
        finally:
            # Waiters get the body, or None (errors, or a failure) and run their own.
            future.set_result(body)
            del self._inflight[key]

    async def _data_version(self) -> str | None:
        if self.response_cache is None:
            return None
        return await self.db.data_version()

    async def _cache_key(self, request: Request, version: str | None) -> CacheKey | None:
        """The response-cache key of a plain (non-batch) query, else ``None``."""
        if version is None or request.method not in ("GET", "POST"):
            return None
        if request.method == "GET":
            params = request.query_params
            variables = _json_or_none(params.get("variables")) if "variables" in params else None
            payload: Any = {
                "query": params.get("query"),
                "variables": variables,
                "operationName": params.get("operationName"),
            }
        else:
            if "application/json" not in request.headers.get("content-type", ""):
                return None
            payload = _json_or_none(await request.body())
        if not isinstance(payload, dict) or payload.get("extensions"):
            return None
        principal = await self._principal(request)
        return make_key(
            version,
            principal,
            payload.get("query"),
            payload.get("variables"),
            payload.get("operationName"),
        )

    async def _principal(self, request: Request | WebSocket) -> Principal | None:
        if "principal" not in request.scope.get("state", {}):
            request.state.principal = await authenticate_connection(
                self.db,
                request,
                self.settings.session_cookie_name,
                cache=self.principal_cache,
                version=getattr(request.state, "data_version", None),
            )
        principal: Principal | None = request.state.principal
        return principal

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        request.state.graphql_errors = bool(result.errors)
        return await super().process_result(request, result)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        principal = await self._principal(request)
        return Context(
            request=request,
            response=response,
            db=self.db,
            settings=self.settings,
            principal=principal,
            hub=self.hub,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """``connection_init``: a token in its payload (``{"authorization": "Bearer
        …"}`` or ``{"token": "…"}``) wins over the handshake's cookie. No caller →
        close 4401; a caller who may not read → 4403."""
        token = _connection_token(getattr(context, "connection_params", None))
        if token is not None:
            context.principal = await principal_from_token(self.db, token)
        if context.principal is None:
            raise WebSocketUnauthenticated
        if not context.principal.can(Permission.READ):
            raise ConnectionRejectionError({"reason": "forbidden"})
        acknowledged: UnsetType = UNSET  # a plain connection_ack
        return acknowledged

    def parse_json(self, data: str | bytes) -> Any:
        # Strawberry only catches JSONDecodeError; bad UTF-8, absurd nesting and
        # non-object bodies would otherwise escape as a 500.
        try:
            parsed = self.decode_json(data)
        except (ValueError, RecursionError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The body must be a JSON object.")
        return parsed

    def encode_json(self, data: object) -> str:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                # An error message quoting a lone surrogate from the request: escape it.
                text = json.dumps(data, separators=(",", ":"))
        return text


def _connection_token(params: object) -> str | None:
    if not isinstance(params, dict):
        return None
    raw = params.get("authorization") or params.get("Authorization") or params.get("token")
    if not isinstance(raw, str) or not raw.strip():
        return None
    scheme, _, value = raw.strip().partition(" ")
    token = value.strip() if scheme.lower() == "bearer" else raw.strip()
    return token[:512] or None


def _json_or_none(raw: str | bytes | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def _succeeded(request: Request, response: Response) -> bool:
    return response.status_code == 200 and getattr(request.state, "graphql_errors", True) is False
