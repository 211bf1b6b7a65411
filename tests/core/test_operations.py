"""Operations: health and readiness, Prometheus metrics, request ids, and logs
that are JSON lines and never carry a secret."""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mcms.app import create_app
from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.core.observability import configure_logging
from mcms.settings import Settings
from tests.factories import Factory

UNREACHABLE_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:1/x"


# --- health and readiness -----------------------------------------------------------


async def test_healthz_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_the_database_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["store"] == "ok"


async def test_readyz_is_503_when_the_file_store_cannot_take_a_file(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # A real failure: the store's directory replaced by a plain file, so nothing
    # can be created in it (what a lost mount or a wrong path looks like).
    files = settings.resolved_files_dir
    files.parent.mkdir(parents=True, exist_ok=True)
    if files.exists():
        shutil.rmtree(files)
    files.write_bytes(b"not a directory")

    response = await client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["checks"]["store"]) == ("not ready", "unwritable")
    assert body["checks"]["database"] == "ok"


@pytest.fixture
async def unreachable_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app over a PostgreSQL URL nothing listens on."""
    database = Database(UNREACHABLE_POSTGRES, pool_size=1)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, db=database))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await database.dispose()


async def test_readyz_is_503_when_the_database_is_unreachable(
    unreachable_client: httpx.AsyncClient,
) -> None:
    ready = await unreachable_client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "unreachable"
    # the process itself is still alive
    assert (await unreachable_client.get("/healthz")).status_code == 200


# --- metrics ----------------------------------------------------------------------------


async def test_metrics_count_requests_by_route_template(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing_id = (await factory.routing(engineer))["id"]
    missing_id = "987654"
    found = await client.get(f"/api/routings/{routing_id}", headers=engineer.headers)
    assert found.status_code == 200, found.text
    missing = await client.get(f"/api/routings/{missing_id}", headers=engineer.headers)
    assert missing.status_code == 404

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE mcms_http_requests_total counter" in text
    samples = _samples(text, "mcms_http_requests_total")
    by_route = {(s["method"], s["route"], s["status"]): value for s, value in samples}
    assert by_route[("GET", "/api/routings/{id}", "200")] == 1.0
    assert by_route[("GET", "/api/routings/{id}", "404")] == 1.0
    assert by_route[("POST", "/graphql", "200")] >= 1.0
    # never the raw path: each id would be a time series of its own
    routes = {labels["route"] for labels, _ in samples}
    assert f"/api/routings/{routing_id}" not in routes
    assert f"/api/routings/{missing_id}" not in routes
    assert routing_id not in "".join(routes)
    assert "mcms_http_request_duration_seconds_bucket" in text


async def test_metrics_do_not_grow_a_series_per_unknown_path(client: httpx.AsyncClient) -> None:
    for n in range(5):
        await client.get(f"/api/nothing-{n}/here", headers={"Accept": "application/json"})
    text = (await client.get("/metrics")).text
    samples = _samples(text, "mcms_http_requests_total")
    routes = {labels["route"] for labels, _ in samples}
    assert not any("nothing-" in route for route in routes), routes
    # counted under the /api catch-all, not under the SPA's history fallback
    not_found = [(labels, value) for labels, value in samples if labels["status"] == "404"]
    assert [(labels["route"], value) for labels, value in not_found] == [("/api", 5.0)]


_SAMPLE = re.compile(r"^(?P<name>[a-z_]+)\{(?P<labels>.*)\} (?P<value>\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def _samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    found: list[tuple[dict[str, str], float]] = []
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match and match["name"] == name:
            found.append((dict(_LABEL.findall(match["labels"])), float(match["value"])))
    return found


# --- request ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/healthz"), ("GET", "/api/routings/1"), ("POST", "/graphql"), ("GET", "/nope")],
)
async def test_every_response_has_a_request_id(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, content=b"{not json")
    request_id = response.headers.get("x-request-id", "")
    assert re.fullmatch(r"[A-Za-z0-9._\-]{8,64}", request_id), request_id
    again = await client.request(method, path, content=b"{not json")
    assert again.headers["x-request-id"] != request_id  # made up per request


async def test_a_sane_incoming_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42_x"})
    assert response.headers["x-request-id"] == "lb-7f3a.42_x"


async def test_the_request_id_is_the_problem_trace_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/routings/1", headers={"X-Request-ID": "trace-123"})
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "trace-123"
    assert response.json()["traceId"] == "trace-123"


@pytest.mark.parametrize(
    "incoming",
    [
        "abc\r\nSet-Cookie: evil=1",
        "abc\ninjected",
        "x" * 500,
        "",
        "<script>alert(1)</script>",
        "id with spaces",
    ],
    ids=["crlf", "newline", "too-long", "empty", "html", "spaces"],
)
async def test_an_unsafe_incoming_request_id_is_replaced(
    client: httpx.AsyncClient, incoming: str
) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    assert request_id != incoming
    assert re.fullmatch(r"[A-Za-z0-9._\-]{8,64}", request_id), request_id
    assert "set-cookie" not in response.headers
    assert len(response.headers.get_list("x-request-id")) == 1


# --- logs --------------------------------------------------------------------------------


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The real logging setup, into a temporary directory; restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_uvicorn = {
        name: (list(logging.getLogger(name).handlers), logging.getLogger(name).propagate)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
    }
    log_dir = tmp_path / "logs"
    configure_logging(
        level="INFO", log_dir=log_dir, json_lines=True, file_bytes=1_000_000, file_count=2
    )
    installed = list(root.handlers)
    # the test's own HTTP client logs whole URLs; the server is what is under test
    client_logger = logging.getLogger("httpx")
    saved_client_level = client_logger.level
    client_logger.setLevel(logging.WARNING)
    try:
        yield log_dir / "mcms.log"
    finally:
        for handler in installed:
            root.removeHandler(handler)
            handler.close()
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        client_logger.setLevel(saved_client_level)
        for name, (handlers, propagate) in saved_uvicorn.items():
            logging.getLogger(name).handlers = handlers
            logging.getLogger(name).propagate = propagate


def _log_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def _log_entries(path: Path) -> list[dict[str, Any]]:
    lines = [line for line in _log_text(path).splitlines() if line]
    assert lines, "nothing was logged"
    entries: list[dict[str, Any]] = []
    for line in lines:
        entry = json.loads(line)  # every line is one JSON object
        assert isinstance(entry, dict)
        entries.append(entry)
    return entries


async def test_logs_are_json_lines_with_request_ids(
    log_file: Path, client: httpx.AsyncClient
) -> None:
    await client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    await client.get("/api/routings/42", headers={"X-Request-ID": "probe-2"})

    entries = _log_entries(log_file)
    for entry in entries:
        assert {"ts", "level", "logger", "msg", "requestId"} <= entry.keys()
    access = {e["requestId"]: e for e in entries if e["logger"] == "mcms.access"}
    assert access["probe-1"]["path"] == "/healthz"
    assert access["probe-1"]["status"] == 200
    assert access["probe-1"]["method"] == "GET"
    assert isinstance(access["probe-1"]["durationMs"], int | float)
    assert access["probe-2"]["status"] == 401


async def test_logs_never_contain_passwords_tokens_or_cookies(
    log_file: Path, client: httpx.AsyncClient, factory: Factory
) -> None:
    user = await factory.user(Role.ADMIN)
    wrong_password = "Wr0ng-Passw0rd-Canary"
    new_user_password = "N3w-User-Passw0rd-Canary"

    # a sign-in, a failed sign-in, bearer calls, a token in a query string, and a
    # password inside GraphQL variables
    login = await client.post(
        "/auth/login", json={"username": user.username, "password": user.password}
    )
    assert login.status_code == 200, login.text
    session_cookie = login.cookies.get("mcms_session")
    assert session_cookie
    failed = await client.post(
        "/auth/login", json={"username": user.username, "password": wrong_password}
    )
    assert failed.status_code == 401
    client.cookies.clear()
    me = await client.post("/graphql", json={"query": "{ me { username } }"}, headers=user.headers)
    assert me.json()["data"]["me"]["username"] == user.username
    await client.get("/api/items", headers=user.headers)
    await client.get(f"/api/items?access_token={user.token}")
    created = await client.post(
        "/graphql",
        json={
            "query": "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
            "variables": {
                "input": {"username": "newbie", "role": "ENGINEER", "password": new_user_password}
            },
        },
        headers=user.headers,
    )
    assert "errors" not in created.json(), created.text
    await client.get("/healthz", headers={"Authorization": f"Bearer {user.token}"})

    text = _log_text(log_file)
    assert text.count('"mcms.access"') >= 7  # the requests were logged...
    for secret in (user.password, wrong_password, new_user_password, user.token, session_cookie):
        assert secret not in text  # ...their secrets were not
    assert user.token.removeprefix("mcms_") not in text
