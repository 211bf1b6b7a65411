"""Serves the built SPA: hashed assets cached for a year, ``index.html`` never
cached, and a history fallback to ``index.html`` only for GET/HEAD requests
that accept HTML, so a missing asset stays a 404."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"

PLACEHOLDER = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>MCMS</title></head><body><h1>MCMS is running</h1>
<p>The web interface has not been built into this installation.
The GraphQL API is at <a href="/graphql">/graphql</a>.</p></body></html>"""


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _safe_file(root: Path, relative: str) -> Path | None:
    candidate = (root / relative).resolve()
    if root.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def spa_routes(static_dir: Path = STATIC_DIR) -> list[Route]:
    async def serve(request: Request) -> Response:
        relative = request.path_params.get("path", "")
        if relative:
            found = _safe_file(static_dir, relative)
            if found is not None:
                cache = IMMUTABLE if relative.startswith("assets/") else NO_CACHE
                return FileResponse(found, headers={"Cache-Control": cache})
            if not _wants_html(request) or relative.startswith(("api/", "assets/")):
                raise HTTPException(404, f"/{relative[:200]} does not exist.")
        index = static_dir / "index.html"
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": NO_CACHE})
        return HTMLResponse(PLACEHOLDER, headers={"Cache-Control": NO_CACHE})

    return [
        Route("/", serve, methods=["GET", "HEAD"]),
        Route("/{path:path}", serve, methods=["GET", "HEAD"]),
    ]
