"""GraphQL for add-in jobs and the add-in parameter sets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row

from mcms.addin_jobs import keys, parameters, service
from mcms.addin_jobs import parameters as service_parameters
from mcms.addin_jobs.enums import AddinJobStatusEnum, FailureReasonEnum, ParameterScopeEnum
from mcms.addin_jobs.models import AddinJobStatus, FailureReason, ParameterScope
from mcms.core.auth import Permission
from mcms.core.errors import InvalidArgument
from mcms.core.pagination import PageRequest
from mcms.core.validation import parse_id
from mcms.graphql.context import Info
from mcms.graphql.loaders import required
from mcms.graphql.relay import Connection, build_connection
from mcms.graphql.scalars import BigInt
from mcms.routings.schema import KeyValue, KeyValueInput, Routing

if TYPE_CHECKING:
    from mcms.files.schema import File


def _pairs(values: dict[str, str]) -> list[KeyValue]:
    return [KeyValue(key=k, value=v) for k, v in sorted(values.items())]


@strawberry.type(description="A file a generation produced.")
class AddinJobOutput:
    name: str = strawberry.field(description="File name, e.g. `O1234.nc`.")
    size: BigInt = strawberry.field(description="Size in bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the content, hex.")
    upload_id: strawberry.ID | None = strawberry.field(
        description="The upload session that carried the bytes, when the add-in uploaded them."
    )

    @strawberry.field(
        description="The routing's file holding these bytes: null when the add-in did not "
        "upload them, or while the upload is still being verified and scanned."
    )
    async def file(
        self, info: Info
    ) -> Annotated[File, strawberry.lazy("mcms.files.schema")] | None:
        # Imported here: the files schema imports this module's neighbours.
        from mcms.files.schema import file_of_upload

        return await file_of_upload(info, str(self.upload_id)) if self.upload_id else None

    @classmethod
    def from_stored(cls, output: dict[str, Any]) -> AddinJobOutput:
        upload_id = output.get("uploadId")
        return cls(
            name=output["name"],
            size=output["size"],
            sha256=output["sha256"],
            upload_id=strawberry.ID(upload_id) if upload_id else None,
        )


@strawberry.type(description="A CAM generation job for the ESPRIT add-in.")
class AddinJob:
    id: strawberry.ID = strawberry.field(description="Stable id (the REST shim's `jobId`).")
    status: AddinJobStatusEnum = strawberry.field(description="Where the job is.")  # type: ignore[valid-type]
    parameters: list[KeyValue] = strawberry.field(
        description="The merged add-in parameter sets when it was queued, by key."
    )
    attempt: int = strawberry.field(description="Current attempt (an expired lease adds one).")
    max_attempts: int = strawberry.field(description="Attempts before it fails as TIMED_OUT.")
    agent_id: str | None = strawberry.field(description="The agent holding or last holding it.")
    lease_expires_at: datetime | None = strawberry.field(
        description="While RUNNING: when the job returns to the queue without a heartbeat."
    )
    progress: float = strawberry.field(description="0 to 100, as the add-in reports it.")
    message: str | None = strawberry.field(description="Latest word from the add-in or server.")
    failure_reason: FailureReasonEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="Why it FAILED."
    )
    outputs: list[AddinJobOutput] = strawberry.field(description="Files the generation produced.")
    created_by: str = strawberry.field(description="Who queued it (the approver, or a retry's).")
    created_at: datetime = strawberry.field(description="When it was queued.")
    claimed_at: datetime | None = strawberry.field(description="Last claim by an agent.")
    updated_at: datetime = strawberry.field(description="Last change.")
    finished_at: datetime | None = strawberry.field(description="When it finished.")
    retry_of_id: strawberry.ID | None = strawberry.field(description="The job this one retries.")
    routing_id: strawberry.Private[int]

    @strawberry.field(description="The routing it generates.")
    async def routing(self, info: Info) -> Routing:
        row = await info.context.loaders.routing.load(self.routing_id)
        return Routing.from_row(required(row, "routing"))

    @classmethod
    def from_row(cls, row: Row[Any]) -> AddinJob:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=AddinJobStatus(row.status),
            parameters=_pairs(row.parameters),
            attempt=row.attempt,
            max_attempts=row.max_attempts,
            agent_id=row.agent_id,
            lease_expires_at=row.lease_expires_at,
            progress=row.progress,
            message=row.message,
            failure_reason=FailureReason(row.failure_reason) if row.failure_reason else None,
            outputs=[AddinJobOutput.from_stored(output) for output in row.outputs],
            created_by=row.created_by,
            created_at=row.created_at,
            claimed_at=row.claimed_at,
            updated_at=row.updated_at,
            finished_at=row.finished_at,
            retry_of_id=strawberry.ID(str(row.retry_of_id)) if row.retry_of_id else None,
            routing_id=row.routing_id,
        )


@strawberry.type(description="One saved version of a parameter set (the audit trail).")
class AddinParameterSetVersion:
    version: int = strawberry.field(description="Version number, from 1.")
    parameters: list[KeyValue] = strawberry.field(description="The parameters it held.")
    saved_by: str = strawberry.field(description="Administrator who saved it.")
    saved_at: datetime = strawberry.field(description="When.")


@strawberry.type(description="Add-in parameters kept for one item, revision or routing.")
class AddinParameterSet:
    scope: ParameterScopeEnum = strawberry.field(description="What it belongs to.")  # type: ignore[valid-type]
    target_id: strawberry.ID = strawberry.field(description="The item, revision or routing.")
    parameters: list[KeyValue] = strawberry.field(description="Current parameters, by key.")
    version: int = strawberry.field(
        description="Current version; pass as `expectedVersion` when saving."
    )
    updated_by: str = strawberry.field(description="Who saved the current version.")
    updated_at: datetime = strawberry.field(description="When.")
    set_id: strawberry.Private[int]

    @strawberry.field(description="Every saved version, newest first.")
    async def versions(self, info: Info) -> list[AddinParameterSetVersion]:
        async with info.context.db.read_session() as session:
            rows = await parameters.versions_of(session=session, set_id=self.set_id)
        return [
            AddinParameterSetVersion(
                version=row.version,
                parameters=_pairs(row.parameters),
                saved_by=row.saved_by,
                saved_at=row.saved_at,
            )
            for row in rows
        ]

    @classmethod
    def from_row(cls, row: Row[Any]) -> AddinParameterSet:
        return cls(
            scope=ParameterScope(row.scope),
            target_id=strawberry.ID(str(row.target_id)),
            parameters=_pairs(row.parameters),
            version=row.version,
            updated_by=row.updated_by,
            updated_at=row.updated_at,
            set_id=row.id,
        )


@strawberry.type(description="An add-in machine's API key (only its prefix: a key is shown once).")
class AddinKey:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    agent: str = strawberry.field(description="The AGENT account it belongs to.")
    prefix: str = strawberry.field(description="First characters of the key, to recognise it.")
    created_at: datetime = strawberry.field(description="When it was issued.")
    expires_at: datetime | None = strawberry.field(
        description="When it stops working: set on a key that a renewal replaced."
    )
    last_used_at: datetime | None = strawberry.field(description="Last use, to the minute.")

    @classmethod
    def of(cls, key: keys.KeyInfo) -> AddinKey:
        return cls(
            id=strawberry.ID(str(key.id)),
            agent=key.agent,
            prefix=key.prefix,
            created_at=key.created_at,
            expires_at=key.expires_at,
            last_used_at=key.last_used_at,
        )


@strawberry.type(description="A renewed add-in key and its secret, which is never shown again.")
class RenewedAddinKey:
    key: AddinKey = strawberry.field(description="The new key's record.")
    secret: str = strawberry.field(
        description="Send as `Authorization: Bearer <secret>`. Store it now; only a hash is kept."
    )
    previous: list[AddinKey] = strawberry.field(
        description="The keys it replaces; they keep working until their `expiresAt`."
    )


def _optional_id(value: strawberry.ID | None, field: str) -> int | None:
    return parse_id(value, field) if value is not None else None


@strawberry.type
class AddinJobQuery:
    @strawberry.field(description="One add-in job; `NOT_FOUND` if there is none with that id.")
    async def addin_job(self, info: Info, id: strawberry.ID) -> AddinJob:
        info.context.require(Permission.READ)
        async with info.context.db.read_session() as session:
            row = await service.get_job(session=session, job_id=parse_id(id))
        return AddinJob.from_row(row)

    @strawberry.field(description="Add-in jobs, newest first, optionally of one routing or status.")
    async def addin_jobs(
        self,
        info: Info,
        routing_id: strawberry.ID | None = None,
        status: AddinJobStatusEnum | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AddinJob]:
        info.context.require(Permission.READ)
        request = PageRequest.from_relay(first, after)
        filters: dict[str, Any] = {
            "routing_id": _optional_id(routing_id, "routingId"),
            "status": status,
        }
        async with info.context.db.read_session() as session:
            page = await service.search_jobs(session=session, page=request, **filters)

        async def total() -> int:
            async with info.context.db.read_session() as session:
                return await service.count_jobs(session=session, **filters)

        return build_connection(page, AddinJob.from_row, total)

    @strawberry.field(
        description="The parameter set kept for one item, revision or routing; null if none."
    )
    async def addin_parameter_set(
        self,
        info: Info,
        scope: ParameterScopeEnum,  # type: ignore[valid-type]
        target_id: strawberry.ID,
    ) -> AddinParameterSet | None:
        info.context.require(Permission.READ)
        async with info.context.db.read_session() as session:
            row = await parameters.get_set(
                session=session, scope=ParameterScope(scope), target_id=parse_id(target_id)
            )
        return AddinParameterSet.from_row(row) if row is not None else None

    @strawberry.field(
        description="The parameters a job for this routing would get now: item, then "
        "revision, then routing sets, the more specific winning."
    )
    async def effective_addin_parameters(
        self, info: Info, routing_id: strawberry.ID
    ) -> list[KeyValue]:
        info.context.require(Permission.READ)
        async with info.context.db.read_session() as session:
            merged = await parameters.effective_for_routing(
                session=session, routing_id=parse_id(routing_id, "routingId")
            )
        return _pairs(merged)


@strawberry.type
class AddinKeyQuery:
    @strawberry.field(
        description="The add-in keys of an AGENT account (default `addin`) that work now, "
        "newest (the current one) first (administrators)."
    )
    async def addin_keys(self, info: Info, agent: str = keys.DEFAULT_AGENT) -> list[AddinKey]:
        actor = info.context.require(Permission.MANAGE_ADDIN_KEYS)
        async with info.context.db.read_session() as session:
            found = await keys.current_keys(session=session, actor=actor, agent=agent)
        return [AddinKey.of(key) for key in found]


@strawberry.type
class AddinJobMutation:
    @strawberry.mutation(
        description="Issue a new add-in key for an AGENT account (default `addin`, created on "
        "first use); the previous keys keep working for the configured overlap "
        "(administrators)."
    )
    async def renew_addin_key(self, info: Info, agent: str = keys.DEFAULT_AGENT) -> RenewedAddinKey:
        actor = info.context.require(Permission.MANAGE_ADDIN_KEYS)
        overlap = timedelta(hours=info.context.settings.addin_key_overlap_hours)
        async with info.context.db.unit_of_work() as session:
            key, secret, previous = await keys.renew_key(
                session=session, actor=actor, overlap=overlap, agent=agent
            )
        info.context.request.app.state.agent_credentials.clear()  # overlap 0 ends old keys now
        return RenewedAddinKey(
            key=AddinKey.of(key), secret=secret, previous=[AddinKey.of(k) for k in previous]
        )

    @strawberry.mutation(
        description="Queue a new job for a FAILED or CANCELLED job's routing, without "
        "re-approval (the routing's owner, approvers, administrators)."
    )
    async def retry_addin_job(self, info: Info, id: strawberry.ID) -> AddinJob:
        actor = info.context.require(Permission.READ)
        async with info.context.db.unit_of_work() as session:
            row = await service.retry_job(
                session=session,
                actor=actor,
                job_id=parse_id(id),
                max_attempts=info.context.settings.addin_max_attempts,
            )
        return AddinJob.from_row(row)

    @strawberry.mutation(
        description="Cancel a QUEUED or RUNNING job; its agent is told at its next heartbeat."
    )
    async def cancel_addin_job(self, info: Info, id: strawberry.ID) -> AddinJob:
        actor = info.context.require(Permission.READ)
        async with info.context.db.unit_of_work() as session:
            row = await service.cancel_job(session=session, actor=actor, job_id=parse_id(id))
        return AddinJob.from_row(row)

    @strawberry.mutation(
        description="Save an add-in parameter set as a new version (administrators). "
        "`expectedVersion`: the version you edited (0 for a new set); `CONFLICT` if "
        "someone saved meanwhile."
    )
    async def save_addin_parameter_set(
        self,
        info: Info,
        scope: ParameterScopeEnum,  # type: ignore[valid-type]
        target_id: strawberry.ID,
        parameters: list[KeyValueInput],
        expected_version: int,
    ) -> AddinParameterSet:
        actor = info.context.require(Permission.MANAGE_ADDIN_PARAMETERS)
        keys = [p.key for p in parameters]
        if len(keys) != len(set(keys)):
            raise InvalidArgument("parameters repeats a key.")
        async with info.context.db.unit_of_work() as session:
            row = await service_parameters.save_set(
                session=session,
                actor=actor,
                scope=ParameterScope(scope),
                target_id=parse_id(target_id, "targetId"),
                parameters={p.key: p.value for p in parameters},
                expected_version=expected_version,
            )
        return AddinParameterSet.from_row(row)
