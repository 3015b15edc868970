"""Reading list entries of the active versions."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from service.sources.tables import ListEntry, ListVersion


def active_entry(session: Session, source: str, entity_id: str) -> ListEntry | None:
    """The entry as the source's active version lists it, or None."""
    return session.execute(
        select(ListEntry)
        .join(ListVersion, col(ListVersion.id) == col(ListEntry.version_id))
        .where(
            col(ListVersion.source) == source,
            col(ListVersion.status) == "active",
            col(ListEntry.entity_id) == entity_id,
        )
    ).scalar_one_or_none()
