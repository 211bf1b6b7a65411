"""A bare Starlette endpoint that only counts the bytes of tus PATCH requests:
the baseline of ``bench/uploads.py``.

``PATCH /api/uploads/{id}`` reads the body as MCMS does (``request.stream()``),
counts it and answers ``204`` with ``Upload-Offset`` = the request's offset plus
the bytes received; no authentication, no database, no disk, no hashing. It runs
under uvicorn with the options ``mcms serve`` passes (``mcms.cli.cmd_serve``), so
the difference to MCMS is what ingest costs, not the HTTP server.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp


async def patch(request: Request) -> Response:
    received = 0
    async for data in request.stream():
        received += len(data)
    offset = int(request.headers.get("upload-offset", "0")) + received
    return Response(
        status_code=204, headers={"Tus-Resumable": "1.0.0", "Upload-Offset": str(offset)}
    )


async def readyz(_: Request) -> Response:
    return JSONResponse({"status": "ready"})


def create_app() -> ASGIApp:
    return Starlette(
        routes=[
            Route("/api/uploads/{upload_id}", patch, methods=["PATCH"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    args = parser.parse_args()
    # The same options as ``mcms serve`` (access log on but below the log level).
    uvicorn.run(
        "bare_uploads:create_app",
        factory=True,
        app_dir=str(Path(__file__).resolve().parent),
        host=args.host,
        port=args.port,
        workers=1,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        ws_per_message_deflate=False,
    )


if __name__ == "__main__":
    main()
