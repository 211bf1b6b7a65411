"""DataLoaders keep a page's cost constant: a bounded number of SQL statements
for 5 routings or for 50, whatever children each routing has."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from mcms.core.auth import Role
from mcms.core.db import Database
from tests.factories import Factory
from tests.files.support import drain_worker, upload_whole

ROUTINGS_PAGE = """
query Page($first: Int!) {
  routings(first: $first) {
    totalCount
    edges { node {
      id code status version
      owner { username }
      approvedBy { username }
      revision { code item { itemCode createdBy { username } } }
      steps { id sequence name parameters { key value } }
      history { totalCount edges { node { type actor } } }
    } }
  }
}
"""


MAX_STATEMENTS = 9
# Transaction control, and the response cache's probe of the database version.
IGNORED = ("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "SELECT PG_CURRENT_SNAPSHOT()")


@contextmanager
def counted_statements(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(IGNORED):
            statements.append(statement)

    # one listener per pool: PostgreSQL's read engine is a view of the write engine
    engines = {id(e.sync_engine.pool): e for e in (db.engine, db.read_engine)}.values()
    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_routings_page_costs_constant_queries(factory: Factory, db: Database) -> None:
    # given 50 routings, from several owners, over several items, each with steps and history
    engineers = [await factory.user(Role.ENGINEER) for _ in range(3)]
    approver = await factory.user(Role.APPROVER)
    for n in range(50):
        owner = engineers[n % 3]
        steps = [{"name": f"S{i}", "parameters": [{"key": "k", "value": str(i)}]} for i in range(4)]
        if n % 5 == 0:
            await factory.approved_routing(owner, approver)
        else:
            await factory.routing(owner, steps=steps)
    reader = await factory.user(Role.AUDITOR)

    # when a page of 5 and a page of 50 are read
    with counted_statements(db) as small:
        five = await factory.ok(ROUTINGS_PAGE, {"first": 5}, as_=reader)
    with counted_statements(db) as large:
        fifty = await factory.ok(ROUTINGS_PAGE, {"first": 50}, as_=reader)

    # then both cost at most one statement per kind of data, however many rows:
    # auth, page, count, users (per nesting level: owners, then item creators unless
    # already cached), revisions, items, steps, history
    assert len(five["routings"]["edges"]) == 5
    assert len(fifty["routings"]["edges"]) == 50
    assert len(small) <= MAX_STATEMENTS, small
    assert len(large) <= MAX_STATEMENTS, large


ROUTINGS_WITH_FILES = """
query Page($first: Int!) {
  routings(first: $first) {
    edges { node { id files { id logicalName revision sha256 downloadUrl } } }
  }
}
"""


async def test_routings_files_cost_one_statement_for_the_whole_page(
    factory: Factory, db: Database, client: httpx.AsyncClient, app: Any
) -> None:
    # given 20 routings, each with two revisions of a file
    engineer = await factory.user(Role.ENGINEER)
    for n in range(20):
        routing = await factory.routing(engineer)
        for revision in range(2):
            data = f"routing {n} revision {revision}".encode()
            await upload_whole(client, engineer, routing["id"], data, filename="part.esp")
    await drain_worker(app)

    # when a page of 2 and a page of 20 ask for their files
    with counted_statements(db) as small:
        two = await factory.ok(ROUTINGS_WITH_FILES, {"first": 2}, as_=engineer)
    with counted_statements(db) as large:
        twenty = await factory.ok(ROUTINGS_WITH_FILES, {"first": 20}, as_=engineer)

    # then every routing shows both revisions, read in one statement per page
    for page, size, statements in ((two, 2, small), (twenty, 20, large)):
        edges = page["routings"]["edges"]
        assert len(edges) == size
        assert all([f["revision"] for f in e["node"]["files"]] == [1, 2] for e in edges)
        assert len([s for s in statements if "FROM routing_files" in s]) == 1, statements
