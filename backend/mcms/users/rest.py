"""``POST /auth/login`` and ``POST /auth/logout``: the SPA's cookie session."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mcms.core.errors import InvalidArgument, Unauthenticated
from mcms.core.http import read_json_object
from mcms.core.ratelimit import FailureLimiter
from mcms.rest.common import database, json_response, settings
from mcms.users import service


async def login(request: Request) -> Response:
    """Body ``{"username", "password"}`` → ``{"user": {...}}`` and an HttpOnly,
    SameSite=Lax session cookie (``Secure`` when configured)."""
    body = await read_json_object(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise InvalidArgument("username and password are required strings.")
    config = settings(request)
    limiter: FailureLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else "unknown"
    pair = f"{address}|{username.lower()[:64]}"
    limiter.check(pair)
    async with database(request).unit_of_work() as session:
        try:
            user = await service.authenticate(session=session, username=username, password=password)
        except Unauthenticated:
            limiter.record_failure(pair)
            raise
        limiter.reset(pair)
        issued = await service.start_web_session(
            session=session, user=user, ttl=timedelta(hours=config.session_ttl_hours)
        )
        principal = service.principal_of(user)
    response = json_response(
        {
            "user": {
                "id": str(principal.user_id),
                "username": principal.username,
                "displayName": principal.display_name,
                "role": principal.role.value,
            }
        }
    )
    response.set_cookie(
        config.session_cookie_name,
        issued.secret,
        max_age=config.session_ttl_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=config.cookie_secure,
        path="/",
    )
    return response


async def logout(request: Request) -> Response:
    """Ends the session server-side (the cookie is useless afterwards) and clears it."""
    config = settings(request)
    secret = request.cookies.get(config.session_cookie_name)
    if secret:
        async with database(request).unit_of_work() as session:
            await service.end_web_session(session=session, secret=secret[:512])
    response = Response(status_code=204)
    response.delete_cookie(config.session_cookie_name, path="/", httponly=True, samesite="lax")
    return response


routes = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
]
