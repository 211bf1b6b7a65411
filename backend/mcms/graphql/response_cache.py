"""A cache of whole GraphQL query responses, valid for one database version.

The engineers' and approvers' screens ask the same few queries over and over
(the explorer, the inbox) while the data changes a few times a minute.
Executing a page of 50 routings through GraphQL costs ~10 ms of CPU here, so
answering repeats from memory is what lets one small PC serve a whole shop.

Correctness rests on ``Database.data_version()``: a token that changes when
anything is committed, by any process. The token is read *before* executing,
and the response is stored under it, so a response can only be served while
no commit has happened since before it was computed. A new token empties the
cache. Keys include the caller's role, since permissions are per role, and the
caller themself when the query asks about them (``me``, ``apiTokens``,
``mine``); so after a change, one engineer's request refills the explorer for
every engineer. Only successful queries are cached; mutations, errors and
batches never are.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    parse,
    visit,
)

from mcms.core.auth import Principal

MAX_ENTRIES = 2048
MAX_BYTES = 64 * 1024 * 1024
MAX_QUERY_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class CacheKey:
    version: str
    digest: str


CALLER_FIELDS = frozenset({"me", "apiTokens", "uploadSession", "createUploadSession"})
"""Fields whose answer depends on who asks, not only on their role."""
CALLER_ARGUMENTS = frozenset({"mine"})
"""Arguments that make a field's answer depend on who asks."""


class Scope(Enum):
    """Whose answer a cached response is: every caller with the same role shares
    one (permissions are per role), unless the query asks about the caller."""

    ROLE = "role"
    USER = "user"


@lru_cache(maxsize=512)
def cache_scope(query: str, operation_name: str | None) -> Scope | None:
    """How a query's answer may be shared, or ``None`` if it must not be cached
    (not a single query operation, or unparsable). Parsing is cached."""
    try:
        document = parse(query)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return None
    # The whole document, fragments included, so nothing caller-specific hides.
    names = _CollectNames()
    visit(document, names)
    if names.fields & CALLER_FIELDS or names.arguments & CALLER_ARGUMENTS:
        return Scope.USER
    return Scope.ROLE


class _CollectNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.fields: set[str] = set()
        self.arguments: set[str] = set()

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.fields.add(node.name.value)

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        self.arguments.add(node.name.value)


def make_key(
    version: str,
    principal: Principal | None,
    query: object,
    variables: object,
    operation_name: object,
) -> CacheKey | None:
    """The key for a request, or ``None`` when the request must not be cached."""
    if principal is None or not isinstance(query, str) or len(query) > MAX_QUERY_CHARS:
        return None
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    scope = cache_scope(query, operation_name)
    if scope is None:
        return None
    caller = principal.user_id if scope is Scope.USER else None
    material = json.dumps(
        [caller, principal.role.value, query, variables or {}, operation_name],
        sort_keys=True,
        separators=(",", ":"),
    )
    return CacheKey(version=version, digest=hashlib.sha256(material.encode()).hexdigest())


class ResponseCache:
    """Bounded LRU of encoded response bodies for the current database version."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._version: str | None = None
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: CacheKey) -> bytes | None:
        self._roll(key.version)
        body = self._entries.get(key.digest)
        if body is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key.digest)
        self.hits += 1
        return body

    def put(self, key: CacheKey, body: bytes) -> None:
        if key.version != self._version or len(body) > self.max_bytes // 8:
            return  # the data moved on while we computed; keep only current answers
        previous = self._entries.pop(key.digest, None)
        if previous is not None:
            self._bytes -= len(previous)
        self._entries[key.digest] = body
        self._bytes += len(body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted)

    def _roll(self, version: str) -> None:
        if version != self._version:
            self._version = version
            self._entries.clear()
            self._bytes = 0
