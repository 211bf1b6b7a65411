"""Who is calling, and what their role lets them do.

Every resolver and REST handler resolves a ``Principal`` first and checks a
``Permission`` on the server; the SPA only mirrors these rules. The table below
is the whole policy: ownership rules (an engineer edits only their own
routings, nobody approves their own) live in the services next to the data.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mcms.core.errors import Forbidden, Unauthenticated

TOKEN_PREFIX = "mcms_"  # noqa: S105 - a public prefix, not a secret
TOKEN_RANDOM_BYTES = 32
"""256 random bits; the issue asks for at least 128."""


class Role(StrEnum):
    ENGINEER = "ENGINEER"
    APPROVER = "APPROVER"
    ADMIN = "ADMIN"
    AUDITOR = "AUDITOR"
    AGENT = "AGENT"


class Permission(StrEnum):
    READ = "read"
    CREATE_ITEM = "create_item"
    CREATE_ROUTING = "create_routing"
    EDIT_ROUTING = "edit_routing"
    SUBMIT_ROUTING = "submit_routing"
    APPROVE_ROUTING = "approve_routing"
    EDIT_ANY_ROUTING = "edit_any_routing"
    MANAGE_USERS = "manage_users"
    MANAGE_OWN_TOKENS = "manage_own_tokens"
    USE_ADDIN_SHIM = "use_addin_shim"
    MANAGE_ADDIN_JOBS = "manage_addin_jobs"
    """Queue, retry and cancel any routing's jobs (owners may retry and cancel their own)."""
    MANAGE_ADDIN_PARAMETERS = "manage_addin_parameters"
    MANAGE_ADDIN_KEYS = "manage_addin_keys"


_HUMAN_READ = {Permission.READ, Permission.MANAGE_OWN_TOKENS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ENGINEER: frozenset(
        _HUMAN_READ
        | {
            Permission.CREATE_ITEM,
            Permission.CREATE_ROUTING,
            Permission.EDIT_ROUTING,
            Permission.SUBMIT_ROUTING,
        }
    ),
    Role.APPROVER: frozenset(
        _HUMAN_READ | {Permission.APPROVE_ROUTING, Permission.MANAGE_ADDIN_JOBS}
    ),
    Role.ADMIN: frozenset(set(Permission) - {Permission.USE_ADDIN_SHIM}),
    Role.AUDITOR: frozenset({Permission.READ}),
    Role.AGENT: frozenset({Permission.USE_ADDIN_SHIM}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    user_id: int
    username: str
    display_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


def require(principal: Principal | None, permission: Permission) -> Principal:
    """The principal, if signed in and allowed ``permission``; else the SPEC error."""
    if principal is None:
        raise Unauthenticated("Sign in or send an API token (Authorization: Bearer ...).")
    if not principal.can(permission):
        raise Forbidden(f"The {principal.role} role may not {permission.value.replace('_', ' ')}.")
    return principal


_password_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


_DUMMY_HASH = _password_hasher.hash(secrets.token_hex(8))


def burn_password_check(password: str) -> None:
    """Spend the same time as a real check, so unknown usernames don't answer faster."""
    verify_password(_DUMMY_HASH, password)


def new_secret(prefix: str = TOKEN_PREFIX) -> str:
    return prefix + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)


def secret_hash(secret: str) -> str:
    """What we store for tokens and session cookies: SHA-256 hex, never the secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
