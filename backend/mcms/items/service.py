"""Items and revisions. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.auth import Permission, Principal, require
from mcms.core.db import add_unique
from mcms.core.errors import NotFound
from mcms.core.pagination import Page, PageRequest
from mcms.core.validation import clean_code, clean_text
from mcms.items.models import Item, Revision

ITEM_CODE_MAX = 64
REVISION_CODE_MAX = 16
NAME_MAX = 200
DESCRIPTION_MAX = 10_000
SEARCH_MAX = 200

items_table = cast(Table, Item.__table__)
revisions_table = cast(Table, Revision.__table__)


async def create_item(
    *, session: AsyncSession, actor: Principal, item_code: str, name: str, description: str = ""
) -> Item:
    require(actor, Permission.CREATE_ITEM)
    item = Item(
        item_code=clean_code(item_code, "itemCode", max_length=ITEM_CODE_MAX),
        name=clean_text(name, "name", max_length=NAME_MAX, required=True),
        description=clean_text(description, "description", max_length=DESCRIPTION_MAX),
        created_by_id=actor.user_id,
    )
    await add_unique(session, item, f"An item with code {item.item_code!r} already exists.")
    return item


async def create_revision(
    *, session: AsyncSession, actor: Principal, item_id: int, code: str, description: str = ""
) -> Revision:
    require(actor, Permission.CREATE_ITEM)
    await get_item(session=session, item_id=item_id)
    revision = Revision(
        item_id=item_id,
        code=clean_code(code, "code", max_length=REVISION_CODE_MAX),
        description=clean_text(description, "description", max_length=DESCRIPTION_MAX),
        created_by_id=actor.user_id,
    )
    await add_unique(session, revision, f"Revision {revision.code!r} already exists on this item.")
    return revision


async def get_item(*, session: AsyncSession, item_id: int) -> Row[Any]:
    row = (await session.execute(select(items_table).where(items_table.c.id == item_id))).first()
    if row is None:
        raise NotFound(f"Item {item_id} does not exist.")
    return row


async def get_revision(*, session: AsyncSession, revision_id: int) -> Row[Any]:
    query = select(revisions_table).where(revisions_table.c.id == revision_id)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(f"Revision {revision_id} does not exist.")
    return row


def _matches(search: str) -> ColumnElement[bool]:
    term = f"%{clean_text(search, 'search', max_length=SEARCH_MAX).lower()}%"
    return or_(
        func.lower(items_table.c.item_code).like(term),
        func.lower(items_table.c.name).like(term),
    )


ITEM_SORTS = {
    "itemCode": items_table.c.item_code,
    "name": items_table.c.name,
    "createdAt": items_table.c.created_at,
}


async def search_items(
    *,
    session: AsyncSession,
    search: str | None,
    page: PageRequest,
    sort: str = "itemCode",
    descending: bool = False,
) -> Page[Row[Any]]:
    """Items whose code or name contains ``search`` (case-insensitive)."""
    query = select(items_table)
    if search:
        query = query.where(_matches(search))
    column = ITEM_SORTS[sort]
    query = query.order_by(column.desc() if descending else column, items_table.c.id)
    rows = (await session.execute(query.offset(page.offset).limit(page.limit + 1))).all()
    return Page(items=list(rows[: page.limit]), offset=page.offset, has_next=len(rows) > page.limit)


async def count_items(*, session: AsyncSession, search: str | None) -> int:
    query = select(func.count()).select_from(items_table)
    if search:
        query = query.where(_matches(search))
    return int(await session.scalar(query) or 0)


async def revisions_for_items(*, session: AsyncSession, item_ids: Sequence[int]) -> list[Row[Any]]:
    query = (
        select(revisions_table)
        .where(revisions_table.c.item_id.in_(item_ids))
        .order_by(revisions_table.c.code)
    )
    return list((await session.execute(query)).all())


async def items_by_ids(*, session: AsyncSession, item_ids: Sequence[int]) -> list[Row[Any]]:
    query = select(items_table).where(items_table.c.id.in_(item_ids))
    return list((await session.execute(query)).all())


async def revisions_by_ids(*, session: AsyncSession, revision_ids: Sequence[int]) -> list[Row[Any]]:
    query = select(revisions_table).where(revisions_table.c.id.in_(revision_ids))
    return list((await session.execute(query)).all())
