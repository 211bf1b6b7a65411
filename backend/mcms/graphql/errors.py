"""One mapping from exceptions to GraphQL errors with ``extensions.code``.

- ``DomainError`` → its code and message (expected; not logged as a failure).
- Errors GraphQL itself raises before resolving (syntax, validation, variable
  coercion, limits) → ``INVALID_ARGUMENT`` with GraphQL's message.
- Anything else is unexpected: logged with its traceback on the server, and
  the client sees ``INTERNAL`` with a generic message and no detail.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError

from mcms.core.errors import DomainError, ErrorCode

logger = logging.getLogger("mcms.graphql")

INTERNAL_MESSAGE = "Internal error; it has been logged."


def classify(error: GraphQLError) -> GraphQLError:
    """The client-facing version of ``error``."""
    original = error.original_error
    if isinstance(original, DomainError):
        extensions = {"code": original.code.value}
        return _rebuilt(error, original.message, extensions)
    if original is None or isinstance(original, GraphQLError):
        return _rebuilt(error, error.message, {"code": ErrorCode.INVALID_ARGUMENT.value})
    if isinstance(original, ValueError) and error.path is None:
        # Scalar parsing (e.g. BigInt) raises ValueError during variable coercion.
        return _rebuilt(error, error.message, {"code": ErrorCode.INVALID_ARGUMENT.value})
    return _rebuilt(error, INTERNAL_MESSAGE, {"code": ErrorCode.INTERNAL.value})


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return not (
        original is None
        or isinstance(original, DomainError | GraphQLError)
        or (isinstance(original, ValueError) and error.path is None)
    )


def _rebuilt(error: GraphQLError, message: str, extensions: dict[str, str]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def with_codes(errors: list[GraphQLError]) -> list[GraphQLError]:
    """``errors`` as clients see them: each with an ``extensions.code``."""
    return [error if (error.extensions or {}).get("code") else classify(error) for error in errors]


def log_unexpected(errors: list[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error):
            logger.error(
                "unexpected error in GraphQL resolver at %s",
                ".".join(str(p) for p in error.path or []),
                exc_info=error.original_error,
            )
