"""GraphQL for routings and their steps."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row

from mcms.core.auth import Permission
from mcms.core.errors import InvalidArgument
from mcms.core.pagination import PageRequest
from mcms.core.validation import parse_id
from mcms.graphql.context import Info
from mcms.graphql.loaders import required
from mcms.graphql.relay import Connection, build_connection, connection_from_list
from mcms.history.schema import HistoryEntry
from mcms.items.schema import Revision
from mcms.routings import service
from mcms.routings.enums import GenerationStatusEnum, RoutingStatusEnum
from mcms.routings.models import GenerationStatus, RoutingStatus
from mcms.users.schema import User

if TYPE_CHECKING:
    from mcms.addin_jobs.schema import AddinJob
    from mcms.files.schema import File


@strawberry.type(description="A free parameter: a key and its value, both text.")
class KeyValue:
    key: str = strawberry.field(description="Parameter name.")
    value: str = strawberry.field(description="Parameter value.")


@strawberry.input(description="A free parameter.")
class KeyValueInput:
    key: str = strawberry.field(description="Parameter name (up to 100 characters).")
    value: str = strawberry.field(description="Parameter value (up to 2000 characters).")


@strawberry.type(description="One operation of a routing, in order.")
class RoutingStep:
    id: strawberry.ID = strawberry.field(description="Stable id; send it back to keep the step.")
    sequence: int = strawberry.field(description="Operation number: 10, 20, 30 … in order.")
    name: str = strawberry.field(description="Operation name, e.g. `Rough mill`.")
    work_center: str = strawberry.field(description="Work center.")
    machine: str = strawberry.field(description="Machine.")
    description: str = strawberry.field(description="Free text.")
    setup_minutes: float = strawberry.field(description="Setup time in minutes.")
    cycle_minutes: float = strawberry.field(description="Cycle time per part in minutes.")
    tooling_notes: str = strawberry.field(description="Tooling notes.")
    parameters: list[KeyValue] = strawberry.field(description="Free parameters, by key.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> RoutingStep:
        return cls(
            id=strawberry.ID(str(row.id)),
            sequence=row.sequence,
            name=row.name,
            work_center=row.work_center,
            machine=row.machine,
            description=row.description,
            setup_minutes=row.setup_minutes,
            cycle_minutes=row.cycle_minutes,
            tooling_notes=row.tooling_notes,
            parameters=[KeyValue(key=k, value=v) for k, v in sorted(row.parameters.items())],
        )


@strawberry.type(description="A process plan for a part revision: ordered steps, files, approval.")
class Routing:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    code: str = strawberry.field(description="Routing code, unique within its revision.")
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="Free text.")
    status: RoutingStatusEnum = strawberry.field(description="Approval state.")  # type: ignore[valid-type]
    version: int = strawberry.field(
        description="Optimistic-concurrency counter; pass it as `expectedVersion` when editing."
    )
    cam_revision: int = strawberry.field(
        description="Bumped each time a generation produces new outputs."
    )
    generation_status: GenerationStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="State of the latest generation."
    )
    last_addin_job_id: strawberry.ID | None = strawberry.field(
        description="The latest add-in job for this routing."
    )
    last_generated_at: datetime | None = strawberry.field(
        description="When outputs were last generated."
    )
    submitted_at: datetime | None = strawberry.field(description="Last request for approval.")
    approved_at: datetime | None = strawberry.field(description="When it was approved.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="Last change.")
    owner_id: strawberry.Private[int]
    revision_id: strawberry.Private[int]
    approved_by_id: strawberry.Private[int | None]

    @strawberry.field(description="The engineer who owns it.")
    async def owner(self, info: Info) -> User:
        row = await info.context.loaders.user.load(self.owner_id)
        return User.from_row(required(row, "owner"))

    @strawberry.field(description="Who approved it (while APPROVED).")
    async def approved_by(self, info: Info) -> User | None:
        if self.approved_by_id is None:
            return None
        row = await info.context.loaders.user.load(self.approved_by_id)
        return User.from_row(row) if row is not None else None

    @strawberry.field(description="The item revision it belongs to.")
    async def revision(self, info: Info) -> Revision:
        row = await info.context.loaders.revision.load(self.revision_id)
        return Revision.from_row(required(row, "revision"))

    @strawberry.field(
        description="The ordered steps. A plain list, not a connection: the steps are one "
        "document, edited and reordered as a whole."
    )
    async def steps(self, info: Info) -> list[RoutingStep]:
        rows = await info.context.loaders.steps_of_routing.load(int(self.id))
        return [RoutingStep.from_row(row) for row in rows]

    @strawberry.field(description="The append-only history, oldest first.")
    async def history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[HistoryEntry]:
        request = PageRequest.from_relay(first, after)
        rows = await info.context.loaders.history_of_routing.load(int(self.id))
        return connection_from_list(rows, request, HistoryEntry.from_row)

    @strawberry.field(description="Its add-in generation jobs, newest first.")
    async def addin_jobs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[AddinJob, strawberry.lazy("mcms.addin_jobs.schema")]]:
        from mcms.addin_jobs.schema import AddinJob  # the two types refer to each other

        request = PageRequest.from_relay(first, after)
        rows = await info.context.loaders.addin_jobs_of_routing.load(int(self.id))
        return connection_from_list(rows, request, AddinJob.from_row)

    @strawberry.field(
        description="Its files: every revision of every logical name, by name then revision."
    )
    async def files(
        self, info: Info
    ) -> list[Annotated[File, strawberry.lazy("mcms.files.schema")]]:
        from mcms.files.schema import routing_files  # files refer back to routings

        return await routing_files(info, int(self.id))

    @classmethod
    def from_row(cls, row: Row[Any]) -> Routing:
        return cls(
            id=strawberry.ID(str(row.id)),
            code=row.code,
            title=row.title,
            description=row.description,
            status=RoutingStatus(row.status),
            version=row.version,
            cam_revision=row.cam_revision,
            generation_status=GenerationStatus(row.generation_status),
            last_addin_job_id=(
                strawberry.ID(str(row.last_addin_job_id)) if row.last_addin_job_id else None
            ),
            last_generated_at=row.last_generated_at,
            submitted_at=row.submitted_at,
            approved_at=row.approved_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            owner_id=row.owner_id,
            revision_id=row.revision_id,
            approved_by_id=row.approved_by_id,
        )


@strawberry.input(description="One step. Omit `id` for a new step; give it to keep one.")
class StepInput:
    name: str = strawberry.field(description="Operation name (required).")
    id: strawberry.ID | None = strawberry.field(default=None, description="Existing step's id.")
    work_center: str = strawberry.field(default="", description="Work center.")
    machine: str = strawberry.field(default="", description="Machine.")
    description: str = strawberry.field(default="", description="Free text.")
    setup_minutes: float = strawberry.field(default=0.0, description="Setup minutes (≥ 0).")
    cycle_minutes: float = strawberry.field(default=0.0, description="Cycle minutes (≥ 0).")
    tooling_notes: str = strawberry.field(default="", description="Tooling notes.")
    parameters: list[KeyValueInput] = strawberry.field(
        default_factory=list, description="Free parameters (unique keys)."
    )

    def to_data(self) -> service.StepData:
        keys = [p.key for p in self.parameters]
        if len(keys) != len(set(keys)):
            raise InvalidArgument(f"Step {self.name!r} repeats a parameter key.")
        return service.StepData(
            id=parse_id(self.id, "steps.id") if self.id is not None else None,
            name=self.name,
            work_center=self.work_center,
            machine=self.machine,
            description=self.description,
            setup_minutes=self.setup_minutes,
            cycle_minutes=self.cycle_minutes,
            tooling_notes=self.tooling_notes,
            parameters={p.key: p.value for p in self.parameters},
        )


@strawberry.input(description="A new routing; it starts as DRAFT, owned by you.")
class CreateRoutingInput:
    code: str = strawberry.field(description="Unique within the revision; up to 64 characters.")
    title: str = strawberry.field(description="Title; up to 200 characters.")
    description: str = strawberry.field(default="", description="Free text.")
    steps: list[StepInput] = strawberry.field(default_factory=list, description="Steps in order.")


@strawberry.input(
    description="Changes to a routing; omitted fields stay. `steps` replaces the whole list "
    "in the given order (that is how steps are added, removed and reordered)."
)
class UpdateRoutingInput:
    code: str | None = strawberry.field(default=None, description="New code.")
    title: str | None = strawberry.field(default=None, description="New title.")
    description: str | None = strawberry.field(default=None, description="New description.")
    steps: list[StepInput] | None = strawberry.field(
        default=None, description="All steps, in order."
    )


@strawberry.type
class RoutingQuery:
    @strawberry.field(description="One routing; `NOT_FOUND` if there is none with that id.")
    async def routing(self, info: Info, id: strawberry.ID) -> Routing | None:
        info.context.require(Permission.READ)
        async with info.context.db.read_session() as session:
            row = await service.get_routing(session=session, routing_id=parse_id(id))
        return Routing.from_row(row)

    @strawberry.field(
        description="Routings, newest first; filter by status (PENDING_APPROVAL is the "
        "approvals inbox), by code/title text, or to your own with `mine`."
    )
    async def routings(
        self,
        info: Info,
        status: RoutingStatusEnum | None = None,  # type: ignore[valid-type]
        search: str | None = None,
        mine: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Routing]:
        principal = info.context.require(Permission.READ)
        request = PageRequest.from_relay(first, after)
        filters: dict[str, Any] = {
            "status": status,
            "search": search,
            "owner_id": principal.user_id if mine else None,
        }
        async with info.context.db.read_session() as session:
            page = await service.search_routings(session=session, page=request, **filters)

        async def total() -> int:
            async with info.context.db.read_session() as session:
                return await service.count_routings(session=session, **filters)

        return build_connection(page, Routing.from_row, total)


@strawberry.type
class RoutingMutation:
    @strawberry.mutation(description="Create a DRAFT routing in a revision (engineers).")
    async def create_routing(
        self, info: Info, revision_id: strawberry.ID, input: CreateRoutingInput
    ) -> Routing:
        actor = info.context.require(Permission.CREATE_ROUTING)
        steps = [step.to_data() for step in input.steps]
        async with info.context.db.unit_of_work() as session:
            routing_id = await service.create_routing(
                session=session,
                actor=actor,
                revision_id=parse_id(revision_id, "revisionId"),
                code=input.code,
                title=input.title,
                description=input.description,
                steps=steps,
            )
            return Routing.from_row(
                await service.get_routing(session=session, routing_id=routing_id)
            )

    @strawberry.mutation(
        description="Edit a DRAFT or REJECTED routing you own. `CONFLICT` if `expectedVersion` "
        "is no longer its version (someone else changed it)."
    )
    async def update_routing(
        self, info: Info, id: strawberry.ID, input: UpdateRoutingInput, expected_version: int
    ) -> Routing:
        actor = info.context.require(Permission.EDIT_ROUTING)
        changes = service.RoutingChanges(
            code=input.code,
            title=input.title,
            description=input.description,
            steps=[s.to_data() for s in input.steps] if input.steps is not None else None,
        )
        routing_id = parse_id(id)
        async with info.context.db.unit_of_work() as session:
            await service.update_routing(
                session=session,
                actor=actor,
                routing_id=routing_id,
                expected_version=expected_version,
                changes=changes,
            )
            return Routing.from_row(
                await service.get_routing(session=session, routing_id=routing_id)
            )
