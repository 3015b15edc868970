"""Webhook delivery of monitoring alerts: signed HTTP POSTs, retried with backoff, with a delivery log.

Each alert is queued once per configured endpoint (a `webhook_delivery` row, `pending`, due now)
in the same transaction that stores the alert, so an alert can never exist undelivered and
unqueued. `deliver_due` sends what is due; a failure (connection error, timeout, non-2xx)
reschedules the row after `backoff * 2**(attempt-1)` seconds, and after `max_attempts` marks it
`failed`; an admin can requeue it (`redeliver`). A receiver that is down therefore loses nothing:
its alerts wait in the store.

Signature: `X-Screening-Timestamp` is the send time in unix seconds and `X-Screening-Signature` is
the hex HMAC-SHA256, keyed with the shared secret, of `f"{timestamp}.{body}"`; the receiver
recomputes it over the raw body and rejects stale timestamps (replays).

Only one process sends at a time (the lease `monitor:webhooks`), so two replicas never post the
same alert concurrently; a receiver should still deduplicate on the alert `id` (at-least-once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from service.config import Settings
from service.errors import NotFound
from service.ids import uuid4_hex
from service.metrics import Metrics
from service.monitoring.tables import Alert, WebhookDelivery
from service.sources.fetch import USER_AGENT
from service.sources.lease import release, try_acquire
from service.timeutil import utc_now

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

LEASE = "monitor:webhooks"
LEASE_SECONDS = 300.0
DEFAULT_BATCH = 200
MAX_BATCHES_PER_CALL = 50
SIGNATURE_HEADER = "X-Screening-Signature"
TIMESTAMP_HEADER = "X-Screening-Timestamp"


@dataclass(slots=True, frozen=True)
class DeliveryPolicy:
    secret: str
    max_attempts: int = 8
    backoff_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(settings.webhook_secret, settings.webhook_max_attempts, settings.webhook_backoff_seconds)


@dataclass(slots=True)
class DeliveryRound:
    sent: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    locked: bool = False


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def make_webhook_client(settings: Settings) -> httpx.Client:
    import httpx  # imported by the first delivery, as in `sources.fetch.make_http_client`

    # Short timeouts: a slow receiver must not hold up the others; the alert is retried later anyway.
    timeout = httpx.Timeout(settings.webhook_timeout_seconds, connect=5.0)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
    )


def alert_payload(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "created_at": alert.created_at.isoformat(),
        "reference": alert.reference,
        "kind": alert.kind,
        "source": alert.source,
        "entity_id": alert.entity_id,
        "before": alert.before,
        "after": alert.after,
        "version_id": alert.version_id,
        "screening_id": alert.screening_id,
    }


def _post(
    client: httpx.Client, endpoint: str, body: bytes, secret: str, now: datetime
) -> tuple[int | None, str | None]:
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    import httpx  # loaded by `make_webhook_client` already

    try:
        response = client.post(endpoint, content=body, headers=headers)
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def deliver_due(
    engine: Engine,
    client: httpx.Client,
    now: datetime | None = None,
    *,
    policy: DeliveryPolicy,
    metrics: Metrics,
    limit: int = DEFAULT_BATCH,
) -> DeliveryRound:
    """Send up to `limit` due deliveries once each; reschedule or fail the ones that did not go through."""
    now = now or utc_now()
    outcome = DeliveryRound()
    holder = f"webhooks:{uuid4_hex()}"
    if not try_acquire(engine, LEASE, holder=holder, seconds=LEASE_SECONDS):
        outcome.locked = True
        return outcome
    try:
        with Session(engine, expire_on_commit=False) as session:
            due = list(
                session.execute(
                    select(WebhookDelivery, Alert)
                    .join(Alert, col(Alert.id) == col(WebhookDelivery.alert_id))
                    .where(col(WebhookDelivery.status) == "pending", col(WebhookDelivery.next_attempt_at) <= now)
                    .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
                    .limit(limit)
                ).all()
            )
        deadline = time.monotonic() + LEASE_SECONDS / 2
        for delivery, alert in due:
            if time.monotonic() > deadline:
                break  # slow receivers: stop well before the lease could expire and another process resend
            body = json.dumps(alert_payload(alert), separators=(",", ":"), sort_keys=True).encode()
            code, error = _post(client, delivery.endpoint, body, policy.secret, now)
            attempt = delivery.attempt + 1
            values: dict[str, Any] = {"attempt": attempt, "response_code": code, "error": error, "last_attempt_at": now}
            if error is None:
                values |= {"status": "delivered", "delivered_at": now, "next_attempt_at": None}
                outcome.delivered += 1
            elif attempt >= policy.max_attempts:
                values |= {"status": "failed", "next_attempt_at": None}
                outcome.failed += 1
                log.warning("webhook delivery %s failed for good after %d attempts: %s", delivery.id, attempt, error)
            else:
                delay = policy.backoff_seconds * 2 ** (attempt - 1)
                values["next_attempt_at"] = now + timedelta(seconds=delay)
                outcome.retrying += 1
            outcome.sent += 1
            metrics.record_webhook_delivery(ok=error is None)
            with Session(engine) as session:
                session.execute(update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery.id).values(**values))
                session.commit()
    finally:
        release(engine, LEASE, holder=holder)
    return outcome


def redeliver(engine: Engine, delivery_id: int, now: datetime | None = None) -> WebhookDelivery:
    """Queue a delivery again, due now, with a fresh attempt budget (its last error stays until the next try)."""
    with Session(engine, expire_on_commit=False) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            raise NotFound(f"no webhook delivery {delivery_id}")
        delivery.status = "pending"
        delivery.attempt = 0
        delivery.next_attempt_at = now or utc_now()
        delivery.delivered_at = None
        session.add(delivery)
        session.commit()
        return delivery


def list_deliveries(
    session: Session, *, status: str | None, alert_id: int | None, limit: int, cursor: int | None
) -> tuple[list[WebhookDelivery], int | None]:
    """Newest first, keyset-paginated on id."""
    statement = select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc())
    if status is not None:
        statement = statement.where(col(WebhookDelivery.status) == status)
    if alert_id is not None:
        statement = statement.where(col(WebhookDelivery.alert_id) == alert_id)
    if cursor is not None:
        statement = statement.where(col(WebhookDelivery.id) < cursor)
    rows = list(session.execute(statement.limit(limit + 1)).scalars())
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_cursor


def deliver_once(engine: Engine, settings: Settings, metrics: Metrics, now: datetime | None = None) -> DeliveryRound:
    """One delivery round with a client of its own (the CLI and the background loop)."""
    if not settings.webhook_secret:
        if settings.webhook_urls:
            log.warning("SCREENING_WEBHOOK_URLS is set but SCREENING_WEBHOOK_SECRET is not: webhooks are not sent")
        return DeliveryRound()
    total = DeliveryRound()
    with make_webhook_client(settings) as client:
        # A backlog (a receiver back after an outage) drains in several batches, up to a bound per call.
        for _ in range(MAX_BATCHES_PER_CALL):
            batch = deliver_due(engine, client, now, policy=DeliveryPolicy.from_settings(settings), metrics=metrics)
            total.sent += batch.sent
            total.delivered += batch.delivered
            total.retrying += batch.retrying
            total.failed += batch.failed
            total.locked = batch.locked
            if batch.locked or batch.sent < DEFAULT_BATCH:
                break
    return total
