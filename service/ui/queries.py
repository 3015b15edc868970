"""What the lists page and the dashboard show, read from the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from service.cases.tables import CaseEvent, ReviewCase
from service.decisions import DECISIONS
from service.screening.tables import ScreeningRecord
from service.sources.tables import ListChange, ListVersion
from service.timeutil import utc_now

HISTORY_DAYS = 30


@dataclass(slots=True, frozen=True)
class VersionEvent:
    version: int
    status: str
    at: datetime
    record_count: int
    error: str | None


@dataclass(slots=True, frozen=True)
class ListHistory:
    events: list[VersionEvent]
    latest_change: ListChange | None


def list_histories(session: Session, *, now: datetime | None = None) -> dict[str, ListHistory]:
    """Per source: its versions of the last 30 days (newest first) and the change report of the newest."""
    since = (now or utc_now()) - timedelta(days=HISTORY_DAYS)
    versions = session.execute(
        select(ListVersion).where(col(ListVersion.fetched_at) >= since).order_by(col(ListVersion.id).desc())
    ).scalars()
    events: dict[str, list[VersionEvent]] = {}
    for version in versions:
        events.setdefault(version.source, []).append(
            VersionEvent(version.id or 0, version.status, version.fetched_at, version.record_count, version.error)
        )
    latest: dict[str, ListChange] = {}
    for change in session.execute(select(ListChange).order_by(col(ListChange.version_id).desc())).scalars():
        latest.setdefault(change.source, change)
    sources = set(events) | set(latest)
    return {source: ListHistory(events.get(source, []), latest.get(source)) for source in sources}


def screenings_per_day(session: Session, *, now: datetime | None = None) -> tuple[list[date], dict[str, list[int]]]:
    """The last 30 days, and per decision the number of screenings on each day (UTC)."""
    today = (now or utc_now()).date()
    days = [today - timedelta(days=offset) for offset in range(HISTORY_DAYS - 1, -1, -1)]
    since = datetime.combine(days[0], datetime.min.time(), tzinfo=(now or utc_now()).tzinfo)
    day = func.date(col(ScreeningRecord.created_at))
    rows = session.execute(
        select(day, col(ScreeningRecord.decision), func.count())
        .where(col(ScreeningRecord.created_at) >= since)
        .group_by(day, col(ScreeningRecord.decision))
    ).all()
    # SQLite's date() gives text, PostgreSQL's a date: both read back as the ISO day.
    counts = {(date.fromisoformat(str(day_value)[:10]), decision): int(count) for day_value, decision, count in rows}
    return days, {decision: [counts.get((day, decision), 0) for day in days] for decision in DECISIONS}


def screening_total(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(ScreeningRecord)).scalar_one())


# Age buckets of the dashboard's case charts: (label, upper bound in hours).
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 1 h", 1),
    ("1-8 h", 8),
    ("8-24 h", 24),
    ("1-3 d", 72),
    ("3-7 d", 168),
    ("> 7 d", float("inf")),
)
# The events that settle hits for good: a decision applied at once, or a proposal approved (four-eyes).
SETTLING_EVENTS = ("decision", "decision.approved")


def bucketed(hours: list[float]) -> list[int]:
    counts = [0] * len(AGE_BUCKETS)
    for value in hours:
        counts[next(i for i, (_, bound) in enumerate(AGE_BUCKETS) if value < bound)] += 1
    return counts


def open_case_ages(session: Session, *, now: datetime | None = None) -> list[int]:
    """Cases not closed, per age bucket (since they were opened or last reopened)."""
    moment = now or utc_now()
    opened = session.execute(select(col(ReviewCase.opened_at)).where(col(ReviewCase.status) != "closed")).scalars()
    return bucketed([(moment - at).total_seconds() / 3600 for at in opened])


def decision_times(session: Session, *, now: datetime | None = None) -> list[float]:
    """Hours from a case's opening to each false_positive / true_match decision of the last 30 days."""
    since = (now or utc_now()) - timedelta(days=HISTORY_DAYS)
    rows = session.execute(
        select(col(CaseEvent.at), col(ReviewCase.created_at), col(CaseEvent.details))
        .join(ReviewCase, col(ReviewCase.id) == col(CaseEvent.case_id))
        .where(col(CaseEvent.action).in_(SETTLING_EVENTS), col(CaseEvent.at) >= since)
    ).all()
    return [
        max(0.0, (at - opened).total_seconds() / 3600)
        for at, opened, details in rows
        if details.get("action") in ("false_positive", "true_match")
    ]
