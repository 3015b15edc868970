"""Monitoring endpoints: monitored parties, alerts, and the webhook delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Query, Response

from service.api_errors import POST_BODY, error_responses
from service.auth import AdminDep, PrincipalDep
from service.db import MAX_STORED_INT
from service.decisions import as_decision
from service.deps import EngineDep, MetricsDep, MonitoringContextDep, SessionDep
from service.errors import PayloadTooLarge
from service.monitoring.alerts import query_alerts
from service.monitoring.registry import (
    get_parties,
    get_party,
    list_parties,
    remove_party,
    screen_baselines,
    upsert_baselines,
)
from service.monitoring.schemas import (
    AlertKindOut,
    AlertOut,
    AlertPage,
    DeliveryOut,
    DeliveryPage,
    DeliveryStatus,
    MonitoredBatchIn,
    MonitoredMatchOut,
    MonitoredPage,
    MonitoredPartyOut,
    MonitoredRegistered,
    MonitoredRequest,
)
from service.monitoring.tables import Alert, MonitoredParty, WebhookDelivery
from service.monitoring.webhooks import list_deliveries, redeliver

router = APIRouter(prefix="/v1", tags=["monitoring"])


def party_out(party: MonitoredParty) -> MonitoredPartyOut:
    return MonitoredPartyOut(
        reference=party.reference,
        name=party.name,
        type=party.type,
        country=party.country,
        date_of_birth=party.date_of_birth,
        identifiers=party.identifiers,
        created_at=party.created_at,
        created_by=party.created_by,
        updated_at=party.updated_at,
        decision=as_decision(party.decision),
        matches=[MonitoredMatchOut.model_validate(match) for match in party.matches],
        versions=party.versions,
    )


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut.model_validate(alert, from_attributes=True)


def delivery_out(delivery: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut.model_validate(delivery, from_attributes=True)


@router.post("/monitored", status_code=201, responses=error_responses(*POST_BODY, 401, 503))
def register_monitored(
    body: MonitoredRequest, context: MonitoringContextDep, session: SessionDep
) -> MonitoredRegistered:
    """Register one party, or `{"parties": [...]}` many, for ongoing screening after every list change.

    A party is identified by its `reference`: posting it again updates it. Each is screened now
    against the loaded lists (clearances applied); that outcome is the baseline later
    re-screenings compare with, and only their changes become alerts.
    """
    parties = body.parties if isinstance(body, MonitoredBatchIn) else [body]
    limit = context.settings.max_batch
    if len(parties) > limit:
        raise PayloadTooLarge(f"parties: {len(parties)} parties given; the limit is {limit} per request")
    baselines = screen_baselines(context, parties)
    count = upsert_baselines(engine=context.engine, caller=context.caller, baselines=baselines, metrics=context.metrics)
    references = list(dict.fromkeys(party.reference for party in parties))
    stored = get_parties(session, references[:100])  # a large import answers with its count and the first 100
    return MonitoredRegistered(registered=count, parties=[party_out(party) for party in stored])


@router.get("/monitored", responses=error_responses(401, 422))
def list_monitored(
    session: SessionDep,
    _caller: PrincipalDep,
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = Query(None, description="`next_cursor` of the previous page"),
) -> MonitoredPage:
    """Monitored parties by reference, with their current outcome, paginated."""
    rows, total, next_cursor = list_parties(session, limit=limit, cursor=cursor)
    return MonitoredPage(items=[party_out(row) for row in rows], total=total, next_cursor=next_cursor)


@router.get("/monitored/{reference}", responses=error_responses(401, 404))
def get_monitored(reference: str, session: SessionDep, _caller: PrincipalDep) -> MonitoredPartyOut:
    """One monitored party with the outcome of its last (re-)screening."""
    return party_out(get_party(session, reference))


@router.delete("/monitored/{reference}", status_code=204, responses=error_responses(401, 404))
def delete_monitored(reference: str, caller: PrincipalDep, engine: EngineDep, metrics: MetricsDep) -> Response:
    """Stop monitoring a party (its past alerts and audit records stay)."""
    remove_party(engine=engine, caller=caller.name, reference=reference, metrics=metrics)
    return Response(status_code=204)


@router.get("/alerts", responses=error_responses(401, 422))
def list_alerts(
    session: SessionDep,
    _caller: PrincipalDep,
    since: datetime | None = Query(None, description="Alerts raised at or after this time (ISO 8601)"),
    kind: AlertKindOut | None = Query(None),
    reference: str | None = Query(None, max_length=200),
    limit: int = Query(100, ge=1, le=1000),
    cursor: int | None = Query(None, ge=0, le=MAX_STORED_INT, description="`next_cursor` of the previous page"),
) -> AlertPage:
    """Alerts oldest first: a changed outcome of a monitored party after a list change, with before and after.

    Poll with `since` (or follow `next_cursor`, the id of the last alert seen) to read only new ones.
    """
    rows, next_cursor = query_alerts(session, since=since, kind=kind, reference=reference, limit=limit, after_id=cursor)
    return AlertPage(items=[alert_out(row) for row in rows], next_cursor=str(next_cursor) if next_cursor else None)


@router.get("/webhooks/deliveries", responses=error_responses(401, 403, 422))
def delivery_log(
    session: SessionDep,
    _admin: AdminDep,
    status: DeliveryStatus | None = Query(None),
    alert_id: int | None = Query(None, ge=1, le=MAX_STORED_INT),
    limit: int = Query(100, ge=1, le=1000),
    cursor: int | None = Query(None, ge=0, le=MAX_STORED_INT, description="`next_cursor` of the previous page"),
) -> DeliveryPage:
    """The webhook delivery log, newest first: per alert and endpoint its status, attempts and last error."""
    rows, next_cursor = list_deliveries(session, status=status, alert_id=alert_id, limit=limit, cursor=cursor)
    return DeliveryPage(
        items=[delivery_out(row) for row in rows], next_cursor=str(next_cursor) if next_cursor else None
    )


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver",
    status_code=202,
    responses=error_responses(*POST_BODY, 401, 403, 404),
)
def redeliver_delivery(
    delivery_id: Annotated[int, Path(ge=1, le=MAX_STORED_INT)], _admin: AdminDep, engine: EngineDep
) -> DeliveryOut:
    """Queue a delivery again (a failed one, or a delivered one the receiver lost), due now."""
    return delivery_out(redeliver(engine, delivery_id))


def install_monitoring(app: FastAPI) -> None:
    """Add the monitoring endpoints to the app."""
    app.include_router(router)
