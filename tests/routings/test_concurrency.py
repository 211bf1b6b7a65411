"""Every operation runs concurrently with itself: races end in exactly one
winner and a CONFLICT, never a lost update, never "database is locked"."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from mcms.app import create_app
from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.settings import Settings
from mcms.users import service as users
from tests.factories import Factory, error_codes

APPROVE = """
mutation Approve($id: ID!) { approveRouting(id: $id) { status version } }
"""

REJECT = """
mutation Reject($id: ID!) { rejectRouting(id: $id, reason: "no") { status version } }
"""

UPDATE_TITLE = """
mutation Update($id: ID!, $title: String!, $v: Int!) {
  updateRouting(id: $id, input: {title: $title}, expectedVersion: $v) { title version }
}
"""

ROUTING = """
query Routing($id: ID!) {
  routing(id: $id) { title status version history { totalCount edges { node { type } } } }
}
"""

ROUNDS = 5


async def test_two_approvers_at_once_exactly_one_succeeds(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    first, second = await factory.user(Role.APPROVER), await factory.user(Role.APPROVER)
    for _ in range(ROUNDS):
        routing = await factory.pending_routing(engineer)

        results = await asyncio.gather(
            factory.gql(APPROVE, {"id": routing["id"]}, as_=first),
            factory.gql(APPROVE, {"id": routing["id"]}, as_=second),
        )

        codes = sorted(str(error_codes(r)) for r in results)
        assert codes == ["['CONFLICT']", "[]"], results
        data = await factory.ok(ROUTING, {"id": routing["id"]}, as_=engineer)
        types = [e["node"]["type"] for e in data["routing"]["history"]["edges"]]
        assert data["routing"]["status"] == "APPROVED"
        assert types.count("APPROVED") == 1


async def test_approve_and_reject_at_once_one_wins(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    first, second = await factory.user(Role.APPROVER), await factory.user(Role.APPROVER)
    for _ in range(ROUNDS):
        routing = await factory.pending_routing(engineer)

        approved, rejected = await asyncio.gather(
            factory.gql(APPROVE, {"id": routing["id"]}, as_=first),
            factory.gql(REJECT, {"id": routing["id"]}, as_=second),
        )

        winners = [r for r in (approved, rejected) if not r.get("errors")]
        assert len(winners) == 1
        loser = approved if winners[0] is rejected else rejected
        assert error_codes(loser) == ["CONFLICT"]
        data = await factory.ok(ROUTING, {"id": routing["id"]}, as_=engineer)
        types = [e["node"]["type"] for e in data["routing"]["history"]["edges"]]
        verdict = ["APPROVED", "ADDIN_JOB_QUEUED"] if winners[0] is approved else ["REJECTED"]
        assert types == ["ROUTING_CREATED", "SUBMITTED", *verdict]


async def test_two_edits_with_same_expected_version_one_conflict(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    for _ in range(ROUNDS):
        routing = await factory.routing(engineer)

        results = await asyncio.gather(
            factory.gql(UPDATE_TITLE, {"id": routing["id"], "title": "A", "v": 1}, as_=engineer),
            factory.gql(UPDATE_TITLE, {"id": routing["id"], "title": "B", "v": 1}, as_=engineer),
        )

        winners = [r for r in results if not r.get("errors")]
        assert len(winners) == 1
        assert sorted(str(error_codes(r)) for r in results) == ["['CONFLICT']", "[]"]
        data = await factory.ok(ROUTING, {"id": routing["id"]}, as_=engineer)
        assert data["routing"]["title"] == winners[0]["data"]["updateRouting"]["title"]
        assert data["routing"]["version"] == 2


CREATE_ITEM = """
mutation Item($code: String!) { createItem(input: {itemCode: $code, name: "x"}) { id } }
"""

WRITERS = 20
WRITES_PER_WRITER = 5


@pytest.fixture
async def sqlite_crowd(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh SQLite database with a pool as large as the crowd of writers, so they
    really race for SQLite's write lock instead of queueing for a pooled connection."""
    target = tmp_path / "crowd.db"
    shutil.copyfile(sqlite_template, target)
    crowd = Database(f"sqlite+aiosqlite:///{target}", pool_size=WRITERS)
    yield crowd
    await crowd.dispose()


async def test_twenty_concurrent_writers_on_sqlite_never_locked(
    sqlite_crowd: Database, settings: Settings
) -> None:
    transport = httpx.ASGITransport(app=create_app(settings, db=sqlite_crowd))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        factory = Factory(db=sqlite_crowd, client=client)
        engineer = await factory.user(Role.ENGINEER)

        async def writer(n: int) -> list[str]:
            codes = []
            for i in range(WRITES_PER_WRITER):
                body = await factory.gql(CREATE_ITEM, {"code": f"W{n}-{i}"}, as_=engineer)
                codes.extend(error_codes(body))
            return codes

        results = await asyncio.gather(*(writer(n) for n in range(WRITERS)))

        assert [code for codes in results for code in codes] == []
        count = await factory.ok("{ items(first: 1) { totalCount } }", as_=engineer)
        assert count["items"]["totalCount"] == WRITERS * WRITES_PER_WRITER


WRITER_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from mcms.core.auth import Principal, Role
    from mcms.core.db import Database
    from mcms.items import service

    async def main(url: str, process: int, tasks: int, writes: int) -> None:
        db = Database(url, pool_size=tasks)
        actor = Principal(user_id=1, username="w", display_name="w", role=Role.ENGINEER)

        async def task(t: int) -> None:
            for i in range(writes):
                async with db.unit_of_work() as session:
                    await service.create_item(
                        session=session, actor=actor, item_code=f"P{process}-{t}-{i}", name="x"
                    )

        try:
            await asyncio.gather(*(task(t) for t in range(tasks)))
        finally:
            await db.dispose()

    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
    """
)


def _run_writer_processes(
    script: Path, url: str, processes: int, tasks: int, writes: int
) -> list[subprocess.CompletedProcess[str]]:
    started = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(script), url, str(p), str(tasks), str(writes)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    finished = []
    for proc in started:
        out, err = proc.communicate(timeout=120)
        finished.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return finished


async def test_writers_in_several_processes_on_sqlite_never_locked(
    sqlite_crowd: Database, tmp_path: Path
) -> None:
    async with sqlite_crowd.unit_of_work() as session:
        await users.create_user(session=session, username="w", role=Role.ENGINEER)
    processes, tasks, writes = 4, 5, 10
    script = tmp_path / "writer.py"
    script.write_text(WRITER_SCRIPT)

    results = await asyncio.to_thread(
        _run_writer_processes, script, sqlite_crowd.url, processes, tasks, writes
    )

    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
        assert "database is locked" not in result.stderr
    async with sqlite_crowd.read_session() as session:
        total = await session.scalar(text("SELECT count(*) FROM items"))
    assert total == processes * tasks * writes
