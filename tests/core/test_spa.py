"""Serving the built SPA: history fallback for pages, long caching for hashed
assets, and a 404 (never index.html, never a file outside) for everything else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from mcms.core.spa import IMMUTABLE, NO_CACHE, spa_routes

INDEX = "<!doctype html><html><body><div id=app>MCMS SPA index</div></body></html>"
APP_JS = "console.log('app bundle 123');"
SECRET = "outside the static dir: must never be served"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def backend() -> str:
    """The one test here that needs the real app needs no particular engine."""
    return "sqlite"


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "assets" / "app.123.js").write_text(APP_JS, encoding="utf-8")
    (root / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "static-private").mkdir()
    (tmp_path / "static-private" / "key.txt").write_text(SECRET, encoding="utf-8")
    (root / "assets" / "link.js").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
async def spa(static_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=spa_routes(static_dir))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.mark.parametrize("path", ["/", "/explorer/1", "/routings/42/files", "/approvals"])
async def test_pages_fall_back_to_index_html_uncached(spa: httpx.AsyncClient, path: str) -> None:
    response = await spa.get(path, headers=HTML)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == NO_CACHE


async def test_head_of_a_page_is_answered(spa: httpx.AsyncClient) -> None:
    response = await spa.head("/explorer/1", headers=HTML)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["cache-control"] == NO_CACHE


async def test_hashed_assets_are_cached_for_good(spa: httpx.AsyncClient) -> None:
    response = await spa.get("/assets/app.123.js")
    assert response.status_code == 200
    assert response.text == APP_JS
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == IMMUTABLE
    assert "immutable" in IMMUTABLE
    assert "max-age=31536000" in IMMUTABLE


async def test_unhashed_root_files_are_revalidated(spa: httpx.AsyncClient) -> None:
    for path in ("/favicon.svg", "/index.html"):
        response = await spa.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == NO_CACHE, path


@pytest.mark.parametrize("headers", [HTML, JSON, {}], ids=["html", "json", "no-accept"])
async def test_a_missing_asset_is_404_not_index(
    spa: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await spa.get("/assets/x.js", headers=headers)
    assert response.status_code == 404
    assert INDEX not in response.text


@pytest.mark.parametrize("headers", [JSON, {"Accept": "*/*"}, {}], ids=["json", "any", "none"])
async def test_unknown_paths_without_html_accept_are_404(
    spa: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await spa.get("/explorer/1", headers=headers)
    assert response.status_code == 404
    assert INDEX not in response.text


async def test_only_get_and_head_fall_back(spa: httpx.AsyncClient) -> None:
    response = await spa.post("/explorer/1", headers=HTML)
    assert response.status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/..%2fsecret.txt",
        "/..%2f..%2fetc/passwd",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/%2fetc%2fpasswd",
        "/..%2fstatic-private/key.txt",
        "/assets/link.js",
    ],
)
@pytest.mark.parametrize("headers", [JSON, HTML], ids=["json", "html"])
async def test_nothing_outside_the_static_dir_is_served(
    spa: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    response = await spa.get(path, headers=headers)
    assert SECRET not in response.text
    assert "root:" not in response.text
    if headers is JSON or path.startswith("/assets/"):
        assert response.status_code == 404
    else:
        # a browser asking for a page gets the app, which shows its own "not found"
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert response.text == INDEX


async def test_the_real_app_answers_unknown_api_paths_with_a_json_404(
    client: httpx.AsyncClient,
) -> None:
    for headers in (HTML, JSON):
        response = await client.get("/api/nope", headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["code"] == "NOT_FOUND"
        assert body["error"]["code"] == "NOT_FOUND"
        assert body["status"] == 404


async def test_the_real_app_serves_a_page_at_the_root(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == NO_CACHE
    page = await client.get("/explorer/7", headers=HTML)
    assert page.status_code == 200
    assert page.text == response.text
    # operations endpoints are not swallowed by the fallback
    assert (await client.get("/healthz", headers=HTML)).json() == {"status": "ok"}
