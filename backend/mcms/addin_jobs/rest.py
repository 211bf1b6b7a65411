"""The add-in's REST shim (SPEC §3): the legacy poll and completion the ESPRIT
add-in speaks today, the leased claim/heartbeat/release of newer agents, the
add-in keys and the KPI dashboard. Errors are problem+json."""

from __future__ import annotations

import math
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Row
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mcms.addin_jobs import dashboard, keys, leases, parameters, results, service
from mcms.addin_jobs.leases import Holder
from mcms.addin_jobs.models import AddinJobStatus
from mcms.addin_jobs.waiting import JobSignal
from mcms.core.auth import Permission, Principal, require
from mcms.core.errors import InvalidArgument
from mcms.core.http import read_json_object
from mcms.core.validation import clean_text, parse_id
from mcms.rest.common import (
    caller,
    database,
    json_response,
    page_params,
    path_id,
    settings,
)
from mcms.users.authn import PrincipalCache, authenticate_connection

AGENT_ID_MAX = 200
MESSAGE_MAX = 4_000


def job_document(job: Row[Any], *, viewer: Principal | None = None) -> dict[str, Any]:
    """A job as the shim shows it. The lease token is shown only to its holder."""
    holds_it = viewer is not None and job.holder_user_id == viewer.user_id
    return {
        "jobId": str(job.id),
        "routingId": str(job.routing_id),
        "status": job.status,
        "createdAt": job.created_at,
        "parameters": job.parameters,
        "attempt": job.attempt,
        "maxAttempts": job.max_attempts,
        "leaseToken": str(job.lease_token) if holds_it and job.lease_token else None,
        "leaseExpiresAt": job.lease_expires_at,
        "agentId": job.agent_id,
        "progress": job.progress,
        "message": job.message,
        "resultStatus": job.result_status,
        "failureReason": job.failure_reason,
        "outputs": job.outputs,
        "retryOfId": str(job.retry_of_id) if job.retry_of_id else None,
        "claimedAt": job.claimed_at,
        "updatedAt": job.updated_at,
        "finishedAt": job.finished_at,
    }


AGENT_CREDENTIALS_TTL_SECONDS = 2.0
"""How long an add-in route remembers whose token it was shown. Agents call
several times a second, each call used to cost a database lookup of the token,
and every call commits (so the version-keyed cache of the GraphQL endpoint
never hits here). The price: a token revoked by another process keeps working
on these routes for up to this long."""


def agent_credentials_cache() -> PrincipalCache:
    return PrincipalCache(ttl_seconds=AGENT_CREDENTIALS_TTL_SECONDS)


async def _agent_caller(request: Request) -> Principal:
    """The AGENT calling an add-in route, its token looked up at most every
    ``AGENT_CREDENTIALS_TTL_SECONDS``."""
    cache: PrincipalCache = request.app.state.agent_credentials
    principal = await authenticate_connection(
        database(request),
        request,
        settings(request).session_cookie_name,
        cache=cache,
        version="agents",  # entries expire by age only
    )
    return require(principal, Permission.USE_ADDIN_SHIM)


async def _caller_any(request: Request, *permissions: Permission) -> Principal:
    """The caller, allowed at least one of ``permissions``."""
    principal = await authenticate_connection(
        database(request), request, settings(request).session_cookie_name
    )
    for permission in permissions[:-1]:
        if principal is not None and principal.can(permission):
            return principal
    return require(principal, permissions[-1])


def _holder(principal: Principal, agent_id: Any, capabilities: Any = None) -> Holder:
    name = clean_text(agent_id or "", "agentId", max_length=AGENT_ID_MAX) or principal.username
    return Holder(
        user_id=principal.user_id,
        username=principal.username,
        agent_id=name,
        capabilities=parameters.clean_parameters(capabilities or {}, "capabilities"),
    )


def _signal(request: Request) -> JobSignal:
    signal: JobSignal = request.app.state.job_signal
    return signal


# --- the legacy add-in --------------------------------------------------------------


async def next_job(request: Request) -> Response:
    """``GET /api/addin/jobs/next``: the job this add-in holds (claiming one if it
    holds none), or ``204``. The lease is long: the old add-in never heartbeats."""
    principal = await _agent_caller(request)
    holder = _holder(principal, request.headers.get("x-agent-id") or f"legacy:{principal.username}")
    lease = settings(request).addin_legacy_lease_seconds
    job: Row[Any] | None = None
    async with database(request).unit_of_work() as session:
        held = await leases.held_by(session=session, holder=holder)
        if held is not None:
            job = await leases.extend_legacy_lease(session=session, job=held, lease_seconds=lease)
        if job is None:
            job = await leases.claim(session=session, holder=holder, lease_seconds=lease)
    if job is None:
        return Response(status_code=204)
    return json_response(job_document(job, viewer=principal))


async def complete_job(request: Request) -> Response:
    """``POST /api/addin/jobs/{jobId}/complete``: idempotent; ``409`` for a different
    result on a finished job or a stale lease token."""
    principal = await _agent_caller(request)
    job_id = path_id(request, "jobId")
    result = results.clean_result(await read_json_object(request))
    holder = _holder(principal, None)
    async with database(request).unit_of_work() as session:
        job, _ = await results.complete(
            session=session, holder=holder, job_id=job_id, result=result
        )
    return json_response(job_document(job, viewer=principal))


async def get_job(request: Request) -> Response:
    principal = await _caller_any(request, Permission.USE_ADDIN_SHIM, Permission.READ)
    async with database(request).read_session() as session:
        job = await service.get_job(session=session, job_id=path_id(request, "jobId"))
    return json_response(job_document(job, viewer=principal))


# --- newer agents: claim with long-poll, heartbeat, release ----------------------------


def _wait_seconds(request: Request) -> float:
    raw = request.query_params.get("wait", "0")
    try:
        wait = float(raw)
    except ValueError:
        raise InvalidArgument("wait must be a number of seconds.") from None
    if not math.isfinite(wait) or wait < 0:
        raise InvalidArgument("wait must be a number of seconds, 0 or more.")
    return min(wait, settings(request).addin_max_wait_seconds)


async def claim_job(request: Request) -> Response:
    """``POST /api/addin/jobs/claim?wait=S``: ``{agentId, capabilities}`` → the claimed
    job with its lease, or ``204`` if none came within ``S`` seconds."""
    principal = await _agent_caller(request)
    body = await _optional_body(request)
    holder = _holder(principal, body.get("agentId"), body.get("capabilities"))
    deadline = time.monotonic() + _wait_seconds(request)
    signal = _signal(request)
    lease = settings(request).addin_lease_seconds
    while True:
        generation = signal.watch()
        async with database(request).unit_of_work() as session:
            job = await leases.claim(session=session, holder=holder, lease_seconds=lease)
        if job is not None:
            return await _hand_over(request, principal, holder, job)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or await request.is_disconnected():
            return Response(status_code=204)
        await signal.wait_after(generation, remaining)


async def _hand_over(
    request: Request, principal: Principal, holder: Holder, job: Row[Any]
) -> Response:
    """The claimed job, unless the agent hung up while it was being claimed: then
    the job goes straight back to the queue instead of waiting out a lease."""
    if await request.is_disconnected():
        async with database(request).unit_of_work() as session:
            await leases.release(
                session=session,
                holder=holder,
                job_id=job.id,
                lease_token=job.lease_token,
                message="The agent left before it received the job.",
            )
        return Response(status_code=204)
    return json_response(job_document(job, viewer=principal))


async def _optional_body(request: Request) -> dict[str, Any]:
    if not await request.body():
        return {}
    return await read_json_object(request)


def _progress(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgument("progress must be a number from 0 to 100.")
    if not 0 <= value <= 100:
        raise InvalidArgument("progress must be a number from 0 to 100.")
    return float(value)


def _lease_token(body: dict[str, Any]) -> int:
    token = results.clean_lease_token(body.get("leaseToken"))
    if token is None:
        raise InvalidArgument("leaseToken is required: send the token the claim returned.")
    return token


def _message(body: dict[str, Any]) -> str | None:
    value = body.get("message")
    return None if value is None else clean_text(value, "message", max_length=MESSAGE_MAX)


async def heartbeat(request: Request) -> Response:
    """``{leaseToken, progress, message}`` → ``{leaseExpiresAt}``; ``409`` if lost."""
    principal = await _agent_caller(request)
    body = await read_json_object(request)
    async with database(request).unit_of_work() as session:
        job = await leases.heartbeat(
            session=session,
            holder=_holder(principal, None),
            job_id=path_id(request, "jobId"),
            lease_token=_lease_token(body),
            progress=_progress(body.get("progress")),
            message=_message(body),
        )
    return json_response({"jobId": str(job.id), "leaseExpiresAt": job.lease_expires_at})


async def release_job(request: Request) -> Response:
    """``{leaseToken, message}``: back to the queue for another agent (shutdown)."""
    principal = await _agent_caller(request)
    body = await read_json_object(request)
    async with database(request).unit_of_work() as session:
        job = await leases.release(
            session=session,
            holder=_holder(principal, None),
            job_id=path_id(request, "jobId"),
            lease_token=_lease_token(body),
            message=_message(body) or "",
        )
    return json_response(job_document(job, viewer=principal))


# --- people and scripts: queue, list, retry, cancel ---------------------------------------


async def queue_job(request: Request) -> Response:
    """``POST /api/addin/jobs`` ``{routingId, parameters}``: queue a job for an
    APPROVED routing; ``parameters`` go on top of its parameter sets."""
    actor = await caller(request, Permission.MANAGE_ADDIN_JOBS)
    body = await read_json_object(request)
    routing_id = parse_id(body.get("routingId") or "", "routingId")
    extra = parameters.clean_parameters(body.get("parameters") or {})
    async with database(request).unit_of_work() as session:
        job = await service.queue_job(
            session=session,
            routing_id=routing_id,
            actor=actor.username,
            max_attempts=settings(request).addin_max_attempts,
            extra_parameters=extra,
        )
    return json_response(job_document(job), status=201)


async def list_jobs(request: Request) -> Response:
    """``GET /api/addin/jobs?routingId=&status=&page=&pageSize=``, newest first."""
    await caller(request, Permission.READ)
    routing = request.query_params.get("routingId")
    status = request.query_params.get("status")
    try:
        wanted = AddinJobStatus(status.upper()) if status else None
    except ValueError:
        raise InvalidArgument(f"status must be one of {', '.join(AddinJobStatus)}.") from None
    filters: dict[str, Any] = {
        "routing_id": parse_id(routing, "routingId") if routing else None,
        "status": wanted,
    }
    page = page_params(request)
    async with database(request).read_session() as session:
        found = await service.search_jobs(session=session, page=page, **filters)
        total = await service.count_jobs(session=session, **filters)
    return json_response(
        {
            "items": [job_document(job) for job in found.items],
            "page": page.offset // page.limit + 1,
            "pageSize": page.limit,
            "total": total,
        }
    )


async def retry_job(request: Request) -> Response:
    actor = await caller(request, Permission.READ)
    async with database(request).unit_of_work() as session:
        job = await service.retry_job(
            session=session,
            actor=actor,
            job_id=path_id(request, "jobId"),
            max_attempts=settings(request).addin_max_attempts,
        )
    return json_response(job_document(job), status=201)


async def cancel_job(request: Request) -> Response:
    actor = await caller(request, Permission.READ)
    async with database(request).unit_of_work() as session:
        job = await service.cancel_job(
            session=session, actor=actor, job_id=path_id(request, "jobId")
        )
    return json_response(job_document(job))


# --- add-in keys and the dashboard ------------------------------------------------------------


def _key_document(key: keys.KeyInfo) -> dict[str, Any]:
    return {
        "keyId": str(key.id),
        "agent": key.agent,
        "prefix": key.prefix,
        "createdAt": key.created_at,
        "expiresAt": key.expires_at,
        "lastUsedAt": key.last_used_at,
    }


def _agent_param(request: Request) -> str:
    return clean_text(
        request.query_params.get("agent") or keys.DEFAULT_AGENT, "agent", max_length=64
    )


async def current_key(request: Request) -> Response:
    """The add-in account's working keys (the newest is current). Only their prefixes:
    a key is shown once, when it is issued."""
    actor = await caller(request, Permission.MANAGE_ADDIN_KEYS)
    async with database(request).read_session() as session:
        found = await keys.current_keys(session=session, actor=actor, agent=_agent_param(request))
    return json_response(
        {
            "current": _key_document(found[0]) if found else None,
            "previous": [_key_document(key) for key in found[1:]],
        }
    )


async def renew_key(request: Request) -> Response:
    """Issue a new add-in key, shown once; the previous ones work for the overlap."""
    actor = await caller(request, Permission.MANAGE_ADDIN_KEYS)
    overlap = timedelta(hours=settings(request).addin_key_overlap_hours)
    async with database(request).unit_of_work() as session:
        key, secret, previous = await keys.renew_key(
            session=session, actor=actor, overlap=overlap, agent=_agent_param(request)
        )
    request.app.state.agent_credentials.clear()  # an overlap of 0 ends the old key now
    return json_response(
        {
            **_key_document(key),
            "key": secret,
            "previous": [_key_document(old) for old in previous],
        },
        status=201,
    )


async def metrics_dashboard(request: Request) -> Response:
    await caller(request, Permission.READ)
    async with database(request).read_session() as session:
        return json_response(await dashboard.dashboard(session=session))


routes = [
    Route("/api/addin/jobs/next", next_job, methods=["GET"]),
    Route("/api/addin/jobs/claim", claim_job, methods=["POST"]),
    Route("/api/addin/jobs", queue_job, methods=["POST"]),
    Route("/api/addin/jobs", list_jobs, methods=["GET"]),
    Route("/api/addin/jobs/{jobId}", get_job, methods=["GET"]),
    Route("/api/addin/jobs/{jobId}/complete", complete_job, methods=["POST"]),
    Route("/api/addin/jobs/{jobId}/heartbeat", heartbeat, methods=["POST"]),
    Route("/api/addin/jobs/{jobId}/release", release_job, methods=["POST"]),
    Route("/api/addin/jobs/{jobId}/retry", retry_job, methods=["POST"]),
    Route("/api/addin/jobs/{jobId}/cancel", cancel_job, methods=["POST"]),
    Route("/api/addin/keys/current", current_key, methods=["GET"]),
    Route("/api/addin/keys/renew", renew_key, methods=["POST"]),
    Route("/api/metrics/dashboard", metrics_dashboard, methods=["GET"]),
]
