"""Accounts, API tokens and browser sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mcms.core.auth import Role
from mcms.core.db import Base, UTCDateTime, utcnow

__all__ = ["ApiToken", "Role", "User", "WebSession"]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    """Sign-in name; also the ``actor`` recorded in history."""
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    """argon2id hash; ``NULL`` for accounts that only use API tokens (agents)."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    """Deactivated users keep their history but can no longer sign in or use tokens."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    """Label chosen by whoever created it, e.g. the workstation's name."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 hex of the token; the token itself is shown once and never stored."""
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the token, so people can tell their tokens apart."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16), default="token", server_default="token")
    """``token`` (made by a person or ``mcms token create``) or ``addin_key`` (an add-in
    machine's key, made by ``POST /api/addin/keys/renew``)."""
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """After this the token no longer works; set on a renewed add-in key's
    predecessor so both work during the overlap."""


class WebSession(Base):
    """A signed-in browser. The cookie carries a random secret; only its hash is here."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
