"""A bare Strawberry ``{ hello }`` server: the baseline for ``bench/routings_list.py``.

It is served the way ``mcms serve`` serves MCMS (Starlette routing, Strawberry's
ASGI view, uvicorn with the same options), minus everything MCMS adds: no
database, no authentication, no middleware, no domain resolvers. What MCMS
costs on top of this is the price of the domain layer.

    .venv/bin/python bench/bare_strawberry.py --port 8001 --workers 1
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp
from strawberry.asgi import GraphQL


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "Hello, world!"


class CompactGraphQL(GraphQL[None, None]):
    """Encodes JSON like MCMS's endpoint (compact, no ASCII escaping)."""

    def encode_json(self, data: object) -> str:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


async def readyz(_: Request) -> Response:
    return JSONResponse({"status": "ready"})


def create_app() -> ASGIApp:
    schema = strawberry.Schema(query=Query)
    graphql = CompactGraphQL(schema, graphql_ide=None)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bare_strawberry:create_app",
        factory=True,
        app_dir=str(Path(__file__).resolve().parent),
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
