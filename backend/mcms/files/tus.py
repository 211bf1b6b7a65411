"""tus 1.0.0 at ``/api/uploads``: core protocol plus ``creation``,
``creation-with-upload``, ``expiration``, ``checksum`` and ``termination``.

Only protocol here: headers in, headers out. What happens to the bytes is
``ingest.Ingest``'s business; an upload created through GraphQL's
``createUploadSession`` is the same resource at its ``uploadUrl``.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from email.utils import format_datetime
from typing import Any

from sqlalchemy import Row
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mcms.core.auth import Principal
from mcms.core.errors import DomainError, InvalidArgument, Unauthenticated
from mcms.core.http import problem
from mcms.core.validation import parse_id
from mcms.files.errors import UnsupportedMediaType, UnsupportedVersion
from mcms.files.ingest import Ingest, PatchResult
from mcms.files.names import (
    CHECKSUM_ALGORITHMS,
    clean_file_name,
    clean_sha256,
    parse_checksum,
    parse_metadata,
    parse_non_negative,
)
from mcms.files.uploads import NewUpload
from mcms.rest.common import database, settings
from mcms.users.authn import PrincipalCache, authenticate_connection

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,expiration,checksum,termination"
OFFSET_STREAM = "application/offset+octet-stream"
UPLOADS_PATH = "/api/uploads"


def upload_url(upload_id: str) -> str:
    return f"{UPLOADS_PATH}/{upload_id}"


def ingest_of(request: Request) -> Ingest:
    value: Ingest = request.app.state.ingest
    return value


UPLOAD_CREDENTIALS_TTL_SECONDS = 2.0
"""How long the tus routes remember whose credential they were shown. A client
sends a PATCH every few milliseconds and each one commits, so the GraphQL
endpoint's version-keyed cache never hits here, and looking the token up again
was 5 % of a PATCH (docs/performance.md). The price: a credential revoked, or a
user deactivated, in another process can go on using these routes for up to
this long (as on the add-in routes)."""


def upload_credentials_cache() -> PrincipalCache:
    return PrincipalCache(ttl_seconds=UPLOAD_CREDENTIALS_TTL_SECONDS)


async def _principal(request: Request) -> Principal:
    principal = await authenticate_connection(
        database(request),
        request,
        settings(request).session_cookie_name,
        cache=request.app.state.upload_credentials,
        version="uploads",  # entries expire by age only
    )
    if principal is None:
        raise Unauthenticated("Sign in or send an API token (Authorization: Bearer ...).")
    return principal


def _check_version(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        error = UnsupportedVersion(f"This server speaks tus {TUS_VERSION} (Tus-Resumable).")
        raise error.with_headers({"Tus-Version": TUS_VERSION})


def _tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **extra}


def _expires(row_or_result: Any) -> str:
    return format_datetime(row_or_result.expires_at, usegmt=True)


async def options(request: Request) -> Response:
    headers = _tus_headers(
        **{
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Max-Size": str(settings(request).upload_max_bytes),
            "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
        }
    )
    return Response(status_code=204, headers=headers)


# -- creation ---------------------------------------------------------------------------


def new_upload_from(request: Request) -> NewUpload:
    """The upload a creation request describes (``Upload-Length``, ``Upload-Metadata``)."""
    if "upload-defer-length" in request.headers:
        raise InvalidArgument("Upload-Defer-Length is not supported: send Upload-Length.")
    size = parse_non_negative(request.headers.get("upload-length"), "Upload-Length")
    metadata = parse_metadata(request.headers.get("upload-metadata"))
    if "routingId" not in metadata:
        raise InvalidArgument("Upload-Metadata must carry routingId (the routing to attach to).")
    declared = metadata.get("sha256") or metadata.get("checksum")
    job = metadata.get("jobId")
    return NewUpload(
        routing_id=parse_id(metadata["routingId"], "routingId"),
        file_name=clean_file_name(metadata.get("filename"), "filename"),
        size=size,
        chunk_size=settings(request).upload_chunk_bytes,
        sha256=clean_sha256(declared, "sha256") if declared else None,
        metadata=metadata,
        addin_job_id=parse_id(job, "jobId") if job else None,
    )


async def create(request: Request) -> Response:
    _check_version(request)
    principal = await _principal(request)
    upload = new_upload_from(request)
    with_body = request.headers.get("content-type", "").startswith(OFFSET_STREAM)
    ingest = ingest_of(request)
    row = await ingest.create(principal, upload)
    headers = _tus_headers(Location=upload_url(row.id), **{"Upload-Expires": _expires(row)})
    if with_body and upload.size > 0:
        result = await _patch(request, ingest, principal, row.id, offset=0)
        headers.update({"Upload-Offset": str(result.offset), "Upload-Expires": _expires(result)})
    return Response(status_code=201, headers=headers)


# -- one upload -------------------------------------------------------------------------


def _upload_id(request: Request) -> str:
    return str(request.path_params["upload_id"])


async def head(request: Request) -> Response:
    _check_version(request)
    principal = await _principal(request)
    row = await ingest_of(request).offset(principal, _upload_id(request))
    headers = _tus_headers(
        **{
            "Upload-Offset": str(row.offset),
            "Upload-Length": str(row.size),
            "Upload-Expires": _expires(row),
            "Cache-Control": "no-store",
        }
    )
    if row.tus_metadata:
        headers["Upload-Metadata"] = _encode_metadata(row)
    return Response(status_code=200, headers=headers)


def _encode_metadata(row: Row[Any]) -> str:
    pairs = []
    for key, value in row.tus_metadata.items():
        encoded = base64.b64encode(str(value).encode("utf-8")).decode("ascii")
        pairs.append(f"{key} {encoded}" if value else key)
    return ",".join(pairs)


async def patch(request: Request) -> Response:
    _check_version(request)
    principal = await _principal(request)
    result = await _patch(
        request,
        ingest_of(request),
        principal,
        _upload_id(request),
        offset=parse_non_negative(request.headers.get("upload-offset"), "Upload-Offset"),
    )
    headers = _tus_headers(
        **{"Upload-Offset": str(result.offset), "Upload-Expires": _expires(result)}
    )
    return Response(status_code=204, headers=headers)


async def _patch(
    request: Request, ingest: Ingest, principal: Principal, upload_id: str, *, offset: int
) -> PatchResult:
    if not request.headers.get("content-type", "").startswith(OFFSET_STREAM):
        raise UnsupportedMediaType(f"A PATCH body must be sent as {OFFSET_STREAM}.")
    checksum = parse_checksum(request.headers.get("upload-checksum"))
    length = request.headers.get("content-length")
    return await ingest.patch(
        principal,
        upload_id,
        offset=offset,
        checksum=checksum,
        content_length=parse_non_negative(length, "Content-Length") if length else None,
        body=request.stream(),
    )


async def delete(request: Request) -> Response:
    _check_version(request)
    principal = await _principal(request)
    await ingest_of(request).cancel(principal, _upload_id(request))
    return Response(status_code=204, headers=_tus_headers())


async def dispatch(request: Request) -> Response:
    """One route per path, so every method gets the tus headers, even refusals."""
    handlers = {"HEAD": head, "PATCH": patch, "DELETE": delete, "OPTIONS": options}
    handler = handlers.get(request.method)
    if handler is None:
        response = problem(
            InvalidArgument.code, f"{request.method} is not a tus method here.", status=405
        )
        response.headers["Allow"] = "HEAD, PATCH, DELETE, OPTIONS"
        response.headers["Tus-Resumable"] = TUS_VERSION
        return response
    return await _answering_as_tus(handler, request)


async def collection(request: Request) -> Response:
    if request.method == "OPTIONS":
        return await options(request)
    return await _answering_as_tus(create, request)


async def _answering_as_tus(
    handler: Callable[[Request], Awaitable[Response]], request: Request
) -> Response:
    """tus 1.0.0 wants ``Tus-Resumable`` on every answer but OPTIONS', refusals too."""
    try:
        return await handler(request)
    except DomainError as exc:
        raise exc.with_headers({"Tus-Resumable": TUS_VERSION}) from None


routes = [
    Route(UPLOADS_PATH, collection, methods=["POST", "OPTIONS"]),
    Route(
        UPLOADS_PATH + "/{upload_id}",
        dispatch,
        methods=["HEAD", "PATCH", "DELETE", "OPTIONS", "GET", "POST", "PUT"],
    ),
]
