"""Fixtures for live-update tests: the app behind a real HTTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.servers import serving


@pytest.fixture
async def server_url(app: Any) -> AsyncIterator[str]:
    """The app served by a real uvicorn on a free port (httpx's in-process
    transport buffers whole responses, so it cannot test a stream)."""
    async with serving(app) as address:
        yield f"http://{address}"
