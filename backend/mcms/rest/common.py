"""What every REST handler needs: the caller, paging parameters, camelCase JSON."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from mcms.core.auth import Permission, Principal, require
from mcms.core.db import Database
from mcms.core.errors import InvalidArgument
from mcms.core.pagination import PageRequest
from mcms.core.validation import parse_id
from mcms.settings import Settings
from mcms.users.authn import authenticate_connection

DEFAULT_PAGE_SIZE = 20


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


async def caller(request: Request, permission: Permission) -> Principal:
    """The authenticated caller allowed ``permission``, or the SPEC error."""
    principal = await authenticate_connection(
        database(request), request, settings(request).session_cookie_name
    )
    return require(principal, permission)


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidArgument(f"{name} must be a positive integer.")
    return int(raw)


def page_params(request: Request) -> PageRequest:
    return PageRequest.from_page(
        _int_param(request, "page", 1), _int_param(request, "pageSize", DEFAULT_PAGE_SIZE)
    )


def sort_param(request: Request, allowed: tuple[str, ...], default: str) -> tuple[str, bool]:
    """``sort=field`` or ``sort=-field`` (descending), one of ``allowed``."""
    raw = request.query_params.get("sort") or default
    descending = raw.startswith("-")
    name = raw.removeprefix("-")
    if name not in allowed:
        raise InvalidArgument(f"sort must be one of {', '.join(allowed)} (prefix - to reverse).")
    return name, descending


def path_id(request: Request, name: str = "id") -> int:
    return parse_id(request.path_params[name], name)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def json_response(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(_jsonable(body), status_code=status)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def camel_row(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """Selected columns of a row, with camelCase keys; ids as strings like GraphQL."""
    out: dict[str, Any] = {}
    for field in fields:
        value = getattr(row, field)
        if (field == "id" or field.endswith("_id")) and value is not None:
            value = str(value)
        out[camel(field)] = value
    return out
