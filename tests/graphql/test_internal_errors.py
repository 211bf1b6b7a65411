"""Unexpected failures are masked: the caller sees INTERNAL and no detail; the
server log gets the traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from mcms.core.auth import Role
from mcms.routings import service as routings
from tests.factories import Factory, error_codes

ROUTINGS = "query { routings(first: 5) { edges { node { id } } } }"
SECRET_DETAIL = "connection string postgres://secret@db"


def _explode(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError(SECRET_DETAIL)


async def test_graphql_masks_unexpected_errors(
    factory: Factory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    auditor = await factory.user(Role.AUDITOR)
    monkeypatch.setattr(routings, "search_routings", _explode)

    with caplog.at_level(logging.ERROR, logger="mcms.graphql"):
        response = await factory.client.post(
            "/graphql", json={"query": ROUTINGS}, headers=auditor.headers
        )

    body = response.json()
    assert error_codes(body) == ["INTERNAL"]
    assert SECRET_DETAIL not in response.text
    assert "Traceback" not in response.text
    assert SECRET_DETAIL in caplog.text  # the operator still learns what happened


async def test_rest_masks_unexpected_errors(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    monkeypatch.setattr(routings, "get_routing", _explode)

    response = await factory.client.get(f"/api/routings/{routing['id']}", headers=engineer.headers)

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "INTERNAL"
    assert SECRET_DETAIL not in response.text
    assert "Traceback" not in response.text


async def test_validation_results_are_cached(factory: Factory) -> None:
    from strawberry.extensions.validation_cache import _get_validate_cache

    from mcms.graphql.schema import VALIDATION_CACHE_SIZE

    auditor = await factory.user(Role.AUDITOR)
    cached_validate: Any = _get_validate_cache(VALIDATION_CACHE_SIZE)  # an lru_cache
    query = "query ValidateOnce($n: Int) { items(first: $n) { totalCount } }"

    await factory.ok(query, {"n": 1}, as_=auditor)
    hits_before = cached_validate.cache_info().hits
    await factory.ok(query, {"n": 2}, as_=auditor)  # another key for the response cache

    assert cached_validate.cache_info().hits == hits_before + 1
