"""Scheduled list refresh with APScheduler; it only triggers the one ingest pipeline, from the official
URLs or, when `SCREENING_LISTS_MIRROR` is set, from the newest files dropped into the mirror.

Every replica may run it: the per-source lease makes sure one process ingests a
source at a time, the others skip that round.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from service.config import Settings
from service.errors import IngestError, IngestLocked, ListDownloadError
from service.metrics import Metrics
from service.sources.catalogue import Catalogue, CatalogueSource, load_catalogue
from service.sources.fetch import FetchPolicy
from service.sources.ingest import IngestOptions, IngestOutcome
from service.sources.lease import HeldLease
from service.sources.mirror import MirrorSet
from service.sources.refresh import mirror_files_by_source, refresh_from_mirror, refresh_source

log = logging.getLogger(__name__)


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        read_timeout=settings.download_timeout_seconds,
        attempts=settings.download_attempts,
        backoff_seconds=settings.download_backoff_seconds,
        max_bytes=int(settings.max_download_mb * 1024 * 1024),
    )


def ingest_options(settings: Settings, *, force: bool = False, format: str | None = None) -> IngestOptions:
    return IngestOptions(
        force=force,
        max_shrink_fraction=settings.max_shrink_fraction,
        keep_versions=settings.keep_versions,
        keep_failed_versions=settings.keep_failed_versions,
        format=format,
    )


def run_refresh(
    engine: Engine,
    source: CatalogueSource,
    settings: Settings,
    metrics: Metrics,
    held: HeldLease | None = None,
    *,
    mirror_contents: dict[str, MirrorSet] | None = None,
) -> IngestOutcome | None:
    """One scheduled refresh (under `held`, a lease claimed already, if given); failures are logged and
    recorded, never raised into the scheduler. `mirror_contents` is the mirror read once for many sources."""
    try:
        if settings.lists_mirror:
            found = mirror_contents if mirror_contents is not None else read_mirror_contents(settings)
            return refresh_from_mirror(
                engine=engine,
                source=source,
                options=ingest_options(settings),
                mirror=settings.lists_mirror,
                found=found.get(source.id),
                metrics=metrics,
                held=held,
            )
        return refresh_source(
            engine=engine,
            source=source,
            options=ingest_options(settings),
            policy=fetch_policy(settings),
            metrics=metrics,
            held=held,
        )
    except IngestLocked as error:
        log.info("refresh %s skipped: %s", source.id, error.detail)
    except IngestError as error:
        log.warning("refresh %s failed, previous version stays active: %s", source.id, error.detail)
    except Exception:
        # Boundary of a scheduled job: log it with context and keep the scheduler alive.
        log.exception("refresh %s failed unexpectedly; previous version stays active", source.id)
    return None


def read_mirror_contents(settings: Settings) -> dict[str, MirrorSet]:
    """The newest file set per source in `SCREENING_LISTS_MIRROR`; nothing when it is unset or unreadable."""
    if not settings.lists_mirror:
        return {}
    try:
        return mirror_files_by_source(settings.lists_mirror, load_catalogue(settings.lists_dir), fetch_policy(settings))
    except ListDownloadError as error:
        log.warning("the list mirror cannot be read: %s", error.detail)
        return {}  # then each source's refresh fails as "no file in the mirror", recorded in /v1/lists


def schedule_refreshes(
    scheduler: BaseScheduler, engine: Engine, catalogue: Catalogue, settings: Settings, metrics: Metrics
) -> int:
    """Add one cron job per auto-refreshed source; returns how many."""
    count = 0
    for source in catalogue:
        if not source.auto_refresh:
            continue
        trigger = CronTrigger.from_crontab(source.refresh or settings.refresh_cron, timezone=UTC)
        scheduler.add_job(
            run_refresh,
            trigger,
            args=[engine, source, settings, metrics],
            id=f"refresh:{source.id}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
        count += 1
    return count


def background_scheduler() -> BackgroundScheduler:
    return BackgroundScheduler(timezone=UTC)


def blocking_scheduler() -> BlockingScheduler:
    return BlockingScheduler(timezone=UTC)
