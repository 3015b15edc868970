"""List endpoints: what is loaded, single entries, change reports."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlmodel import Session, col

from service.api_errors import POST_BODY, error_responses
from service.auth import AdminDep, PrincipalDep
from service.db import MAX_STORED_INT
from service.deps import CatalogueDep, RefreshRunnerDep, SessionDep
from service.errors import NotFound
from service.sources.entries import active_entry
from service.sources.lease import live_leases
from service.sources.schemas import (
    ChangeReportOut,
    ChangesOut,
    EntityOut,
    IngestStateOut,
    ListStatusOut,
    RefreshAccepted,
    entity_out,
)
from service.sources.status import source_statuses
from service.sources.tables import ListChange, ListVersion

router = APIRouter(prefix="/v1", tags=["lists"])


@router.get("/lists", response_model=list[ListStatusOut], responses=error_responses(401))
def get_lists(session: SessionDep, catalogue: CatalogueDep, _caller: PrincipalDep) -> list[ListStatusOut]:
    """Every source in the catalogue with its active version, record count, age, last error and running ingest."""
    ingests = ingest_states(session)
    return [
        ListStatusOut(
            source=status.source,
            name=status.name,
            publisher=status.publisher,
            kind=status.kind,
            version=status.version,
            record_count=status.record_count,
            fetched_at=status.fetched_at,
            checked_at=status.checked_at,
            published_at=status.published_at,
            age_seconds=status.age_seconds,
            status=status.status,
            last_error=status.last_error,
            ingest=ingests.get(status.source),
        )
        for status in source_statuses(session, catalogue)
    ]


def ingest_states(session: Session) -> dict[str, IngestStateOut]:
    """Running ingests (a live lease), and sources whose `loading` version no live ingest owns."""
    states = {
        source: IngestStateOut(state="running", holder=lease.holder, started_at=lease.acquired_at)
        for source, lease in live_leases(session).items()
    }
    loading = session.execute(
        select(col(ListVersion.source), col(ListVersion.fetched_at)).where(col(ListVersion.status) == "loading")
    ).all()
    for source, fetched_at in loading:
        if source not in states:
            states[source] = IngestStateOut(state="abandoned", started_at=fetched_at)
    return states


@router.get("/entities/{source}/{entity_id}", responses=error_responses(401, 404))
def get_entity(
    source: str, entity_id: str, session: SessionDep, catalogue: CatalogueDep, _caller: PrincipalDep
) -> EntityOut:
    """The full list entry, as its publisher lists it, from the source's active version."""
    catalogue.get(source)
    row = active_entry(session, source, entity_id)
    if row is None:
        raise NotFound(f"no entry '{entity_id}' in the active version of '{source}'")
    return entity_out(row, source)


@router.get("/lists/{source}/changes", responses=error_responses(401, 404, 422))
def get_changes(
    source: str,
    session: SessionDep,
    catalogue: CatalogueDep,
    _caller: PrincipalDep,
    since: int | None = Query(
        None, ge=0, le=MAX_STORED_INT, description="Reports of versions newer than this version id"
    ),
) -> ChangesOut:
    """What each new version added, removed and changed against the version it replaced (latest by default)."""
    catalogue.get(source)
    statement = select(ListChange).where(col(ListChange.source) == source)
    if since is None:
        statement = statement.order_by(col(ListChange.version_id).desc()).limit(1)
    else:
        statement = statement.where(col(ListChange.version_id) > since).order_by(col(ListChange.version_id))
    reports = sorted(session.execute(statement).scalars().all(), key=lambda change: change.version_id)
    return ChangesOut(
        source=source,
        reports=[
            ChangeReportOut(
                source=change.source,
                version=change.version_id,
                previous_version=change.previous_version_id,
                created_at=change.created_at,
                added_count=change.added_count,
                removed_count=change.removed_count,
                changed_count=change.changed_count,
                added=change.added,
                removed=change.removed,
                changed=change.changed,
            )
            for change in reports
        ],
    )


@router.post("/lists/{source}/refresh", status_code=202, responses=error_responses(*POST_BODY, 401, 403, 404, 409))
def refresh_list(source: str, catalogue: CatalogueDep, runner: RefreshRunnerDep, _caller: AdminDep) -> RefreshAccepted:
    """Download and ingest a source from its official URLs now, in the background.

    202 when started; 409 while an ingest of the source runs anywhere. Follow the outcome in GET /v1/lists.
    """
    catalogue_source = catalogue.get(source)
    runner.start(catalogue_source)
    return RefreshAccepted(source=source, detail="refresh started; GET /v1/lists shows the outcome")
