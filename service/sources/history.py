"""Each source's ingests as the store records them, for the metrics.

The ingest usually runs in another process (a Kubernetes CronJob, `screening ingest` by hand) whose
counters nobody scrapes; what it leaves in `list_version` is what every API replica can publish.
Failed versions are pruned to `SCREENING_KEEP_FAILED_VERSIONS` per source, so a count of failures
stops growing there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from service.sources.tables import ListVersion


@dataclass(slots=True, frozen=True)
class IngestHistory:
    source: str
    versions: dict[str, int] = field(default_factory=dict)  # stored versions by status
    failures_since_success: int = 0  # failed ingests after the last successful load or unchanged check
    load_seconds: float | None = None  # how long the ingest that produced the active version took


def ingest_history(session: Session) -> dict[str, IngestHistory]:
    """Per source with any stored version: its versions by status, failures since success, last load time."""
    rows = session.execute(
        select(
            col(ListVersion.source),
            col(ListVersion.status),
            col(ListVersion.fetched_at),
            col(ListVersion.checked_at),
            col(ListVersion.activated_at),
        ).order_by(col(ListVersion.id))
    ).all()
    counts: dict[str, Counter[str]] = {}
    succeeded: dict[str, datetime] = {}
    load_seconds: dict[str, float] = {}
    failures: dict[str, list[datetime]] = {}
    for source, status, fetched_at, checked_at, activated_at in rows:
        counts.setdefault(source, Counter())[status] += 1
        if status == "active":
            # The active version was loaded at fetched_at and confirmed unchanged up to checked_at.
            succeeded[source] = max(fetched_at, checked_at or fetched_at)
            if activated_at is not None:
                load_seconds[source] = max((activated_at - fetched_at).total_seconds(), 0.0)
        elif status == "failed":
            failures.setdefault(source, []).append(fetched_at)
    return {
        source: IngestHistory(
            source=source,
            versions=dict(by_status),
            failures_since_success=sum(
                1 for failed_at in failures.get(source, []) if source not in succeeded or failed_at > succeeded[source]
            ),
            load_seconds=load_seconds.get(source),
        )
        for source, by_status in counts.items()
    }
