"""Per-request DataLoaders: one query per kind of child for a whole page.

Each batch opens its own short read session, because fields resolve
concurrently and an AsyncSession must never be shared between tasks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from mcms.addin_jobs import service as addin_jobs
from mcms.core.db import Database
from mcms.files import service as files
from mcms.files.service import StoredFile
from mcms.history import service as history
from mcms.items import service as items
from mcms.routings import service as routings
from mcms.users.models import User

K = TypeVar("K")
T = TypeVar("T")


def _grouped(
    db: Database,
    fetch: Callable[[AsyncSession, list[int]], Awaitable[Sequence[T]]],
    key: str,
) -> DataLoader[int, list[T]]:
    """A loader returning, for each parent id, the list of its children rows."""

    async def load(parent_ids: list[int]) -> list[list[T]]:
        async with db.read_session() as session:
            rows = await fetch(session, parent_ids)
        groups: dict[int, list[T]] = defaultdict(list)
        for row in rows:
            groups[getattr(row, key)].append(row)
        return [groups.get(parent_id, []) for parent_id in parent_ids]

    return DataLoader(load_fn=load)


def _by_id(
    db: Database,
    fetch: Callable[[AsyncSession, list[K]], Awaitable[Sequence[T]]],
    key: str = "id",
) -> DataLoader[K, T | None]:
    """A loader returning the row whose ``key`` is each id (or ``None``)."""

    async def load(ids: list[K]) -> list[T | None]:
        async with db.read_session() as session:
            rows = {getattr(row, key): row for row in await fetch(session, ids)}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


async def _users(session: AsyncSession, ids: list[int]) -> Sequence[Row[Any]]:
    table = User.__table__
    query = (
        table.select()
        .with_only_columns(
            table.c.id,
            table.c.username,
            table.c.display_name,
            table.c.role,
            table.c.is_active,
            table.c.created_at,
        )
        .where(table.c.id.in_(ids))
    )
    rows: Sequence[Row[Any]] = (await session.execute(query)).all()  # type: ignore[assignment]
    return rows


def required(row: Row[Any] | None, what: str) -> Row[Any]:
    """A row a foreign key guarantees; its absence is a bug, reported as INTERNAL."""
    if row is None:
        raise LookupError(f"{what} referenced by a foreign key is missing")
    return row


class Loaders:
    """Created lazily, once per request; unused loaders cost nothing."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @cached_property
    def user(self) -> DataLoader[int, Row[Any] | None]:
        return _by_id(self._db, _users)

    @cached_property
    def item(self) -> DataLoader[int, Row[Any] | None]:
        return _by_id(self._db, lambda s, ids: items.items_by_ids(session=s, item_ids=ids))

    @cached_property
    def revision(self) -> DataLoader[int, Row[Any] | None]:
        return _by_id(self._db, lambda s, ids: items.revisions_by_ids(session=s, revision_ids=ids))

    @cached_property
    def routing(self) -> DataLoader[int, Row[Any] | None]:
        return _by_id(self._db, lambda s, ids: routings.routings_by_ids(session=s, routing_ids=ids))

    @cached_property
    def revisions_of_item(self) -> DataLoader[int, list[Row[Any]]]:
        return _grouped(
            self._db, lambda s, ids: items.revisions_for_items(session=s, item_ids=ids), "item_id"
        )

    @cached_property
    def routings_of_revision(self) -> DataLoader[int, list[Row[Any]]]:
        return _grouped(
            self._db,
            lambda s, ids: routings.routings_for_revisions(session=s, revision_ids=ids),
            "revision_id",
        )

    @cached_property
    def steps_of_routing(self) -> DataLoader[int, list[Row[Any]]]:
        return _grouped(
            self._db,
            lambda s, ids: routings.steps_for_routings(session=s, routing_ids=ids),
            "routing_id",
        )

    @cached_property
    def history_of_routing(self) -> DataLoader[int, list[Row[Any]]]:
        return _grouped(
            self._db,
            lambda s, ids: history.entries_for_routings(session=s, routing_ids=ids),
            "routing_id",
        )

    @cached_property
    def addin_jobs_of_routing(self) -> DataLoader[int, list[Row[Any]]]:
        return _grouped(
            self._db,
            lambda s, ids: addin_jobs.jobs_for_routings(session=s, routing_ids=ids),
            "routing_id",
        )

    @cached_property
    def files_of_routing(self) -> DataLoader[int, list[StoredFile]]:
        return _grouped(
            self._db,
            lambda s, ids: files.files_for_routings(session=s, routing_ids=ids),
            "routing_id",
        )

    @cached_property
    def file_of_upload(self) -> DataLoader[str, StoredFile | None]:
        return _by_id(
            self._db,
            lambda s, ids: files.files_of_uploads(session=s, upload_ids=ids),
            "upload_session_id",
        )
