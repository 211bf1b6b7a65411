"""The ASGI GraphQL endpoint: context with the caller, JSON errors for bad HTTP."""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from mcms.core.db import Database
from mcms.core.errors import ErrorCode
from mcms.graphql.context import Context
from mcms.settings import Settings
from mcms.users.authn import authenticate_connection

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
    body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    return JSONResponse(body, status_code=status)


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI view with MCMS's context and error shape.

    Strawberry answers malformed HTTP (bad JSON, no query, a mutation over GET)
    with plain text; integrators get the same JSON error shape as everywhere.
    """

    def __init__(self, schema: Any, *, db: Database, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.db = db
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = graphql_error_response(exc.status_code, exc.reason)
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        principal = await authenticate_connection(
            self.db, request, self.settings.session_cookie_name
        )
        return Context(
            request=request,
            response=response,
            db=self.db,
            settings=self.settings,
            principal=principal,
        )

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
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
