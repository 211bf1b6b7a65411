"""Fixtures for the file tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from mcms.core.db import Database
from tests.addin_jobs.processes import Lab, open_lab
from tests.files.clamd import start_clamd
from tests.files.live import Live, open_live


@pytest.fixture(scope="session")
def clamd_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``clamd://127.0.0.1:<port>`` of a private clamd that knows only EICAR.

    Fails (never skips) when clamd cannot be started: a missing scanner must
    not pass for a passing test."""
    daemon = start_clamd(tmp_path_factory.mktemp("clamd"))
    try:
        yield daemon.url
    finally:
        daemon.stop()


@pytest.fixture
def lab(tmp_path: Path, database_url: str, db: Database) -> Iterator[Lab]:
    """Real ``mcms serve`` processes on this test's database (killed at the end)."""
    with open_lab(tmp_path, database_url, db) as lab:
        yield lab


@pytest.fixture
async def live(lab: Lab) -> AsyncIterator[Live]:
    """A running server with an engineer and a draft routing to upload to."""
    async with open_live(lab) as live:
        yield live
