"""One typed settings object, read once: ``MCMS_*`` environment variables over an
optional TOML file (``MCMS_CONFIG`` or ``./mcms.toml``) over safe defaults."""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


def _config_file() -> Path:
    return Path(os.environ.get("MCMS_CONFIG", "mcms.toml"))


class Settings(BaseSettings):
    """Everything the process needs to know about its surroundings."""

    model_config = SettingsConfigDict(env_prefix="MCMS_", extra="forbid", hide_input_in_errors=True)

    environment: Environment = Environment.DEVELOPMENT
    """``production`` refuses the unsafe development defaults (see ``_refuse_unsafe``)."""

    data_dir: Path = Path("var")
    """Holds the SQLite database, the file store and the logs."""

    database_url: str = ""
    """SQLAlchemy async URL; empty means ``sqlite+aiosqlite:///<data_dir>/mcms.db``."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    """uvicorn worker processes for ``mcms serve`` (each one a full app)."""

    db_pool_size: int = Field(default=10, ge=1)
    session_cookie_name: str = "mcms_session"
    session_ttl_hours: int = Field(default=12, ge=1)
    cookie_secure: bool = False
    """Mark the session cookie ``Secure``; required in production (served over TLS)."""

    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    """Largest JSON / GraphQL body accepted; larger gets ``PAYLOAD_TOO_LARGE``."""

    graphql_max_depth: int = Field(default=12, ge=2)
    graphql_max_aliases: int = Field(default=30, ge=1)
    graphql_max_tokens: int = Field(default=5000, ge=100)

    graphql_response_cache: bool = True
    """Answer repeated queries from memory while the database is unchanged
    (see ``graphql/response_cache.py``); switch off to measure raw execution."""

    allowed_origins: list[str] = Field(default_factory=list)
    """Other origins (``https://mes.example``) whose pages may open the GraphQL
    WebSocket; the server's own origin always may."""
    max_subscriptions_per_connection: int = Field(default=50, ge=1, le=1000)

    events_poll_seconds: float = Field(default=0.1, gt=0, le=10)
    """How often each process reads new events from the event log for its
    subscribers (live-update latency; one small query per process, not per
    subscriber)."""

    events_retention_days: int = Field(default=7, ge=1, le=3650)
    """How long the event log keeps events for replay; a ``since`` from before
    that gets ``RESYNC`` (reload) instead of a silent gap."""

    broadcast_url: str = "memory://"
    """How a process wakes the others' event hubs after it commits events:
    ``memory://`` (one process), ``redis://host:port/db`` (Redis pub/sub) or
    ``postgresql://user:password@host:port/db`` (LISTEN/NOTIFY; may be the
    application's database). Only a wake-up: every process reads the events
    from the shared log, so while the bus is down they arrive at poll speed,
    late but never lost (see ``live/broadcast.py``)."""

    addin_lease_seconds: int = Field(default=300, ge=5, le=86_400)
    """How long a claimed job stays with its agent without a heartbeat."""
    addin_legacy_lease_seconds: int = Field(default=1800, ge=5, le=86_400)
    """The lease of a job handed out by the legacy poll (``GET /api/addin/jobs/next``):
    long, because the old add-in never heartbeats."""
    addin_max_attempts: int = Field(default=3, ge=1, le=100)
    """Expired leases a job survives; after that it fails with ``TIMED_OUT``."""
    addin_max_wait_seconds: int = Field(default=60, ge=0, le=300)
    """Longest long-poll a claim may ask for (``?wait=S``)."""
    addin_sweep_seconds: float = Field(default=5.0, gt=0, le=3600)
    """How often the worker returns expired leases to the queue."""
    addin_key_overlap_hours: float = Field(default=24, ge=0, le=24 * 365)
    """After ``POST /api/addin/keys/renew`` the previous key keeps working this long,
    so add-in machines can be switched over one by one."""

    worker_enabled: bool = True
    """Run the background worker inside ``mcms serve`` (``mcms worker`` runs it alone)."""
    worker_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    """How often an idle worker looks for due commands."""
    worker_max_attempts: int = Field(default=5, ge=1, le=100)
    """Transient failures a command survives (retried with backoff) before it is
    given up and administrators are alerted."""

    files_dir: Path | None = None
    """The file store (partial uploads and the content-addressed blobs);
    empty means ``<data_dir>/files``. Keep it on one file system: blobs are
    committed by renaming the finished upload into place."""
    upload_max_bytes: int = Field(default=20 * 1024**3, ge=1)
    """Largest file an upload may declare (``Tus-Max-Size``)."""
    upload_chunk_bytes: int = Field(default=10 * 1024**2, ge=64 * 1024, le=1024**3)
    """The chunk size suggested to clients that ask none."""
    upload_expiry_hours: float = Field(default=24, gt=0, le=24 * 365)
    """An upload that receives nothing for this long expires with its partial bytes."""
    upload_min_free_bytes: int = Field(default=256 * 1024**2, ge=0)
    """Headroom left on the store's disk: an upload that would eat into it is refused."""
    legacy_upload_max_bytes: int = Field(default=100 * 1024**2, ge=1024)
    """Largest file ``POST /api/routings/{id}/files`` (multipart) accepts; bigger
    files go through the resumable uploads."""
    files_gc_grace_hours: float = Field(default=48, gt=0)
    """Unreferenced blobs are deleted only once this old; must exceed the upload
    expiry so bytes an upload in flight is about to reuse are never taken."""
    download_max_ranges: int = Field(default=16, ge=1, le=1000)
    """Most byte ranges one download request may ask for."""

    av: str = "none"
    """Virus scanner: ``clamd://host:port`` (ClamAV), ``http(s)://...`` (an AV
    HTTP API) or ``none`` (files are marked ``SKIPPED``, "not scanned")."""
    av_max_bytes: int | None = Field(default=None, ge=1)
    """Largest file the scanner takes; empty means its own limit (ClamAV: 2 GiB)."""
    av_timeout_seconds: float = Field(default=300, gt=0)
    av_unscanned: Literal["block", "allow"] = "block"
    """What happens to a file that could not be scanned (scanner down, file over
    its limit): ``block`` keeps it from being downloaded, ``allow`` serves it."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_json: bool = True
    log_file_bytes: int = 10 * 1024 * 1024
    log_file_count: int = 5

    demo: bool = False
    """Load demo users and data on start (``mcms serve --demo``)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        """An empty URL (the embedded SQLite) or one SQLAlchemy can load a driver
        for; the message never echoes the URL, which may hold a password."""
        if not url:
            return url
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            make_url(url).get_dialect()
        except ArgumentError:
            raise ValueError("not a database URL (e.g. postgresql+asyncpg://...)") from None
        except NoSuchModuleError:
            scheme = url.partition("://")[0]
            raise ValueError(f"no database driver for {scheme!r}") from None
        return url

    @field_validator("broadcast_url")
    @classmethod
    def _known_broadcast(cls, url: str) -> str:
        from mcms.live.broadcast import validate_url

        return validate_url(url)

    @field_validator("av")
    @classmethod
    def _known_scanner(cls, url: str) -> str:
        from mcms.files.scanning import validate_url

        return validate_url(url)

    @model_validator(mode="after")
    def _gc_outlives_uploads(self) -> Settings:
        if self.files_gc_grace_hours <= self.upload_expiry_hours:
            raise ValueError(
                "MCMS_FILES_GC_GRACE_HOURS must exceed MCMS_UPLOAD_EXPIRY_HOURS "
                "(an upload in flight may be about to reuse an unreferenced blob)"
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            problems = []
            if not self.cookie_secure:
                problems.append("MCMS_COOKIE_SECURE must be true (sessions travel over TLS)")
            if self.demo:
                problems.append("MCMS_DEMO must be false (demo users have known passwords)")
            if problems:
                raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'mcms.db').resolve()}"

    @property
    def resolved_files_dir(self) -> Path:
        return self.files_dir or self.data_dir / "files"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


@lru_cache(maxsize=1)
def get_settings(**overrides: Any) -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings(**overrides)
