"""A source's stored versions: which one is active, what a new one is held against, what failed, what is kept.

The ingest pipeline (`ingest.py`) and the download refresh (`refresh.py`) share these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlmodel import Session, col

from service.metrics import Metrics
from service.sources.tables import ListChange, ListEntry, ListVersion
from service.timeutil import utc_now

log = logging.getLogger(__name__)


@dataclass(slots=True, frozen=True)
class ShrinkReference:
    """The record count a new version is held against: the largest of the last versions that were active."""

    record_count: int
    version_id: int
    depth: int  # how many versions back were looked at


def mark_checked(session: Session, version: ListVersion, validators: dict[str, Any] | None = None) -> None:
    """The publisher still serves this content: the list is current as of now (its age restarts)."""
    version.checked_at = utc_now()
    if validators:
        version.validators = validators
    session.add(version)
    session.commit()


def active_version(session: Session, source: str) -> ListVersion | None:
    return session.execute(
        select(ListVersion).where(col(ListVersion.source) == source, col(ListVersion.status) == "active")
    ).scalar_one_or_none()


def shrink_reference(session: Session, source: str, depth: int) -> ShrinkReference | None:
    """The largest of the last `depth` versions that were active, back to the latest forced one.

    Against the previous version alone, a list could shrink in steps that each pass (-45%, then -45%
    again); against the largest of several it cannot. A version accepted with --force is a new baseline.
    """
    versions = session.execute(
        select(ListVersion)
        .where(col(ListVersion.source) == source, col(ListVersion.status).in_(("active", "superseded")))
        .order_by(col(ListVersion.id).desc())
        .limit(depth)
    ).scalars()
    largest: ListVersion | None = None
    looked_at = 0
    for version in versions:
        looked_at += 1
        if largest is None or version.record_count > largest.record_count:
            largest = version
        if version.stats.get("forced"):
            break
    if largest is None or largest.id is None:
        return None
    return ShrinkReference(largest.record_count, largest.id, looked_at)


def record_failure(engine: Engine, source: str, origin: str, error: str, metrics: Metrics) -> int:
    """A failure before any version existed (a download that failed) is recorded as a failed version too."""
    metrics.observe_ingest(source, 0.0, ok=False)
    with Session(engine) as session:
        version = ListVersion(source=source, origin=origin, status="failed", error=error[:4000])
        session.add(version)
        session.commit()
        return version.id or 0


def mark_failed(engine: Engine, version_id: int, error: str) -> None:
    with Session(engine) as session:
        session.execute(delete(ListEntry).where(col(ListEntry.version_id) == version_id))
        session.execute(
            update(ListVersion).where(col(ListVersion.id) == version_id).values(status="failed", error=error[:4000])
        )
        session.commit()
    log.warning("ingest version %s failed: %s", version_id, error[:500])


def prune_after_failure(engine: Engine, source: str, *, keep_versions: int, keep_failed: int) -> None:
    """Prune, but never let a failure to prune hide the ingest's own error."""
    try:
        prune(engine, source, keep_versions=keep_versions, keep_failed=keep_failed)
    except Exception:
        log.exception("ingest %s: pruning old versions after a failure failed too", source)


def prune(engine: Engine, source: str, *, keep_versions: int, keep_failed: int) -> None:
    """Keep the newest `keep_versions` versions that were active (the active one always among them) with
    their entries, and the newest `keep_failed` failures; run after every ingest, failed or not."""
    with Session(engine) as session:
        versions = session.execute(
            select(col(ListVersion.id), col(ListVersion.status))
            .where(col(ListVersion.source) == source)
            .order_by(col(ListVersion.id).desc())
        ).all()
        kept_active = kept_failed = 0
        stale: list[int] = []
        for version_id, status in versions:
            if status == "superseded":
                kept_active += 1
                if kept_active > keep_versions:
                    stale.append(version_id)
            elif status == "active":
                kept_active += 1
            elif status == "failed":
                kept_failed += 1
                if kept_failed > keep_failed:
                    stale.append(version_id)
        if not stale:
            return
        session.execute(delete(ListChange).where(col(ListChange.version_id).in_(stale)))
        session.execute(delete(ListEntry).where(col(ListEntry.version_id).in_(stale)))
        session.execute(delete(ListVersion).where(col(ListVersion.id).in_(stale)))
        session.commit()
