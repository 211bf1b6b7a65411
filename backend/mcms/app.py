"""``create_app()``: the one ASGI application — API, REST shim, SPA.

Route order matters: ``/graphql``, ``/auth``, ``/api/*`` and the operations
endpoints first, the SPA's catch-all last.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp

from mcms.addin_jobs import rest as addin_rest
from mcms.addin_jobs.waiting import JobSignal
from mcms.approvals import rest as approvals_rest
from mcms.core import health
from mcms.core.db import Database
from mcms.core.http import EXCEPTION_HANDLERS, BodySizeLimit
from mcms.core.observability import Metrics, RequestContextMiddleware, configure_logging_from
from mcms.core.ratelimit import FailureLimiter
from mcms.core.spa import spa_routes
from mcms.files import rest as files_rest
from mcms.files import tus
from mcms.files.ingest import Ingest
from mcms.graphql.response_cache import ResponseCache
from mcms.graphql.schema import build_schema
from mcms.graphql.view import GraphQLEndpoint
from mcms.items import rest as items_rest
from mcms.live import sse
from mcms.live.broadcast import create_broadcast
from mcms.live.hub import EventHub
from mcms.routings import rest as routings_rest
from mcms.settings import Settings, get_settings
from mcms.users import rest as users_rest
from mcms.worker.duties import build_worker


def _routes(graphql: GraphQLEndpoint) -> list[BaseRoute]:
    return [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        *users_rest.routes,
        *items_rest.routes,
        *routings_rest.routes,
        *approvals_rest.routes,
        *addin_rest.routes,
        *tus.routes,
        *files_rest.routes,
        *health.routes,
        *sse.routes,
        Mount("/api", routes=[]),  # any other /api path is a JSON 404, never the SPA
        *spa_routes(),
    ]


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> ASGIApp:
    """Build the application. Tests pass their own ``settings`` and ``db``."""
    settings = settings or get_settings()
    database = db or Database(settings.resolved_database_url, pool_size=settings.db_pool_size)
    owns_database = db is None

    broadcast = create_broadcast(settings.broadcast_url)
    hub = EventHub(
        database,
        poll_seconds=settings.events_poll_seconds,
        broadcast=broadcast,
        retention=timedelta(days=settings.events_retention_days),
    )
    database.commit_hooks.append(hub.poke)  # subscribers of this process: read now
    database.commit_hooks.append(broadcast.announce)  # and those of the others
    job_signal = JobSignal(hub)
    worker = build_worker(database, settings)
    ingest = Ingest(database, settings, on_commit_queued=worker.poke)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if settings.worker_enabled:
            worker.start()
        yield
        await ingest.close()
        await worker.stop()
        await job_signal.close()
        await hub.close()
        await broadcast.close()  # also when no subscriber ever started the hub
        if owns_database:
            await database.dispose()

    metrics = Metrics()
    response_cache = ResponseCache() if settings.graphql_response_cache else None
    if response_cache is not None:
        metrics.track_hits(
            "mcms_graphql_response_cache", "GraphQL queries answered from memory", response_cache
        )
    graphql = GraphQLEndpoint(
        build_schema(settings),
        db=database,
        settings=settings,
        hub=hub,
        response_cache=response_cache,
    )
    app = Starlette(
        routes=_routes(graphql),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.metrics = metrics
    app.state.hub = hub
    app.state.response_cache = response_cache
    app.state.broadcast = broadcast
    app.state.job_signal = job_signal
    app.state.agent_credentials = addin_rest.agent_credentials_cache()
    app.state.upload_credentials = tus.upload_credentials_cache()
    app.state.worker = worker
    app.state.ingest = ingest
    app.state.login_limiter = FailureLimiter()
    wrapped: ASGIApp = BodySizeLimit(
        app,
        max_bytes=settings.max_request_bytes,
        exempt_prefixes=(tus.UPLOADS_PATH,),
        exempt_suffixes=(files_rest.LEGACY_UPLOAD_SUFFIX,),
    )
    outer = RequestContextMiddleware(wrapped, metrics=app.state.metrics, router=app.router)
    outer.state = app.state  # tests and tools reach the hub and the database here
    return outer


def create_app_from_environment() -> ASGIApp:
    """Factory for uvicorn: each server process (worker) builds its app here and
    sets up its own logging, since workers do not inherit the parent's."""
    settings = get_settings()
    configure_logging_from(settings)
    return create_app(settings)
