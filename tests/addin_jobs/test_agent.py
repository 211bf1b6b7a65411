"""The reference agent's own behaviour, ``mcms addin-agent`` as a real process
against a real ``mcms serve``: what the generator is given and what of its
outputs is reported, a job cancelled under it, a server that is not up yet, a
token the server refuses.

The agent speaks only HTTP, so these run on the SQLite file alone; what depends
on the database (leases, expiry, exactly-once) is in test_end_to_end.py, on both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcms.core.db import Database
from tests.addin_jobs.processes import (
    NC_OUTPUT,
    Lab,
    alive,
    job_number,
    job_types,
    marker,
    open_lab,
    open_shop,
    started,
)

pytestmark = pytest.mark.slow

CANCEL_JOB = "mutation Cancel($id: ID!) { cancelAddinJob(id: $id) { id status } }"


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def lab(tmp_path: Path, database_url: str, db: Database) -> Iterator[Lab]:
    with open_lab(tmp_path, database_url, db) as lab:
        yield lab


async def test_the_generator_gets_its_job_and_outputs_directory_but_not_the_token(
    lab: Lab,
) -> None:
    async with lab.server() as server, open_shop(lab, server) as shop:
        # Given a queued job
        routing_id = await shop.approved_routing()

        # When an agent runs a generator that writes down what it was given
        agent = lab.agent(server, shop.agent.token, "ws1", "look", "--once")
        assert await agent.exit_code() == 0, agent.log_text()
        job = await shop.job(routing_id)
        seen = json.loads(await marker(lab.markers / f"seen-{job_number(job)}.json"))

    # Then it ran in a directory of its own with the job file and an outputs directory
    job_dir = Path(seen["cwd"])
    assert job_dir.parent == agent.work_dir
    assert job_dir.name.startswith(f"job-{job_number(job)}-")
    assert seen["argv"] == [str(job_dir / "job.json"), str(job_dir / "outputs")]
    assert seen["job"]["jobId"] == job_number(job)
    assert seen["job"]["routingId"] == routing_id
    assert seen["job"]["status"] == "RUNNING"
    environment = seen["env"]
    assert environment["MCMS_JOB_FILE"] == seen["argv"][0]
    assert environment["MCMS_OUTPUT_DIR"] == seen["argv"][1]
    assert environment["MCMS_JOB_ID"] == job_number(job)
    assert environment["MCMS_ROUTING_ID"] == routing_id
    assert "MCMS_AGENT_TOKEN" not in environment  # the generator needs no token
    # and every regular file it left was reported, by relative name; the symlink was not
    setup = b"fixture 3"
    assert job["outputs"] == [
        NC_OUTPUT,
        {"name": "sub/setup.txt", "size": len(setup), "sha256": hashlib.sha256(setup).hexdigest()},
    ]


async def test_a_job_cancelled_while_it_runs_stops_its_generator(lab: Lab) -> None:
    async with lab.server() as server, open_shop(lab, server) as shop:
        # Given a generator running for a job
        routing_id = await shop.approved_routing()
        agent = lab.agent(server, shop.agent.token, "ws1", "hang 120", "--once")
        job = await shop.job_when(routing_id, "the claim", status="RUNNING")
        pid = int(await marker(started(lab, job)))

        # When the engineer cancels the job
        await shop.api.ok(CANCEL_JOB, {"id": job["id"]}, as_=shop.engineer)

        # Then the agent learns it at its next heartbeat, stops the generator and
        # reports nothing
        assert await agent.exit_code() == 0, agent.log_text()
        assert not alive(pid)
        assert "lease lost" in agent.log_text()
        routing = await shop.routing(routing_id)
        job = await shop.job(routing_id)
        assert job["status"] == "CANCELLED"
        assert routing["generationStatus"] == "NONE"
        assert job_types(routing) == [
            "ADDIN_JOB_QUEUED",
            "ADDIN_JOB_CLAIMED",
            "ADDIN_JOB_CANCELLED",
        ]


async def test_an_agent_started_before_its_server_waits_for_it(lab: Lab) -> None:
    server = lab.server_not_started()
    try:
        async with open_shop(lab, server) as shop:
            # Given an agent whose server is not up yet
            agent = lab.agent(server, shop.agent.token, "early", "ok 0", "--once")
            await agent.logged("claim failed")

            # When the server starts and a job is queued
            await server.start()
            routing_id = await shop.approved_routing()

            # Then the agent, still retrying, takes it and completes it
            assert await agent.exit_code() == 0, agent.log_text()
            job = await shop.job(routing_id)
            assert (job["status"], job["agentId"], job["attempt"]) == ("COMPLETED", "early", 1)
    finally:
        await server.stop()


async def test_an_agent_whose_token_is_refused_exits_with_code_2(lab: Lab) -> None:
    async with lab.server() as server, open_shop(lab, server) as shop:
        # Given a queued job
        routing_id = await shop.approved_routing()

        # When agents come with a token that does not exist, and with an engineer's
        wrong = lab.agent(server, "mcms_not-a-token", "wrong", "ok 0")
        engineer = lab.agent(server, shop.engineer.token, "engineer", "ok 0")

        # Then both stop at once with exit code 2 and say why; the job is untouched
        for agent in (wrong, engineer):
            assert await agent.exit_code() == 2, agent.log_text()
            assert "the server refused the token" in agent.log_text()
        job = await shop.job(routing_id)
        assert (job["status"], job["attempt"], job["agentId"]) == ("QUEUED", 1, None)
