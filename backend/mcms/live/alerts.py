"""Alerts (SPEC §2): published to the event log for the people concerned."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from mcms.live import log

ALERT = "notification.alert"


class AlertSeverity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


async def publish_alert(
    *,
    session: AsyncSession,
    type: str,
    title: str,
    message: str,
    severity: AlertSeverity,
    audience: Sequence[str],
    routing_id: int | None = None,
) -> None:
    """Alert ``audience`` (``user:<id>`` / ``role:<ROLE>`` entries), in the caller's
    transaction. Nobody outside the audience ever receives it."""
    await log.publish(
        session=session,
        name=ALERT,
        routing_id=routing_id,
        audience=audience,
        payload={"type": type, "title": title, "message": message, "severity": severity.value},
    )
