"""GraphQL for items and revisions (the top of the explorer tree)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row

from mcms.core.auth import Permission
from mcms.core.pagination import PageRequest
from mcms.core.validation import parse_id
from mcms.graphql.context import Info
from mcms.graphql.loaders import required
from mcms.graphql.relay import Connection, build_connection, connection_from_list
from mcms.items import service
from mcms.routings.enums import RoutingStatusEnum
from mcms.users.schema import User

if TYPE_CHECKING:
    from mcms.routings.schema import Routing

LazyRouting = Annotated["Routing", strawberry.lazy("mcms.routings.schema")]


@strawberry.type(description="A part the shop makes; it has revisions A, B, ….")
class Item:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    item_code: str = strawberry.field(description="The shop's part number (unique).")
    name: str = strawberry.field(description="Part name.")
    description: str = strawberry.field(description="Free text.")
    created_at: datetime = strawberry.field(description="When it was created.")
    created_by_id: strawberry.Private[int]

    @strawberry.field(description="Who created it.")
    async def created_by(self, info: Info) -> User:
        row = await info.context.loaders.user.load(self.created_by_id)
        return User.from_row(required(row, "user"))

    @strawberry.field(description="The item's revisions, by code.")
    async def revisions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Revision]:
        request = PageRequest.from_relay(first, after)
        rows = await info.context.loaders.revisions_of_item.load(int(self.id))
        return connection_from_list(rows, request, Revision.from_row)

    @classmethod
    def from_row(cls, row: Row[Any]) -> Item:
        return cls(
            id=strawberry.ID(str(row.id)),
            item_code=row.item_code,
            name=row.name,
            description=row.description,
            created_at=row.created_at,
            created_by_id=row.created_by_id,
        )


@strawberry.type(description="A revision of an item; it holds one or more routings.")
class Revision:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    code: str = strawberry.field(description="Revision code: A, B, … (unique within the item).")
    description: str = strawberry.field(description="Free text.")
    created_at: datetime = strawberry.field(description="When it was created.")
    item_id: strawberry.Private[int]

    @strawberry.field(description="The item this is a revision of.")
    async def item(self, info: Info) -> Item:
        row = await info.context.loaders.item.load(self.item_id)
        return Item.from_row(required(row, "item"))

    @strawberry.field(description="The revision's routings, by code; optionally one status.")
    async def routings(
        self,
        info: Info,
        status: RoutingStatusEnum | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[LazyRouting]:
        from mcms.routings.schema import Routing

        request = PageRequest.from_relay(first, after)
        rows = await info.context.loaders.routings_of_revision.load(int(self.id))
        if status is not None:
            rows = [r for r in rows if r.status == status]
        return connection_from_list(rows, request, Routing.from_row)

    @classmethod
    def from_row(cls, row: Row[Any]) -> Revision:
        return cls(
            id=strawberry.ID(str(row.id)),
            code=row.code,
            description=row.description,
            created_at=row.created_at,
            item_id=row.item_id,
        )


@strawberry.input(description="A new item.")
class CreateItemInput:
    item_code: str = strawberry.field(description="Part number, unique; up to 64 characters.")
    name: str = strawberry.field(description="Part name; up to 200 characters.")
    description: str = strawberry.field(default="", description="Free text.")


@strawberry.input(description="A new revision of an item.")
class CreateRevisionInput:
    code: str = strawberry.field(description="Revision code (A, B, …), unique within the item.")
    description: str = strawberry.field(default="", description="Free text.")


@strawberry.type
class ItemQuery:
    @strawberry.field(description="Items whose code or name contains `search`, by item code.")
    async def items(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Item]:
        info.context.require(Permission.READ)
        request = PageRequest.from_relay(first, after)
        async with info.context.db.read_session() as session:
            page = await service.search_items(session=session, search=search, page=request)

        async def total() -> int:
            async with info.context.db.read_session() as session:
                return await service.count_items(session=session, search=search)

        return build_connection(page, Item.from_row, total)

    @strawberry.field(description="One item; `NOT_FOUND` if there is none with that id.")
    async def item(self, info: Info, id: strawberry.ID) -> Item | None:
        info.context.require(Permission.READ)
        async with info.context.db.read_session() as session:
            return Item.from_row(await service.get_item(session=session, item_id=parse_id(id)))

    @strawberry.field(description="One revision; `NOT_FOUND` if there is none with that id.")
    async def revision(self, info: Info, id: strawberry.ID) -> Revision | None:
        info.context.require(Permission.READ)
        async with info.context.db.read_session() as session:
            row = await service.get_revision(session=session, revision_id=parse_id(id))
            return Revision.from_row(row)


@strawberry.type
class ItemMutation:
    @strawberry.mutation(description="Create an item (engineers, administrators).")
    async def create_item(self, info: Info, input: CreateItemInput) -> Item:
        actor = info.context.require(Permission.CREATE_ITEM)
        async with info.context.db.unit_of_work() as session:
            item = await service.create_item(
                session=session,
                actor=actor,
                item_code=input.item_code,
                name=input.name,
                description=input.description,
            )
            return Item.from_row(await service.get_item(session=session, item_id=item.id))

    @strawberry.mutation(description="Add a revision to an item (engineers, administrators).")
    async def create_revision(
        self, info: Info, item_id: strawberry.ID, input: CreateRevisionInput
    ) -> Revision:
        actor = info.context.require(Permission.CREATE_ITEM)
        async with info.context.db.unit_of_work() as session:
            revision = await service.create_revision(
                session=session,
                actor=actor,
                item_id=parse_id(item_id, "itemId"),
                code=input.code,
                description=input.description,
            )
            row = await service.get_revision(session=session, revision_id=revision.id)
            return Revision.from_row(row)
