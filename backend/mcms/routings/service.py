"""Routings and their steps. Callers own the transaction.

Reads return SQLAlchemy Core rows (cheap to build: a page of 50 routings with
250 steps is three queries and no ORM identity map); writes go through
conditional UPDATEs so concurrent edits are detected, never lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.approvals.workflow import is_editable
from mcms.core.auth import Permission, Principal, require
from mcms.core.db import add_unique, utcnow
from mcms.core.errors import Conflict, Forbidden, InvalidArgument, NotFound
from mcms.core.pagination import Page, PageRequest
from mcms.core.validation import clean_code, clean_minutes, clean_text
from mcms.history import service as history
from mcms.history.models import HistoryType
from mcms.items import service as items
from mcms.routings.models import Routing, RoutingStatus, RoutingStep

CODE_MAX = 64
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
STEP_NAME_MAX = 200
STEP_PLACE_MAX = 100
STEP_TEXT_MAX = 10_000
MAX_STEPS = 500
MAX_STEP_PARAMETERS = 100
PARAMETER_KEY_MAX = 100
PARAMETER_VALUE_MAX = 2_000
SEQUENCE_STEP = 10
"""Steps are numbered 10, 20, 30 … in their order, as shop routings usually are."""

routings_table = cast(Table, Routing.__table__)
steps_table = cast(Table, RoutingStep.__table__)


@dataclass(frozen=True, slots=True)
class StepData:
    """One step as the caller wants it; ``id`` keeps an existing step's identity."""

    name: str
    id: int | None = None
    work_center: str = ""
    machine: str = ""
    description: str = ""
    setup_minutes: float = 0.0
    cycle_minutes: float = 0.0
    tooling_notes: str = ""
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RoutingChanges:
    """Fields to change; ``None`` leaves a field as it is. ``steps`` replaces the
    whole ordered list (that is also how steps are reordered)."""

    code: str | None = None
    title: str | None = None
    description: str | None = None
    steps: Sequence[StepData] | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in (self.code, self.title, self.description, self.steps))


# --- validation -----------------------------------------------------------------


def _clean_parameters(parameters: dict[str, str], where: str) -> dict[str, str]:
    if len(parameters) > MAX_STEP_PARAMETERS:
        raise InvalidArgument(f"{where} has more than {MAX_STEP_PARAMETERS} parameters.")
    return {
        clean_text(key, f"{where} parameter key", max_length=PARAMETER_KEY_MAX, required=True): (
            clean_text(value, f"{where} parameter {key!r}", max_length=PARAMETER_VALUE_MAX)
        )
        for key, value in parameters.items()
    }


def _clean_step(step: StepData, index: int) -> dict[str, Any]:
    where = f"steps[{index}]"
    return {
        "name": clean_text(step.name, f"{where}.name", max_length=STEP_NAME_MAX, required=True),
        "work_center": clean_text(
            step.work_center, f"{where}.workCenter", max_length=STEP_PLACE_MAX
        ),
        "machine": clean_text(step.machine, f"{where}.machine", max_length=STEP_PLACE_MAX),
        "description": clean_text(
            step.description, f"{where}.description", max_length=STEP_TEXT_MAX
        ),
        "setup_minutes": clean_minutes(step.setup_minutes, f"{where}.setupMinutes"),
        "cycle_minutes": clean_minutes(step.cycle_minutes, f"{where}.cycleMinutes"),
        "tooling_notes": clean_text(
            step.tooling_notes, f"{where}.toolingNotes", max_length=STEP_TEXT_MAX
        ),
        "parameters": _clean_parameters(step.parameters, where),
        "position": index,
        "sequence": (index + 1) * SEQUENCE_STEP,
    }


CleanStep = tuple[int | None, dict[str, Any]]
"""A validated step: the existing id it asks to keep (if any) and its column values."""


def _clean_steps(steps: Sequence[StepData]) -> list[CleanStep]:
    if len(steps) > MAX_STEPS:
        raise InvalidArgument(f"A routing holds at most {MAX_STEPS} steps.")
    ids = [s.id for s in steps if s.id is not None]
    if len(ids) != len(set(ids)):
        raise InvalidArgument("The same step id appears twice in steps.")
    return [(step.id, _clean_step(step, index)) for index, step in enumerate(steps)]


# --- writes -------------------------------------------------------------------------


async def create_routing(
    *,
    session: AsyncSession,
    actor: Principal,
    revision_id: int,
    code: str,
    title: str,
    description: str = "",
    steps: Sequence[StepData] = (),
) -> int:
    """A new ``DRAFT`` routing owned by ``actor``; returns its id."""
    require(actor, Permission.CREATE_ROUTING)
    await items.get_revision(session=session, revision_id=revision_id)
    routing = Routing(
        revision_id=revision_id,
        code=clean_code(code, "code", max_length=CODE_MAX),
        title=clean_text(title, "title", max_length=TITLE_MAX, required=True),
        description=clean_text(description, "description", max_length=DESCRIPTION_MAX),
        owner_id=actor.user_id,
        status=RoutingStatus.DRAFT,
        version=1,
    )
    clean_steps = _clean_steps(steps)
    await add_unique(session, routing, f"Routing {routing.code!r} already exists on this revision.")
    await _insert_steps(session, routing.id, [values for _, values in clean_steps])
    await history.record(
        session=session,
        routing_id=routing.id,
        type=HistoryType.ROUTING_CREATED,
        actor=actor.username,
        message=f"Created routing {routing.code} with {len(clean_steps)} step(s).",
        data={"version": 1},
    )
    return routing.id


async def update_routing(
    *,
    session: AsyncSession,
    actor: Principal,
    routing_id: int,
    expected_version: int,
    changes: RoutingChanges,
) -> None:
    """Apply ``changes`` if the routing is still at ``expected_version`` and editable.

    The version check is part of the UPDATE itself, so of two editors holding
    the same version exactly one wins and the other gets ``CONFLICT``.
    """
    require(actor, Permission.EDIT_ROUTING)
    current = await get_routing(session=session, routing_id=routing_id)
    check_may_edit(actor, current)
    if changes.is_empty():
        raise InvalidArgument("Nothing to change: give at least one field.")
    values = _field_values(changes)
    clean_steps = _clean_steps(changes.steps) if changes.steps is not None else None
    await bump_version(
        session=session,
        routing_id=routing_id,
        expected_version=expected_version,
        allowed_statuses=(RoutingStatus.DRAFT, RoutingStatus.REJECTED),
        values=values,
    )
    if clean_steps is not None:
        await _replace_steps(session, routing_id, clean_steps)
    changed = sorted([*values, *(["steps"] if clean_steps is not None else [])])
    await history.record(
        session=session,
        routing_id=routing_id,
        type=HistoryType.ROUTING_UPDATED,
        actor=actor.username,
        message="Changed " + ", ".join(changed) + ".",
        data={"fields": changed, "version": expected_version + 1},
    )


def check_may_edit(actor: Principal, routing: Row[Any]) -> None:
    if routing.owner_id != actor.user_id and not actor.can(Permission.EDIT_ANY_ROUTING):
        raise Forbidden("Only the routing's owner (or an administrator) may change it.")
    if not is_editable(routing.status):
        raise Conflict(
            f"A routing in {routing.status} cannot be edited; only DRAFT and REJECTED can.",
            status=str(routing.status),
        )


def _field_values(changes: RoutingChanges) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if changes.code is not None:
        values["code"] = clean_code(changes.code, "code", max_length=CODE_MAX)
    if changes.title is not None:
        values["title"] = clean_text(changes.title, "title", max_length=TITLE_MAX, required=True)
    if changes.description is not None:
        values["description"] = clean_text(
            changes.description, "description", max_length=DESCRIPTION_MAX
        )
    return values


async def bump_version(
    *,
    session: AsyncSession,
    routing_id: int,
    expected_version: int,
    allowed_statuses: Sequence[RoutingStatus],
    values: dict[str, Any],
) -> None:
    """The one conditional UPDATE behind every change: it applies ``values`` and
    bumps ``version`` only if nobody changed the routing since ``expected_version``
    and it is still in one of ``allowed_statuses``; otherwise ``CONFLICT``."""
    statement = (
        update(routings_table)
        .where(
            routings_table.c.id == routing_id,
            routings_table.c.version == expected_version,
            routings_table.c.status.in_([s.value for s in allowed_statuses]),
        )
        .values(version=routings_table.c.version + 1, updated_at=utcnow(), **values)
    )
    try:
        async with session.begin_nested():
            result = await session.execute(statement)
    except IntegrityError as exc:
        raise Conflict("Another routing on this revision already has that code.") from exc
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "The routing was changed by someone else; reload it and apply your change again.",
            expectedVersion=expected_version,
        )


async def _insert_steps(
    session: AsyncSession, routing_id: int, steps: Sequence[dict[str, Any]]
) -> None:
    if steps:
        await session.execute(
            steps_table.insert(), [{**s, "routing_id": routing_id} for s in steps]
        )


async def _replace_steps(session: AsyncSession, routing_id: int, steps: list[CleanStep]) -> None:
    """Make the stored steps equal ``steps``: keep (and update) those that name an
    existing id, delete the rest, insert the new ones."""
    query = select(steps_table.c.id).where(steps_table.c.routing_id == routing_id)
    existing = set(await session.scalars(query))
    unknown = [wanted for wanted, _ in steps if wanted is not None and wanted not in existing]
    if unknown:
        raise InvalidArgument(f"Step {unknown[0]} does not belong to routing {routing_id}.")
    kept = {wanted: values for wanted, values in steps if wanted is not None}
    removed = existing - kept.keys()
    if removed:
        await session.execute(steps_table.delete().where(steps_table.c.id.in_(removed)))
    for step_id, values in kept.items():
        await session.execute(
            update(steps_table).where(steps_table.c.id == step_id).values(**values)
        )
    await _insert_steps(session, routing_id, [values for wanted, values in steps if wanted is None])


# --- reads ------------------------------------------------------------------------


async def get_routing(*, session: AsyncSession, routing_id: int) -> Row[Any]:
    query = select(routings_table).where(routings_table.c.id == routing_id)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(f"Routing {routing_id} does not exist.")
    return row


def _routing_filter(
    status: RoutingStatus | None, search: str | None, owner_id: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(routings_table.c.status == status.value)
    if owner_id is not None:
        conditions.append(routings_table.c.owner_id == owner_id)
    if search:
        term = f"%{clean_text(search, 'search', max_length=200).lower()}%"
        conditions.append(
            or_(
                func.lower(routings_table.c.code).like(term),
                func.lower(routings_table.c.title).like(term),
            )
        )
    return conditions


async def search_routings(
    *,
    session: AsyncSession,
    page: PageRequest,
    status: RoutingStatus | None = None,
    search: str | None = None,
    owner_id: int | None = None,
) -> Page[Row[Any]]:
    """Routings, newest first, optionally by status, owner, code/title text."""
    query = (
        select(routings_table)
        .where(*_routing_filter(status, search, owner_id))
        .order_by(routings_table.c.id.desc())
        .offset(page.offset)
        .limit(page.limit + 1)
    )
    rows = (await session.execute(query)).all()
    return Page(items=list(rows[: page.limit]), offset=page.offset, has_next=len(rows) > page.limit)


async def count_routings(
    *,
    session: AsyncSession,
    status: RoutingStatus | None = None,
    search: str | None = None,
    owner_id: int | None = None,
) -> int:
    query = (
        select(func.count())
        .select_from(routings_table)
        .where(*_routing_filter(status, search, owner_id))
    )
    return int(await session.scalar(query) or 0)


async def steps_for_routings(
    *, session: AsyncSession, routing_ids: Sequence[int]
) -> list[Row[Any]]:
    query = (
        select(steps_table)
        .where(steps_table.c.routing_id.in_(routing_ids))
        .order_by(steps_table.c.routing_id, steps_table.c.position)
    )
    return list((await session.execute(query)).all())


async def routings_for_revisions(
    *, session: AsyncSession, revision_ids: Sequence[int]
) -> list[Row[Any]]:
    query = (
        select(routings_table)
        .where(routings_table.c.revision_id.in_(revision_ids))
        .order_by(routings_table.c.code)
    )
    return list((await session.execute(query)).all())


async def routings_by_ids(*, session: AsyncSession, routing_ids: Sequence[int]) -> list[Row[Any]]:
    query = select(routings_table).where(routings_table.c.id.in_(routing_ids))
    return list((await session.execute(query)).all())
