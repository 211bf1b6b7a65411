"""Helpers for the file tests: tus requests through the in-process app."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx

from tests.factories import Factory, TestUser

TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_STREAM = {"Content-Type": "application/offset+octet-stream"}


def metadata(**values: str) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items()
    )


def checksum(data: bytes, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm} {base64.b64encode(digest).decode()}"


async def create_upload(
    client: httpx.AsyncClient,
    user: TestUser,
    routing_id: str,
    size: int,
    *,
    filename: str = "part.esp",
    **extra: str,
) -> httpx.Response:
    headers = {
        **TUS,
        **user.headers,
        "Upload-Length": str(size),
        "Upload-Metadata": metadata(filename=filename, routingId=routing_id, **extra),
    }
    return await client.post("/api/uploads", headers=headers)


async def patch(
    client: httpx.AsyncClient,
    user: TestUser,
    location: str,
    offset: int,
    data: bytes,
    *,
    with_checksum: bool = True,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {**TUS, **OFFSET_STREAM, **user.headers, "Upload-Offset": str(offset)}
    if with_checksum:
        sent["Upload-Checksum"] = checksum(data)
    sent.update(headers or {})
    return await client.patch(location, headers=sent, content=data)


async def head(client: httpx.AsyncClient, user: TestUser, location: str) -> httpx.Response:
    return await client.head(location, headers={**TUS, **user.headers})


async def upload_whole(
    client: httpx.AsyncClient,
    user: TestUser,
    routing_id: str,
    data: bytes,
    *,
    chunk: int = 64 * 1024,
    filename: str = "part.esp",
) -> str:
    created = await create_upload(client, user, routing_id, len(data), filename=filename)
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    for start in range(0, len(data), chunk):
        answer = await patch(client, user, location, start, data[start : start + chunk])
        assert answer.status_code == 204, answer.text
    return location


async def engineer_with_routing(factory: Factory) -> tuple[TestUser, dict[str, Any]]:
    engineer = await factory.user()
    routing = await factory.routing(engineer)
    return engineer, routing


async def drain_worker(app: Any) -> None:
    """Run the worker's due commands now (the in-process test app has no lifespan,
    so its worker is not running on its own)."""
    while await app.state.worker.run_once():
        pass
