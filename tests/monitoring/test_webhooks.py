"""Webhook delivery to a real receiver on 127.0.0.1: signatures, retries with backoff, failure and redelivery.

Delivery rounds are driven by calling `deliver_due` with an advanced `now` (no sleeps).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from service.config import Settings
from service.matching import build_index
from service.metrics import Metrics
from service.monitoring.registry import upsert_baselines
from service.monitoring.runs import rescreen_pending
from service.monitoring.schemas import MonitoredPartyIn
from service.monitoring.tables import WebhookDelivery
from service.monitoring.webhooks import DeliveryPolicy, deliver_due, redeliver, sign
from service.sources.catalogue import load_catalogue
from service.timeutil import utc_now
from tests.factories import BASE_ROWS, OfacRow, ingest_rows
from tests.monitoring.baselines import baselines_now
from tests.monitoring.receiver import Receiver, webhook_receiver

METRICS = Metrics(multiprocess=False)  # the counters these calls update, apart from the process's registry

SECRET = "another-test-secret-987654321"
POLICY = DeliveryPolicy(secret=SECRET, max_attempts=3, backoff_seconds=60.0)


def _ingest(engine: Engine, settings: Settings, rows: list[OfacRow]) -> None:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, rows)


def _one_alert(engine: Engine, settings: Settings, receiver: Receiver) -> None:
    """Olga Smirnova is registered while clear, then designated: one new_match + one decision_raised alert."""
    settings = settings.model_copy(update={"webhook_urls": [receiver.url], "webhook_secret": SECRET})
    _ingest(engine, settings, BASE_ROWS)
    party = MonitoredPartyIn(reference="C-77", name="Olga Smirnova", type="person")
    upsert_baselines(
        engine=engine,
        caller="erp",
        baselines=baselines_now(engine, settings, [party]),
        metrics=METRICS,
    )
    _ingest(engine, settings, [*BASE_ROWS, OfacRow(77001, "SMIRNOVA, Olga", "individual", "RUSSIA-EO14024")])
    rescreen_pending(engine=engine, settings=settings, build_index=build_index, metrics=METRICS)


@pytest.fixture
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0)) as client:
        yield client


def _statuses(engine: Engine) -> list[tuple[str, int]]:
    with Session(engine) as session:
        rows = session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars()  # type: ignore[arg-type]
        return [(row.status, row.attempt) for row in rows]


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    # Known answer, computed with the standard library independently of the service.
    assert sign("k", "1700000000", b'{"id":1}') == "ad3973bf508a71757425fe6ed75d7e49f7d39052835acbd6cf430414a1a9814e"
    assert sign("k", "1700000001", b'{"id":1}') != "ad3973bf508a71757425fe6ed75d7e49f7d39052835acbd6cf430414a1a9814e"


def test_a_receiver_that_fails_twice_gets_the_alerts_on_a_later_round(
    engine: Engine, settings: Settings, http_client: httpx.Client
) -> None:
    metrics = Metrics(multiprocess=False)
    with webhook_receiver(SECRET, fail_times=4) as receiver:
        _one_alert(engine, settings, receiver)
        now = utc_now()
        first = deliver_due(engine, http_client, now, policy=POLICY, metrics=metrics)
        assert (first.sent, first.retrying, first.delivered) == (2, 2, 0)
        # Not due yet: nothing is sent before the backoff has passed.
        assert deliver_due(engine, http_client, now + timedelta(seconds=59), policy=POLICY, metrics=metrics).sent == 0
        second = deliver_due(engine, http_client, now + timedelta(seconds=60), policy=POLICY, metrics=metrics)
        assert (second.sent, second.retrying) == (2, 2)
        # The second retry waits twice as long.
        assert (
            deliver_due(engine, http_client, now + timedelta(seconds=60 + 119), policy=POLICY, metrics=metrics).sent
            == 0
        )
        third = deliver_due(engine, http_client, now + timedelta(seconds=60 + 120), policy=POLICY, metrics=metrics)
        assert (third.sent, third.delivered) == (2, 2)
        assert receiver.requests == 6 and receiver.rejected == 0
        assert sorted(alert["kind"] for alert in receiver.received) == ["decision_raised", "new_match"]
        assert all(alert["reference"] == "C-77" for alert in receiver.received)
        assert _statuses(engine) == [("delivered", 3), ("delivered", 3)]
    # The counters the service was given saw every attempt: two failed rounds of two, then two that went through.
    assert metrics.registry.get_sample_value("screening_webhook_deliveries_total") == 6
    assert metrics.registry.get_sample_value("screening_webhook_failures_total") == 4


def test_after_max_attempts_a_delivery_is_failed_and_can_be_redelivered(
    engine: Engine, settings: Settings, http_client: httpx.Client
) -> None:
    with webhook_receiver(SECRET, fail_times=6) as receiver:
        _one_alert(engine, settings, receiver)
        now = utc_now()
        for offset in (0, 60, 180):
            deliver_due(engine, http_client, now + timedelta(seconds=offset), policy=POLICY, metrics=METRICS)
        assert _statuses(engine) == [("failed", 3), ("failed", 3)]
        assert deliver_due(engine, http_client, now + timedelta(days=1), policy=POLICY, metrics=METRICS).sent == 0
        assert receiver.received == []
        with Session(engine) as session:
            ids = list(session.execute(select(WebhookDelivery.id)).scalars())  # type: ignore[call-overload]
        later = now + timedelta(days=1)
        for delivery_id in ids:
            redeliver(engine, delivery_id, later)
        assert deliver_due(engine, http_client, later, policy=POLICY, metrics=METRICS).delivered == 2
        assert len(receiver.received) == 2


def test_a_wrong_secret_is_rejected_by_the_receiver(
    engine: Engine, settings: Settings, http_client: httpx.Client
) -> None:
    with webhook_receiver(SECRET) as receiver:
        _one_alert(engine, settings, receiver)
        wrong = DeliveryPolicy(secret="not-the-shared-secret", max_attempts=3, backoff_seconds=60.0)
        outcome = deliver_due(engine, http_client, utc_now(), policy=wrong, metrics=METRICS)
        assert (outcome.sent, outcome.retrying) == (2, 2)
        assert receiver.rejected == 2 and receiver.received == []
