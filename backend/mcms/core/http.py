"""HTTP plumbing shared by the REST routes: problem+json errors, JSON bodies,
and a cap on request body size."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcms.core.errors import HTTP_STATUS, DomainError, ErrorCode, InvalidArgument
from mcms.core.observability import request_id_var

logger = logging.getLogger("mcms.http")

PROBLEM_JSON = "application/problem+json"

_STATUS_TO_CODE = {status: code for code, status in HTTP_STATUS.items()}
_STATUS_TO_CODE[405] = ErrorCode.INVALID_ARGUMENT
_STATUS_TO_CODE[415] = ErrorCode.INVALID_ARGUMENT


def problem(code: ErrorCode, message: str, *, status: int | None = None) -> JSONResponse:
    """An RFC 7807 body that also carries the SPEC's ``{"error": {code, message}}``."""
    status = status or HTTP_STATUS[code]
    # Messages may quote the caller's input; a lone surrogate in it cannot be sent as UTF-8.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    body = {
        "type": f"urn:mcms:error:{code.value.lower()}",
        "title": code.value.replace("_", " ").capitalize(),
        "status": status,
        "detail": message,
        "code": code.value,
        "traceId": request_id_var.get(),
        "error": {"code": code.value, "message": message},
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def domain_error_handler(_: Request, exc: Exception) -> Response:
    if not isinstance(exc, DomainError):
        raise exc
    response = problem(exc.code, exc.message, status=exc.http_status)
    for name, value in exc.headers.items():
        response.headers[name] = value
    if "retry_after" in exc.details:
        response.headers["Retry-After"] = str(exc.details["retry_after"])
    return response


async def http_error_handler(_: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    code = _STATUS_TO_CODE.get(exc.status_code, ErrorCode.INVALID_ARGUMENT)
    return problem(code, str(exc.detail), status=exc.status_code)


async def unexpected_error_handler(_: Request, exc: Exception) -> Response:
    logger.error("unexpected error", exc_info=exc)
    return problem(ErrorCode.INTERNAL, "Internal error; it has been logged.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or ``INVALID_ARGUMENT`` saying what is wrong."""
    raw = await request.body()
    if not raw:
        raise InvalidArgument("The request needs a JSON body.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidArgument("The body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise InvalidArgument("The body must be a JSON object.")
    return body


class BodySizeLimit:
    """Refuses bodies over ``max_bytes`` with ``PAYLOAD_TOO_LARGE`` before a
    handler reads them, by the declared length or while they stream in.
    Paths under ``exempt_prefixes`` (resumable uploads) or ending in one of
    ``exempt_suffixes`` (the legacy multipart upload) set their own limits."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        exempt_prefixes: tuple[str, ...] = (),
        exempt_suffixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes
        self.exempt_suffixes = exempt_suffixes

    def _exempt(self, path: str) -> bool:
        return path.startswith(self.exempt_prefixes) or (
            bool(self.exempt_suffixes) and path.endswith(self.exempt_suffixes)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None:
            if declared > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): buffer up to the limit, then replay.
        body = await _read_at_most(receive, self.max_bytes)
        if body is None:
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes."
        if scope["path"].startswith("/graphql"):
            body = {"errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
            response: Response = JSONResponse(body, status_code=413)
        else:
            response = problem(ErrorCode.PAYLOAD_TOO_LARGE, message)
        await response(scope, receive, send)


async def _read_at_most(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
