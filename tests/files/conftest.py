"""Fixtures for the file tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.files.clamd import start_clamd


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
