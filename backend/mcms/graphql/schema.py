"""Composes the domains' Query and Mutation parts into one schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from functools import lru_cache
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult

from mcms.addin_jobs.schema import AddinJobMutation, AddinJobQuery, AddinKeyQuery
from mcms.approvals.schema import ApprovalMutation
from mcms.files.schema import FileMutation, FileQuery
from mcms.graphql.errors import log_unexpected, with_codes
from mcms.graphql.scalars import SCALAR_MAP, BigInt
from mcms.items.schema import ItemMutation, ItemQuery
from mcms.live.fanout import SharedEventExecutor
from mcms.live.schema import AlertQuery, LiveSubscription
from mcms.routings.schema import RoutingMutation, RoutingQuery
from mcms.settings import Settings
from mcms.users.schema import UserMutation, UserQuery


@strawberry.type(description="Everything an integrator can read.")
class Query(
    UserQuery, ItemQuery, RoutingQuery, AddinJobQuery, AddinKeyQuery, FileQuery, AlertQuery
):
    pass


@strawberry.type(description="Everything that changes data. Each mutation is one transaction.")
class Mutation(
    UserMutation, ItemMutation, RoutingMutation, ApprovalMutation, AddinJobMutation, FileMutation
):
    pass


async def _coded_stream(results: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for result in results:
        if getattr(result, "errors", None):
            result.errors = with_codes(result.errors)
        yield result


@strawberry.type(
    description="Live events. Each replays from `since` (an eventId) first, then goes live."
)
class Subscription(LiveSubscription):
    pass


class MCMSSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors (bad input, forbidden, conflict) are answers, not failures.
        log_unexpected(errors)

    # Errors get their codes here, where every result leaves the schema: in an
    # extension's operation hook, parse errors (raised on entering the parse hook
    # by ParserCache) and subscription events would slip past.
    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        results = await super().stream(*args, **kwargs)
        return _coded_stream(results)

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = with_codes(result.errors)
        return result


class OperationNameRequired(SchemaExtension):
    """A document with several operations must say which to run (GraphQL spec,
    "GetOperation"); Strawberry would silently run the first one."""

    def on_execute(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        # ``operation_name`` falls back to the first operation's name; we need to
        # know whether the client gave one, which only the private field records.
        if document is not None and self.execution_context._provided_operation_name is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                message = "Must provide operationName when the document holds several operations."
                self.execution_context.result = GraphQLExecutionResult(
                    data=None,
                    errors=[GraphQLError(message, extensions={"code": "INVALID_ARGUMENT"})],
                )
        yield


PARSER_CACHE_SIZE = 512
VALIDATION_CACHE_SIZE = 512


def _extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    # Factories, not instances: Strawberry builds fresh extensions per operation.
    # The limit rules are built once, here: ValidationCache keys on the rule
    # classes, and a class made per request would make every request a miss.
    limit_rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: ParserCache(maxsize=PARSER_CACHE_SIZE),
        lambda: AddValidationRules(limit_rules),
        lambda: ValidationCache(maxsize=VALIDATION_CACHE_SIZE),
        OperationNameRequired,
    ]
    if settings.is_production:
        extensions.append(DisableIntrospection)
    return extensions


def build_schema(settings: Settings) -> MCMSSchema:
    return MCMSSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # One execution per event for all subscribers of the same operation.
        execution_context_class=SharedEventExecutor,
        extensions=_extensions(settings),
        config=StrawberryConfig(
            disable_field_suggestions=settings.is_production,
            scalar_map=SCALAR_MAP,  # type: ignore[arg-type]
        ),
        types=[BigInt],
    )


@lru_cache(maxsize=1)
def sdl() -> str:
    """The schema as SDL, exactly as ``mcms export-schema`` writes it."""
    return build_schema(Settings()).as_str() + "\n"


__all__ = ["MCMSSchema", "build_schema", "sdl"]
