"""Reading alerts: oldest first, so a consumer polling with `since` or a cursor sees each alert once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from service.monitoring.tables import Alert


def query_alerts(
    session: Session,
    *,
    since: datetime | None,
    kind: str | None,
    reference: str | None,
    limit: int,
    after_id: int | None,
) -> tuple[list[Alert], int | None]:
    """Keyset-paginated on the alert id (ids grow with time); a `since` without a zone is read as UTC."""
    statement = select(Alert).order_by(col(Alert.id))
    if since is not None:
        statement = statement.where(col(Alert.created_at) >= (since if since.tzinfo else since.replace(tzinfo=UTC)))
    if kind is not None:
        statement = statement.where(col(Alert.kind) == kind)
    if reference is not None:
        statement = statement.where(col(Alert.reference) == reference)
    if after_id is not None:
        statement = statement.where(col(Alert.id) > after_id)
    rows = list(session.execute(statement.limit(limit + 1)).scalars())
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_cursor
