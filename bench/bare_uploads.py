"""A bare Starlette endpoint that only counts the bytes of tus PATCH requests:
the baseline of ``bench/uploads.py``.

``PATCH /api/uploads/{id}`` reads the body as MCMS does (``request.stream()``),
counts it and answers ``204`` with ``Upload-Offset`` = the request's offset plus
the bytes received; no authentication, no database, no disk, no hashing. It runs
under uvicorn with the options ``mcms serve`` passes (``mcms.cli.cmd_serve``), so
the difference to MCMS is what ingest costs, not the HTTP server.

``PATCH /api/straightforward/{id}`` is the other yardstick, the issue's
"straightforward hash + write + fsync loop" (a reference, not a target): every
piece of the body goes into the chunk's SHA-256, the file's SHA-256 and a
buffered file under ``--dir``, all on the event loop; at the end of the body
the file is fsynced and the chunk's digest compared with ``Upload-Checksum``
(``460`` if it differs) before ``204``. No database, no authentication; the
file's hash state lives in this process. ``DELETE`` removes the file.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
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


class StraightforwardUploads:
    """The naive receiver: hash, write and fsync in the request's own coroutine."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.file_hashes: dict[str, hashlib._Hash] = {}

    def _path(self, upload_id: str) -> Path:
        if not upload_id.replace("-", "").isalnum():
            raise ValueError(upload_id)
        return self.directory / upload_id

    async def patch(self, request: Request) -> Response:
        upload_id = request.path_params["upload_id"]
        offset = int(request.headers.get("upload-offset", "0"))
        file_hash = self.file_hashes.setdefault(upload_id, hashlib.sha256())
        chunk_hash = hashlib.sha256()
        with self._path(upload_id).open("ab") as f:
            if f.tell() != offset:
                return Response(status_code=409)
            async for data in request.stream():
                chunk_hash.update(data)
                file_hash.update(data)
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
            offset = f.tell()
        declared = request.headers.get("upload-checksum", "").partition(" ")[2]
        if declared and base64.b64decode(declared) != chunk_hash.digest():
            return Response(status_code=460)
        return Response(
            status_code=204, headers={"Tus-Resumable": "1.0.0", "Upload-Offset": str(offset)}
        )

    async def delete(self, request: Request) -> Response:
        upload_id = request.path_params["upload_id"]
        self.file_hashes.pop(upload_id, None)
        self._path(upload_id).unlink(missing_ok=True)
        return Response(status_code=204)


async def readyz(_: Request) -> Response:
    return JSONResponse({"status": "ready"})


def create_app() -> ASGIApp:
    straightforward = StraightforwardUploads(Path(os.environ.get("BARE_UPLOADS_DIR", ".")))
    return Starlette(
        routes=[
            Route("/api/uploads/{upload_id}", patch, methods=["PATCH"]),
            Route("/api/straightforward/{upload_id}", straightforward.patch, methods=["PATCH"]),
            Route("/api/straightforward/{upload_id}", straightforward.delete, methods=["DELETE"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--dir", default=".", help="where the straightforward receiver writes")
    args = parser.parse_args()
    os.environ["BARE_UPLOADS_DIR"] = str(Path(args.dir).resolve())  # for the app factory
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
