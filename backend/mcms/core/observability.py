"""Logs, request ids and Prometheus metrics.

Logs are JSON lines to stdout and to a rotating file in the data directory.
Each carries the request id of the request that caused it (taken from a sane
``X-Request-ID`` header or made up, and echoed back). Headers, bodies and query
strings are never logged, so neither are passwords, cookies or tokens.
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.handlers
import re
import secrets
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcms.settings import Settings

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


class JsonFormatter(logging.Formatter):
    converter = time.gmtime  # type: ignore[assignment]  # UTC timestamps, the 'Z' we print

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "requestId": request_id_var.get(),
        }
        for key in ("method", "path", "status", "durationMs"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    *, level: str, log_dir: Path | None, json_lines: bool, file_bytes: int, file_count: int
) -> None:
    """Route every logger to stdout and (if ``log_dir``) a rotating ``mcms.log``."""
    formatter: logging.Formatter = (
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stdout)]
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_dir / "mcms.log", maxBytes=file_bytes, backupCount=file_count, encoding="utf-8"
            )
        )
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's own access log repeats ours without the request id.
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


def configure_logging_from(settings: Settings) -> None:
    """``configure_logging`` as the settings say; every server process calls it."""
    configure_logging(
        level=settings.log_level,
        log_dir=settings.log_dir,
        json_lines=settings.log_json,
        file_bytes=settings.log_file_bytes,
        file_count=settings.log_file_count,
    )


class Metrics:
    """The process's Prometheus registry (one per app, so tests stay independent)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mcms_http_requests_total",
            "HTTP requests by route and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "mcms_http_request_duration_seconds",
            "HTTP request latency by route.",
            ("method", "route"),
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )

    def track_hits(self, name: str, documentation: str, source: HitCounter) -> None:
        """Export ``source.hits`` / ``source.misses`` as ``<name>_{hits,misses}_total``."""
        self.registry.register(_HitCollector(name, documentation, source))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class HitCounter(Protocol):
    hits: int
    misses: int


class _HitCollector(Collector):
    def __init__(self, name: str, documentation: str, source: HitCounter) -> None:
        self.name = name
        self.documentation = documentation
        self.source = source

    def collect(self) -> Iterator[Metric]:
        for kind in ("hits", "misses"):
            family = CounterMetricFamily(f"{self.name}_{kind}", f"{self.documentation} ({kind}).")
            family.add_metric([], getattr(self.source, kind))
            yield family


def _route_template(app: Any, scope: Scope) -> str:
    """The route's path template (``/api/routings/{id}``), never the raw path:
    raw paths would give every id its own time series."""
    for route in getattr(app, "routes", []):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other")) or "/"
    return "other"


class RequestContextMiddleware:
    """Request id, access log line and metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, router: Any) -> None:
        self.app = app
        self.metrics = metrics
        self.router = router
        self.logger = logging.getLogger("mcms.access")
        self.state: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or secrets.token_hex(8)
        if scope["type"] == "websocket":
            # No wrapper around ``send`` here: a live-updates socket sends one
            # frame per event per subscriber, and every layer costs on each one.
            token = request_id_var.set(request_id)
            try:
                await self.app(scope, receive, send)
            finally:
                request_id_var.reset(token)
            return
        # Match before the app runs: routing updates ``scope`` in place (a Mount
        # sets ``root_path``), after which the path no longer matches its route.
        route = _route_template(self.router, scope) if scope["type"] == "http" else ""
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette answers 500 (problem+json, logged by our handler) and then
            # re-raises for the server's benefit; we already logged it, so stop it
            # here instead of letting uvicorn print a second traceback.
            if scope["type"] != "http":
                raise
            if not response_started:
                self.logger.exception("unhandled error before any response")
                await _send_internal_error(send_with_id)
        finally:
            if scope["type"] == "http":
                self._observe(scope, route, status, time.perf_counter() - started)
            request_id_var.reset(token)

    def _observe(self, scope: Scope, route: str, status: int, seconds: float) -> None:
        method = scope["method"]
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        self.logger.info(
            "request",
            extra={
                "method": method,
                "path": scope["path"][:200],
                "status": status,
                "durationMs": round(seconds * 1000, 2),
            },
        )


async def _send_internal_error(send: Send) -> None:
    body = json.dumps(
        {
            "type": "urn:mcms:error:internal",
            "title": "Internal",
            "status": 500,
            "detail": "Internal error; it has been logged.",
            "code": "INTERNAL",
            "traceId": request_id_var.get(),
            "error": {"code": "INTERNAL", "message": "Internal error; it has been logged."},
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [(b"content-type", b"application/problem+json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SAFE_REQUEST_ID.match(text) else None
    return None
