"""``/healthz`` (the process answers), ``/readyz`` (its dependencies answer),
``/metrics`` (Prometheus text)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcms.core.db import Database
from mcms.core.observability import Metrics

logger = logging.getLogger("mcms.health")


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    db: Database = request.app.state.db
    checks: dict[str, str] = {}
    try:
        await db.ping()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready"
        logger.warning("readiness: database unreachable: %s", type(exc).__name__)
        checks["database"] = "unreachable"
    ingest = getattr(request.app.state, "ingest", None)
    if ingest is not None:
        checks["store"] = await _store_status(ingest.store.tmp)
    ready = all(v == "ok" for v in checks.values())
    # Reported, not required: without the bus, live updates still arrive (at poll
    # speed), so taking every process out of rotation when Redis blips would
    # turn a slowdown into an outage.
    broadcast = getattr(request.app.state, "broadcast", None)
    if broadcast is not None:
        checks["broadcast"] = broadcast.status
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


async def _store_status(directory: Path) -> str:
    """Whether the file store takes a file: a full disk, a read-only mount or a
    lost network share means uploads cannot be accepted."""
    try:
        await asyncio.to_thread(_write_probe, directory)
    except OSError as exc:
        logger.warning("readiness: file store unwritable: %s", exc.strerror or type(exc).__name__)
        return "unwritable"
    return "ok"


def _write_probe(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix=".readyz-") as probe:
        probe.write(b"ok")
        probe.flush()


async def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
