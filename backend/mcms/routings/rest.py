"""``GET/PUT /api/routings/{id}``: a routing with its steps and history."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mcms.core.auth import Permission
from mcms.core.errors import InvalidArgument
from mcms.core.http import read_json_object
from mcms.files.rest import current_file_documents
from mcms.history import service as history
from mcms.rest.common import caller, camel, camel_row, database, json_response, path_id
from mcms.routings import service

ROUTING_FIELDS = (
    "id",
    "revision_id",
    "code",
    "title",
    "description",
    "owner_id",
    "status",
    "version",
    "cam_revision",
    "generation_status",
    "last_addin_job_id",
    "last_generated_at",
    "submitted_at",
    "approved_by_id",
    "approved_at",
    "created_at",
    "updated_at",
)
STEP_FIELDS = (
    "id",
    "sequence",
    "name",
    "work_center",
    "machine",
    "description",
    "setup_minutes",
    "cycle_minutes",
    "tooling_notes",
    "parameters",
)
HISTORY_FIELDS = ("id", "type", "actor", "at", "message", "data")


async def routing_document(
    request: Request, session: AsyncSession, routing_id: int
) -> dict[str, Any]:
    """The routing as the REST shim shows it: fields, steps, files (each logical
    name's newest revision, as ``GET /api/routings/{id}/files`` lists them), history."""
    routing = await service.get_routing(session=session, routing_id=routing_id)
    steps = await service.steps_for_routings(session=session, routing_ids=[routing_id])
    entries = await history.entries_for_routings(session=session, routing_ids=[routing_id])
    return {
        **camel_row(routing, ROUTING_FIELDS),
        "steps": [camel_row(step, STEP_FIELDS) for step in steps],
        "files": await current_file_documents(request, session, routing_id),
        "history": [camel_row(entry, HISTORY_FIELDS) for entry in entries],
    }


async def get_routing(request: Request) -> Response:
    await caller(request, Permission.READ)
    async with database(request).read_session() as session:
        document = await routing_document(request, session, path_id(request))
    response = json_response(document)
    response.headers["ETag"] = f'"{document["version"]}"'
    return response


async def put_routing(request: Request) -> Response:
    """Body: any of ``code``, ``title``, ``description``, ``steps`` (the whole ordered
    list), plus ``expectedVersion`` (or an ``If-Match`` header, or the ``version`` of
    the document read). Old clients that send none of these edit the version they
    are looking at now, as the old system did."""
    actor = await caller(request, Permission.EDIT_ROUTING)
    routing_id = path_id(request)
    body = await read_json_object(request)
    changes = _changes_from_body(body)
    async with database(request).unit_of_work() as session:
        expected = _expected_version(request, body)
        if expected is None:
            expected = (await service.get_routing(session=session, routing_id=routing_id)).version
        await service.update_routing(
            session=session,
            actor=actor,
            routing_id=routing_id,
            expected_version=expected,
            changes=changes,
        )
        return json_response(await routing_document(request, session, routing_id))


def _expected_version(request: Request, body: dict[str, Any]) -> int | None:
    """``expectedVersion``, else ``If-Match``, else the ``version`` a client echoes
    back from the document it read (so GET → edit → PUT stays safe)."""
    value = body.get("expectedVersion")
    if value is None:
        value = request.headers.get("if-match", "").strip('"W/ ') or None
    if value is None:
        value = body.get("version")
    if value is None:
        return None
    text = str(value)
    # Bounded: a version is a 32-bit column; isascii: isdigit() also accepts '²'.
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise InvalidArgument("expectedVersion must be a whole number.")
    return int(value)


_TEXT_FIELDS = ("code", "title", "description")
_STEP_TEXT = ("name", "workCenter", "machine", "description", "toolingNotes")
_STEP_NUMBERS = ("setupMinutes", "cycleMinutes")
_KNOWN = {*_TEXT_FIELDS, "steps", "expectedVersion", "id", "version", "files", "history"}


def _changes_from_body(body: dict[str, Any]) -> service.RoutingChanges:
    unknown = sorted(set(body) - _KNOWN - set(_camel_fields()))
    if unknown:
        raise InvalidArgument(f"Unknown field(s): {', '.join(unknown)}.")
    for field in _TEXT_FIELDS:
        if field in body and not isinstance(body[field], str):
            raise InvalidArgument(f"{field} must be a string.")
    steps = body.get("steps")
    if steps is not None and not isinstance(steps, list):
        raise InvalidArgument("steps must be a list.")
    return service.RoutingChanges(
        code=body.get("code"),
        title=body.get("title"),
        description=body.get("description"),
        steps=[_step(s, i) for i, s in enumerate(steps)] if steps is not None else None,
    )


def _camel_fields() -> tuple[str, ...]:
    # Read-only fields a client may echo back from GET; they are ignored.
    return tuple(camel(f) for f in ROUTING_FIELDS)


def _step(raw: Any, index: int) -> service.StepData:
    if not isinstance(raw, dict):
        raise InvalidArgument(f"steps[{index}] must be an object.")
    for key in _STEP_TEXT:
        if key in raw and not isinstance(raw[key], str):
            raise InvalidArgument(f"steps[{index}].{key} must be a string.")
    for key in _STEP_NUMBERS:
        if key in raw and (isinstance(raw[key], bool) or not isinstance(raw[key], int | float)):
            raise InvalidArgument(f"steps[{index}].{key} must be a number.")
    parameters = raw.get("parameters", {})
    if not isinstance(parameters, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()
    ):
        raise InvalidArgument(f"steps[{index}].parameters must map strings to strings.")
    step_id = raw.get("id")
    if step_id is not None and not (str(step_id).isascii() and str(step_id).isdigit()):
        raise InvalidArgument(f"steps[{index}].id is not a valid id.")
    return service.StepData(
        id=int(step_id) if step_id is not None else None,
        name=raw.get("name", ""),
        work_center=raw.get("workCenter", ""),
        machine=raw.get("machine", ""),
        description=raw.get("description", ""),
        setup_minutes=raw.get("setupMinutes", 0.0),
        cycle_minutes=raw.get("cycleMinutes", 0.0),
        tooling_notes=raw.get("toolingNotes", ""),
        parameters=parameters,
    )


routes = [
    Route("/api/routings/{id}", get_routing, methods=["GET"]),
    Route("/api/routings/{id}", put_routing, methods=["PUT"]),
]
