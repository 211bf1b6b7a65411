"""Relay connections (``edges { cursor node }``, ``pageInfo``, ``totalCount``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from mcms.core.pagination import Page, PageRequest, encode_cursor

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last edge; pass it as `after` for the next page."
    )


@strawberry.type(description="One item of a list and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque position of this item.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    _total: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of items in the whole list (all pages).")
    async def total_count(self) -> int:
        return await self._total()


def build_connection(
    page: Page[RowT],
    convert: Callable[[RowT], NodeT],
    total: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    edges = [
        Edge(cursor=encode_cursor(page.offset + index), node=convert(row))
        for index, row in enumerate(page.items)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _total=total,
    )


def connection_from_list(
    rows: Sequence[RowT], request: PageRequest, convert: Callable[[RowT], NodeT]
) -> Connection[NodeT]:
    """A page cut from a list already loaded whole (children fetched by a DataLoader)."""
    window = list(rows[request.offset : request.offset + request.limit])
    page = Page(
        items=window, offset=request.offset, has_next=len(rows) > request.offset + len(window)
    )
    count = len(rows)

    async def total() -> int:
        return count

    return build_connection(page, convert, total)
