"""Add-in parameter sets: kept by administrators per item, revision or routing,
versioned, every version kept with who saved it. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Row, Table, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.addin_jobs.models import AddinParameterSet, AddinParameterSetVersion, ParameterScope
from mcms.core.auth import Permission, Principal, require
from mcms.core.db import utcnow
from mcms.core.errors import Conflict, InvalidArgument
from mcms.core.validation import clean_text
from mcms.items import service as items
from mcms.routings import service as routings

MAX_PARAMETERS = 200
KEY_MAX = 100
VALUE_MAX = 2_000

sets_table = cast(Table, AddinParameterSet.__table__)
versions_table = cast(Table, AddinParameterSetVersion.__table__)

# Later scopes override earlier ones: the more specific setting wins.
MERGE_ORDER = (ParameterScope.ITEM, ParameterScope.REVISION, ParameterScope.ROUTING)


def clean_parameters(parameters: Mapping[str, Any], field: str = "parameters") -> dict[str, str]:
    """String → string, bounded, no control characters."""
    if not isinstance(parameters, Mapping):
        raise InvalidArgument(f"{field} must be an object of text values.")
    if len(parameters) > MAX_PARAMETERS:
        raise InvalidArgument(f"{field} has more than {MAX_PARAMETERS} entries.")
    cleaned: dict[str, str] = {}
    for key, value in parameters.items():
        name = clean_text(key, f"{field} key", max_length=KEY_MAX, required=True)
        if not isinstance(value, str):
            raise InvalidArgument(f"{field}[{name!r}] must be text.")
        cleaned[name] = clean_text(value, f"{field}[{name!r}]", max_length=VALUE_MAX)
    return cleaned


async def _check_target(session: AsyncSession, scope: ParameterScope, target_id: int) -> None:
    """NOT_FOUND unless the item, revision or routing exists."""
    if scope is ParameterScope.ITEM:
        await items.get_item(session=session, item_id=target_id)
    elif scope is ParameterScope.REVISION:
        await items.get_revision(session=session, revision_id=target_id)
    else:
        await routings.get_routing(session=session, routing_id=target_id)


async def get_set(
    *, session: AsyncSession, scope: ParameterScope, target_id: int
) -> Row[Any] | None:
    query = select(sets_table).where(
        sets_table.c.scope == scope, sets_table.c.target_id == target_id
    )
    return (await session.execute(query)).one_or_none()


async def versions_of(*, session: AsyncSession, set_id: int) -> list[Row[Any]]:
    """Every saved version, newest first."""
    query = (
        select(versions_table)
        .where(versions_table.c.set_id == set_id)
        .order_by(versions_table.c.version.desc())
    )
    return list((await session.execute(query)).all())


async def save_set(
    *,
    session: AsyncSession,
    actor: Principal,
    scope: ParameterScope,
    target_id: int,
    parameters: Mapping[str, Any],
    expected_version: int | None,
) -> Row[Any]:
    """Replace a set's parameters, as a new version (administrators).

    ``expected_version`` is the version the administrator edited (``0`` or ``None``
    for a set that does not exist yet); anything else is ``CONFLICT``, so two
    administrators editing at once never overwrite each other silently.
    """
    require(actor, Permission.MANAGE_ADDIN_PARAMETERS)
    cleaned = clean_parameters(parameters)
    await _check_target(session, scope, target_id)
    current = await get_set(session=session, scope=scope, target_id=target_id)
    now = utcnow()
    if current is None:
        if expected_version not in (None, 0):
            raise Conflict("This parameter set does not exist yet; send expectedVersion 0.")
        set_id = await _insert_set(session, actor, scope, target_id, cleaned)
        version = 1
    else:
        if expected_version is not None and expected_version != current.version:
            raise Conflict(
                f"The parameter set is at version {current.version}, not {expected_version}: "
                "someone else changed it. Reload and edit again."
            )
        version = current.version + 1
        result = await session.execute(
            update(sets_table)
            .where(sets_table.c.id == current.id, sets_table.c.version == current.version)
            .values(parameters=cleaned, version=version, updated_by=actor.username, updated_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("Someone else changed the parameter set at the same moment.")
        set_id = current.id
    await session.execute(
        versions_table.insert().values(
            set_id=set_id,
            version=version,
            parameters=cleaned,
            saved_by=actor.username,
            saved_at=now,
        )
    )
    saved = await get_set(session=session, scope=scope, target_id=target_id)
    assert saved is not None  # noqa: S101 - written just above, in this transaction
    return saved


async def _insert_set(
    session: AsyncSession,
    actor: Principal,
    scope: ParameterScope,
    target_id: int,
    parameters: dict[str, str],
) -> int:
    try:
        async with session.begin_nested():
            result = await session.execute(
                sets_table.insert()
                .values(
                    scope=scope,
                    target_id=target_id,
                    parameters=parameters,
                    version=1,
                    updated_by=actor.username,
                    updated_at=utcnow(),
                )
                .returning(sets_table.c.id)
            )
            return int(result.scalar_one())
    except IntegrityError as exc:
        raise Conflict("Someone else created this parameter set at the same moment.") from exc


async def effective_for_routing(*, session: AsyncSession, routing_id: int) -> dict[str, str]:
    """The merged parameters a job for this routing gets: item, then revision, then
    routing, the more specific overriding the less."""
    routing = await routings.get_routing(session=session, routing_id=routing_id)
    revision = await items.get_revision(session=session, revision_id=routing.revision_id)
    targets = {
        ParameterScope.ITEM: revision.item_id,
        ParameterScope.REVISION: revision.id,
        ParameterScope.ROUTING: routing.id,
    }
    query = select(sets_table.c.scope, sets_table.c.parameters).where(
        or_(
            *(
                and_(sets_table.c.scope == s, sets_table.c.target_id == t)
                for s, t in targets.items()
            )
        )
    )
    found = {row.scope: row.parameters for row in (await session.execute(query)).all()}
    merged: dict[str, str] = {}
    for scope in MERGE_ORDER:
        merged.update(found.get(scope, {}))
    return merged
