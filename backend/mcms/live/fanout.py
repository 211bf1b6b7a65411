"""Sharing results among subscribers that go through Strawberry per subscriber.

Live WebSocket events bypass Strawberry altogether (``live/groups.py``); what
still goes through its per-subscriber pipeline is the replay after ``since``
(and catch-ups after a stalled socket), and subscriptions run in-process with
``schema.subscribe``. Reconnecting clients often replay the same events, so
here too subscribers whose operation and variables are the same get the same
answer for the same event (who may *receive* an event is decided before
execution, by the hub's filters):

- ``SharedEventExecutor`` (graphql-core's per-event executor) looks the result
  up by (operation, variables, eventId) before executing, and stores it after;
- ``encoded_payload`` keeps the JSON of each shared result, so each
  subscriber's frame is that text with its operation id around it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from graphql import ExecutionResult, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

MAX_SHARED = 4096


class _SharedResults:
    """A small LRU: entries are only useful while one event is being fanned out."""

    def __init__(self, size: int = MAX_SHARED) -> None:
        self.size = size
        self._results: OrderedDict[tuple[int, str, str], tuple[Any, ExecutionResult]] = (
            OrderedDict()
        )
        self._payloads: OrderedDict[int, tuple[object, str]] = OrderedDict()
        self.executions = 0
        self.shared = 0

    def get(self, key: tuple[int, str, str]) -> ExecutionResult | None:
        entry = self._results.get(key)
        if entry is None:
            return None
        self.shared += 1
        return entry[1]

    def put(self, key: tuple[int, str, str], operation: Any, result: ExecutionResult) -> None:
        # The operation node is kept alive with the entry, so its id() in the key
        # cannot be reused by another document while the entry exists.
        self.executions += 1
        self._results[key] = (operation, result)
        if len(self._results) > self.size:
            self._results.popitem(last=False)

    def payload_json(self, data: object, encode: Any) -> str:
        """The JSON of a shared result's ``data``, encoded once."""
        entry = self._payloads.get(id(data))
        if entry is not None and entry[0] is data:
            return entry[1]
        text: str = encode(data)
        self._payloads[id(data)] = (data, text)
        if len(self._payloads) > self.size:
            self._payloads.popitem(last=False)
        return text


SharedResults = _SharedResults
"""One per event hub (per app): event ids are unique within one database only."""


def _variables_key(values: object) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's graphql-core executor; for subscription events that carry
    an ``event_id``, executes once per (operation, variables, event) and hub."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        event_id = getattr(self.root_value, "event_id", None)
        results = getattr(getattr(self.context_value, "hub", None), "shared", None)
        is_event = self.operation.operation == OperationType.SUBSCRIPTION and event_id is not None
        if not is_event or not isinstance(results, _SharedResults):
            return super().execute_operation(serially)
        key = (id(self.operation), _variables_key(self.variable_values), str(event_id))
        shared = results.get(key)
        if shared is not None:
            return shared
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult):
            if not result.errors:
                results.put(key, self.operation, result)
            return result
        return self._store_when_done(results, key, result)

    async def _store_when_done(
        self, results: _SharedResults, key: tuple[int, str, str], pending: Any
    ) -> Any:
        result = await pending
        if isinstance(result, ExecutionResult) and not result.errors:
            results.put(key, self.operation, result)
        return result
