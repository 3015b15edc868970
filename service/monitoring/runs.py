"""When to re-screen: each activated list version exactly once, right after ingest or as a catch-up.

The API's background worker (`monitoring_worker`) also sends due webhooks, so a replica that did
not ingest (the ingest ran in a CronJob) still re-screens and delivers: whichever process takes the
lease `monitor:<source>` first does the work, the others find the version's `monitor_run` marker.
"""

from __future__ import annotations

import contextlib
import functools
import logging

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from service.background import periodic
from service.config import Settings
from service.errors import IngestLocked
from service.matching.types import IndexBuilder
from service.metrics import Metrics
from service.monitoring.registry import publish_count
from service.monitoring.rescreen import RescreenResult, rescreen_after_version
from service.monitoring.tables import MonitorRun
from service.monitoring.webhooks import deliver_once
from service.sources.lease import ingest_lease
from service.sources.tables import ListChange, ListVersion

log = logging.getLogger(__name__)


def lease_name(source: str) -> str:
    return f"monitor:{source}"


def pending_versions(engine: Engine, source: str | None = None) -> list[tuple[str, int]]:
    """(source, version id) of activated versions with a change report and no re-screening yet, oldest first."""
    with Session(engine) as session:
        statement = (
            select(col(ListChange.source), col(ListChange.version_id))
            .join(ListVersion, col(ListVersion.id) == col(ListChange.version_id))
            .outerjoin(MonitorRun, col(MonitorRun.version_id) == col(ListChange.version_id))
            .where(col(MonitorRun.version_id).is_(None))
            .where(col(ListVersion.status).in_(["active", "superseded"]))
            .order_by(col(ListChange.version_id))
        )
        if source is not None:
            statement = statement.where(col(ListChange.source) == source)
        return [(str(row_source), int(row_version)) for row_source, row_version in session.execute(statement).all()]


def on_version_activated(
    *, engine: Engine, source: str, settings: Settings, build_index: IndexBuilder, metrics: Metrics
) -> list[RescreenResult]:
    """Re-screen every version of `source` not re-screened yet, under the source's monitor lease.

    Raises IngestLocked when another process is re-screening this source right now (it will do the work).
    """
    results: list[RescreenResult] = []
    with ingest_lease(engine, lease_name(source)):
        for _source, version_id in pending_versions(engine, source):
            results.append(
                rescreen_after_version(
                    engine=engine, version_id=version_id, build_index=build_index, settings=settings, metrics=metrics
                )
            )
    return results


def rescreen_pending(
    *, engine: Engine, settings: Settings, build_index: IndexBuilder, metrics: Metrics
) -> list[RescreenResult]:
    """The catch-up: every source with versions not re-screened yet; a source locked elsewhere is left to its holder."""
    results: list[RescreenResult] = []
    for source in sorted({source for source, _version in pending_versions(engine)}):
        try:
            results.extend(
                on_version_activated(
                    engine=engine, source=source, settings=settings, build_index=build_index, metrics=metrics
                )
            )
        except IngestLocked:
            log.info("re-screening of %s runs elsewhere", source)
    return results


def monitoring_round(*, engine: Engine, settings: Settings, build_index: IndexBuilder, metrics: Metrics) -> None:
    """One pass of the background worker: catch up on re-screenings, then send due webhooks."""
    rescreen_pending(engine=engine, settings=settings, build_index=build_index, metrics=metrics)
    deliver_once(engine, settings, metrics)
    publish_count(engine, metrics)


def monitoring_worker(
    engine: Engine, settings: Settings, build_index: IndexBuilder, metrics: Metrics
) -> contextlib.AbstractAsyncContextManager[None]:
    """Run the monitoring worker (a round now, then every `monitor_poll_seconds`) for the duration of the block."""
    return periodic(
        "monitoring",
        functools.partial(monitoring_round, engine=engine, settings=settings, build_index=build_index, metrics=metrics),
        settings.monitor_poll_seconds,
    )
