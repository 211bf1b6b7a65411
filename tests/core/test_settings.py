"""Settings: safe defaults, ``MCMS_*`` variables over a TOML file, and a
production mode that refuses unsafe defaults and hides the schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from mcms.app import create_app
from mcms.core.db import Database
from mcms.settings import Environment, Settings

INTROSPECTION = "{ __schema { types { name } } }"


@pytest.fixture
def backend() -> str:
    """Nothing here depends on the database engine; SQLite is enough."""
    return "sqlite"


# --- defaults and sources ---------------------------------------------------------------


def test_defaults_work_with_no_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.environment is Environment.DEVELOPMENT
    assert not settings.is_production
    assert settings.data_dir == Path("var")
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'mcms.db'}"
    assert settings.log_dir == Path("var") / "logs"
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.workers == 1
    assert settings.demo is False


def test_environment_variables_override_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MCMS_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("MCMS_PORT", "9123")
    monkeypatch.setenv("MCMS_HOST", "192.0.2.10")
    monkeypatch.setenv("MCMS_LOG_JSON", "false")
    monkeypatch.setenv("MCMS_DB_POOL_SIZE", "3")
    settings = Settings()
    assert settings.data_dir == tmp_path / "elsewhere"
    assert settings.resolved_database_url == (
        f"sqlite+aiosqlite:///{tmp_path / 'elsewhere' / 'mcms.db'}"
    )
    assert settings.port == 9123
    assert settings.host == "192.0.2.10"
    assert settings.log_json is False
    assert settings.db_pool_size == 3


def test_an_explicit_database_url_wins_over_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+asyncpg://mcms@db.example:5432/mcms"
    monkeypatch.setenv("MCMS_DATABASE_URL", url)
    assert Settings().resolved_database_url == url


@pytest.mark.parametrize(
    ("name", "value"),
    [("MCMS_PORT", "0"), ("MCMS_PORT", "http"), ("MCMS_ENVIRONMENT", "staging")],
)
def test_bad_environment_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.removeprefix("MCMS_").lower()):
        Settings()


def _write_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: str) -> Path:
    config = tmp_path / "mcms.toml"
    config.write_text(body, encoding="utf-8")
    monkeypatch.setenv("MCMS_CONFIG", str(config))
    return config


def test_a_toml_file_named_by_mcms_config_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _write_toml(
        monkeypatch,
        tmp_path,
        f'data_dir = "{tmp_path / "from-toml"}"\nport = 8500\nlog_level = "DEBUG"\n',
    )
    settings = Settings()
    assert settings.data_dir == tmp_path / "from-toml"
    assert settings.port == 8500
    assert settings.log_level == "DEBUG"


def test_environment_beats_toml_and_arguments_beat_both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _write_toml(monkeypatch, tmp_path, 'port = 8500\nhost = "10.0.0.1"\nworkers = 3\n')
    monkeypatch.setenv("MCMS_PORT", "8600")
    monkeypatch.setenv("MCMS_HOST", "10.0.0.2")
    settings = Settings(host="10.0.0.3")
    assert settings.port == 8600  # env over TOML
    assert settings.host == "10.0.0.3"  # argument (the CLI's --host) over env
    assert settings.workers == 3  # TOML over default


def test_a_typo_in_the_toml_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _write_toml(monkeypatch, tmp_path, "prot = 8500\n")
    with pytest.raises(ValidationError, match="prot"):
        Settings()


def test_mcms_toml_in_the_working_directory_is_the_default_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MCMS_CONFIG")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mcms.toml").write_text("port = 8701\n", encoding="utf-8")
    assert Settings().port == 8701


# --- production ----------------------------------------------------------------------------


def test_production_refuses_insecure_cookies() -> None:
    with pytest.raises(ValidationError, match="MCMS_COOKIE_SECURE must be true"):
        Settings(environment=Environment.PRODUCTION)


def test_production_refuses_demo_mode() -> None:
    with pytest.raises(ValidationError, match="MCMS_DEMO must be false") as refused:
        Settings(environment=Environment.PRODUCTION, cookie_secure=True, demo=True)
    assert "MCMS_COOKIE_SECURE" not in str(refused.value)


def test_production_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCMS_ENVIRONMENT", "production")
    monkeypatch.setenv("MCMS_DEMO", "true")
    with pytest.raises(ValidationError) as refused:
        Settings()
    message = str(refused.value)
    assert "MCMS_COOKIE_SECURE" in message
    assert "MCMS_DEMO" in message
    monkeypatch.setenv("MCMS_COOKIE_SECURE", "true")
    monkeypatch.setenv("MCMS_DEMO", "false")
    assert Settings().is_production


def test_development_allows_the_unsafe_defaults() -> None:
    settings = Settings(demo=True)
    assert settings.demo is True
    assert settings.cookie_secure is False


async def _client_for(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, db=db))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def production(tmp_path: Path, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        environment=Environment.PRODUCTION, cookie_secure=True, data_dir=tmp_path / "p"
    )
    async for http in _client_for(settings, db):
        yield http


@pytest.fixture
async def development(tmp_path: Path, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client_for(Settings(data_dir=tmp_path / "d"), db):
        yield http


async def test_production_disables_introspection(production: httpx.AsyncClient) -> None:
    response = await production.post("/graphql", json={"query": INTROSPECTION})
    body = response.json()
    assert body.get("errors"), body
    assert not (body.get("data") or {}).get("__schema")
    assert "introspection" in body["errors"][0]["message"].lower()
    # ordinary queries still work
    ok = await production.post("/graphql", json={"query": "{ me { username } }"})
    assert ok.json() == {"data": {"me": None}}


async def test_production_serves_no_graphiql(production: httpx.AsyncClient) -> None:
    response = await production.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code in (400, 404)
    assert "graphiql" not in response.text.lower()
    assert response.headers["content-type"].startswith("application/json")
    # nor does introspection sneak in through a GET query
    via_get = await production.get("/graphql", params={"query": INTROSPECTION})
    assert via_get.json().get("errors")
    assert not (via_get.json().get("data") or {}).get("__schema")


async def test_development_allows_introspection(development: httpx.AsyncClient) -> None:
    response = await development.post("/graphql", json={"query": INTROSPECTION})
    body = response.json()
    assert "errors" not in body, body
    names = {t["name"] for t in body["data"]["__schema"]["types"]}
    assert {"Query", "Mutation", "Routing", "BigInt"} <= names

    via_get = await development.get("/graphql", params={"query": INTROSPECTION})
    assert "errors" not in via_get.json(), via_get.text
    assert via_get.json()["data"]["__schema"]["types"]
