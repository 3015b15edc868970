"""Per-source state: what is active, how old it is, what failed last. Used by the API, CLI, /readyz and metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from service.sources.catalogue import Catalogue
from service.sources.tables import ListVersion
from service.timeutil import utc_now


@dataclass(slots=True, frozen=True)
class SourceStatus:
    source: str
    name: str
    publisher: str
    kind: str
    version: int | None
    record_count: int
    fetched_at: datetime | None
    checked_at: datetime | None  # the latest time the content was known current (download or unchanged check)
    published_at: datetime | None
    activated_at: datetime | None
    age_seconds: float | None
    status: str  # ok | stale | missing | failed
    last_error: str | None
    last_failed_at: datetime | None
    max_age_hours: float | None


def source_statuses(session: Session, catalogue: Catalogue, *, now: datetime | None = None) -> list[SourceStatus]:
    now = now or utc_now()
    versions = session.execute(select(ListVersion).order_by(col(ListVersion.id))).scalars().all()
    active: dict[str, ListVersion] = {}
    last_failure: dict[str, ListVersion] = {}
    for version in versions:
        if version.status == "active":
            active[version.source] = version
        elif version.status == "failed":
            last_failure[version.source] = version
    statuses: list[SourceStatus] = []
    for source in catalogue:
        current = active.get(source.id)
        failure = last_failure.get(source.id)
        # A failure older than the active version is history, not the source's state.
        if failure is not None and current is not None and (failure.id or 0) < (current.id or 0):
            failure = None
        # Age counts from the last time the publisher confirmed the content, not from its first download:
        # a list the publisher did not change for a week is a week-old download but a current list.
        confirmed = max(current.fetched_at, current.checked_at or current.fetched_at) if current else None
        age = (now - confirmed).total_seconds() if confirmed else None
        if current is None:
            state = "failed" if failure else "missing"
        elif source.max_age_hours is not None and age is not None and age > source.max_age_hours * 3600:
            state = "stale"
        else:
            state = "ok"
        statuses.append(
            SourceStatus(
                source=source.id,
                name=source.name,
                publisher=source.publisher,
                kind=source.kind,
                version=current.id if current else None,
                record_count=current.record_count if current else 0,
                fetched_at=current.fetched_at if current else None,
                checked_at=confirmed,
                published_at=current.published_at if current else None,
                activated_at=current.activated_at if current else None,
                age_seconds=round(age, 1) if age is not None else None,
                status=state,
                last_error=failure.error if failure else None,
                last_failed_at=failure.fetched_at if failure else None,
                max_age_hours=source.max_age_hours,
            )
        )
    return statuses


class StatusBoard:
    """Each source's state as the index poll last read it from the store.

    Screening asks it whether the required lists are current (it must not read the store per
    request); until the first poll nothing is known, so every required list counts as unchecked.
    """

    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self.loading: str | None = None  # "loading lists: 4/9" while the first-start load runs

    def update(self, statuses: list[SourceStatus]) -> None:
        self._states = {status.source: status.status for status in statuses}

    def not_current(self, sources: list[str]) -> list[str]:
        """`source (state)` for each of `sources` that is not loaded and within its maximum age."""
        return [
            f"{source} ({self._states.get(source, 'unchecked')})"
            for source in sources
            if self._states.get(source) != "ok"
        ]
