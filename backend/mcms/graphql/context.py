"""The GraphQL context: built once per HTTP request (once per WebSocket connection)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from mcms.core.auth import Permission, Principal, require
from mcms.core.db import Database
from mcms.graphql.loaders import Loaders
from mcms.live.hub import EventHub
from mcms.settings import Settings


@dataclass
class Context:
    request: HTTPConnection
    response: Response | WebSocket | None
    db: Database
    settings: Settings
    principal: Principal | None
    hub: EventHub
    connection_params: dict[str, object] | None = None
    """The WebSocket ``connection_init`` payload (Strawberry fills it in)."""
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db)

    def require(self, permission: Permission) -> Principal:
        return require(self.principal, permission)


Info = StrawberryInfo[Context, None]
