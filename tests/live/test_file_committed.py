"""``fileCommitted`` and the SSE ``file.committed`` event: a finished upload, once
verified and scanned, reaches the pages that show the routing's files."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tests.factories import Factory
from tests.files.support import drain_worker, engineer_with_routing, upload_whole
from tests.live.test_subscriptions import _acked, _bearer, _next_payloads, _subscribe, _transport_ws

FILES = """
subscription Files($routingId: ID, $since: String) {
  fileCommitted(routingId: $routingId, since: $since) {
    eventId fileId routingId logicalName revision size sha256 scanStatus
  }
}
"""


async def test_a_committed_upload_is_replayed_and_pushed(
    factory: Factory, app: Any, server_url: str
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    data = b"G0 X0 Y0\n" * 1000

    # One upload before subscribing (replayed from since=0), one after (live);
    # one to another routing, which the filter leaves out.
    await upload_whole(factory.client, engineer, routing["id"], data, filename="O1.nc")
    await drain_worker(app)
    async with _transport_ws(server_url, _bearer(engineer)) as ws:
        await _acked(ws)
        await _subscribe(ws, FILES, {"routingId": routing["id"], "since": "0"})
        [replayed] = await _next_payloads(ws, 1)
        async with httpx.AsyncClient(base_url=server_url) as client:
            owner = await factory.user()
            theirs = await factory.routing(owner)
            await upload_whole(client, owner, theirs["id"], b"x" * 10, filename="elsewhere.nc")
            await upload_whole(client, engineer, routing["id"], data + b"M30\n", filename="O1.nc")
        await drain_worker(app)
        [pushed] = await asyncio.wait_for(_next_payloads(ws, 1), 10)

    first = replayed["data"]["fileCommitted"]
    second = pushed["data"]["fileCommitted"]
    assert (first["logicalName"], first["revision"], first["size"]) == ("O1.nc", 1, len(data))
    assert (second["logicalName"], second["revision"]) == ("O1.nc", 2)
    assert first["routingId"] == second["routingId"] == routing["id"]
    assert first["scanStatus"] in ("CLEAN", "SKIPPED")
    assert int(second["eventId"]) > int(first["eventId"])
    file = await factory.gql(
        "query($id: ID!) { file(id: $id) { sha256 } }", {"id": second["fileId"]}, as_=engineer
    )
    assert file["data"]["file"]["sha256"] == second["sha256"]


async def test_the_sse_updates_stream_carries_it(
    factory: Factory, app: Any, server_url: str
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    await upload_whole(factory.client, engineer, routing["id"], b"abc" * 100, filename="a.esp")
    await drain_worker(app)

    async with (
        asyncio.timeout(10),
        httpx.AsyncClient(base_url=server_url, headers=engineer.headers) as client,
        client.stream("GET", "/events/updates", params={"lastEventId": "0"}) as stream,
    ):
        frame: dict[str, str] = {}
        async for line in stream.aiter_lines():
            if line.startswith(("event:", "data:")):
                key, _, value = line.partition(":")
                frame[key] = value.strip()
            if frame.get("event") == "file.committed" and "data" in frame:
                break
            if line == "":
                frame = {}
    payload = json.loads(frame["data"])
    assert payload["routingId"] == routing["id"]
    assert payload["logicalName"] == "a.esp"
