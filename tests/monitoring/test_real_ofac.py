"""Acceptance: parties monitored across the real OFAC SDN update from July 2021 to the 2024/2025 state.

The older and the newer real file sets are ingested one after the other; the delta re-screening
must raise exactly the alerts a compliance officer expects for the registered parties (new
designations, delistings, a cleared match whose entry changed), record them in the audit trail,
and deliver them, signed, to a real webhook receiver on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from service.config import Settings
from service.matching import build_index
from service.metrics import Metrics
from service.monitoring.registry import upsert_baselines
from service.monitoring.runs import on_version_activated, pending_versions
from service.monitoring.schemas import MonitoredPartyIn
from service.monitoring.tables import Alert, MonitoredParty, WebhookDelivery
from service.monitoring.webhooks import DeliveryPolicy, deliver_due
from service.screening.clearances import create_clearance
from service.screening.tables import ScreeningRecord
from service.sources.catalogue import load_catalogue
from service.sources.ingest import IngestOptions, ingest_files
from service.sources.parsers import SourceFile
from tests.monitoring.baselines import baselines_now
from tests.monitoring.receiver import webhook_receiver

METRICS = Metrics(multiprocess=False)  # the counters these calls update, apart from the process's registry

SECRET = "test-webhook-secret-0123456789"
OFAC_FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")

# Real names. NEW-*: designated only in the newer list; REM-*: delisted between the two;
# CHG-1: an entry whose content changed (still the same person); CLR-1: a vessel cleared as a
# false positive in 2021 whose entry then changed; UNREL-*: nobody on either list.
PARTIES = [
    {"reference": "NEW-1", "name": "Andrei Rostislavovich Khokhlun", "type": "person", "date_of_birth": "1966-12-04"},
    {"reference": "NEW-2", "name": "ODK-Saturn Public Joint-Stock Company", "type": "organization"},
    {"reference": "NEW-3", "name": "Lakhta Plaza OOO", "type": "organization", "country": "RU"},
    {"reference": "REM-1", "name": "Irina Igorevna Huish", "type": "person"},
    {"reference": "REM-2", "name": "Oyster Investments LLC", "type": "organization"},
    {"reference": "REM-3", "name": "Agropecuaria El Nilo S.A.", "type": "organization", "country": "CO"},
    {"reference": "CHG-1", "name": "Pavel Kanishchev", "type": "person"},
    {"reference": "CLR-1", "name": "Starla", "type": "vessel"},
    {"reference": "UNREL-1", "name": "Hans Mueller Maschinenbau GmbH", "type": "organization", "country": "DE"},
    {"reference": "UNREL-2", "name": "Ingrid Sorensen", "type": "person", "country": "DK"},
]

EXPECTED_ALERTS = {
    ("NEW-1", "new_match", "44882"),
    ("NEW-1", "decision_raised", "44882"),
    ("NEW-2", "new_match", "35338"),
    ("NEW-2", "decision_raised", "35338"),
    ("NEW-3", "new_match", "35068"),
    ("NEW-3", "decision_raised", "35068"),
    ("REM-1", "match_removed", "22611"),
    ("REM-2", "match_removed", "26607"),
    ("REM-3", "match_removed", "8890"),
    ("CLR-1", "cleared_match_changed", "15902"),
    ("CLR-1", "decision_raised", "15902"),
}


def _files(directory: Path) -> list[SourceFile]:
    return [SourceFile(name, (directory / name).read_bytes()) for name in OFAC_FILES]


@pytest.fixture
def monitor_settings(settings: Settings) -> Settings:
    # A high threshold keeps the test about list changes, not about fuzzy near-misses of one matcher.
    return settings.model_copy(
        update={"review_threshold": 0.95, "webhook_urls": ["http://127.0.0.1:9/unused"], "webhook_secret": SECRET}
    )


@pytest.fixture
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0)) as client:
        yield client


def test_update_from_2021_to_2024_raises_exactly_the_expected_alerts(
    engine: Engine, monitor_settings: Settings, lists_data_dir: Path, http_client: httpx.Client
) -> None:
    settings = monitor_settings
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ofac = lists_data_dir / "ofac_sdn"
    ingest_files(
        engine=engine,
        source=source,
        files=_files(ofac / "consistent_set_2021-07"),
        origin="2021",
        options=IngestOptions(),
        metrics=METRICS,
    )
    # The first version ever has nobody to re-screen; mark it done as the ingest hook would.
    on_version_activated(
        engine=engine, source="us_ofac_sdn", settings=settings, build_index=build_index, metrics=METRICS
    )
    create_clearance(
        engine=engine,
        actor="analyst",
        source="us_ofac_sdn",
        entity_id="15902",
        reason="our Starla is a yacht charter company",
        reference="CLR-1",
        name=None,
        country=None,
        expires_at=None,
    )
    baselines = baselines_now(engine, settings, [MonitoredPartyIn.model_validate(party) for party in PARTIES])
    assert {b.party.reference: b.decision for b in baselines} == {
        "NEW-1": "clear",
        "NEW-2": "clear",
        "NEW-3": "clear",
        "REM-1": "block",
        "REM-2": "block",
        "REM-3": "block",
        "CHG-1": "block",
        "CLR-1": "clear",  # its only match is cleared
        "UNREL-1": "clear",
        "UNREL-2": "clear",
    }
    upsert_baselines(engine=engine, caller="erp", baselines=baselines, metrics=METRICS)

    with webhook_receiver(SECRET) as receiver:
        settings = settings.model_copy(update={"webhook_urls": [receiver.url]})
        outcome = ingest_files(
            engine=engine, source=source, files=_files(ofac), origin="2024", options=IngestOptions(), metrics=METRICS
        )
        assert outcome.status == "activated"
        results = on_version_activated(
            engine=engine, source="us_ofac_sdn", settings=settings, build_index=build_index, metrics=METRICS
        )
        assert [result.version_id for result in results] == [outcome.version_id]
        assert results[0].parties == len(PARTIES)
        assert results[0].delta_entries == outcome.added + outcome.changed

        with Session(engine) as session:
            alerts = list(session.execute(select(Alert).order_by(col(Alert.id))).scalars())
            assert {(a.reference, a.kind, a.entity_id) for a in alerts} == EXPECTED_ALERTS
            assert len(alerts) == len(EXPECTED_ALERTS)
            by_key = {(a.reference, a.kind): a for a in alerts}
            assert by_key[("NEW-1", "new_match")].after is not None
            assert by_key[("NEW-1", "new_match")].after["decision"] == "block"
            assert by_key[("NEW-1", "decision_raised")].before == {"decision": "clear"}
            assert by_key[("REM-1", "match_removed")].after is None
            cleared_change = by_key[("CLR-1", "cleared_match_changed")]
            assert cleared_change.before is not None and cleared_change.after is not None
            assert cleared_change.before["cleared"] is True and cleared_change.after["cleared"] is False
            assert cleared_change.before["content_hash"] != cleared_change.after["content_hash"]
            decisions = dict(session.execute(select(col(MonitoredParty.reference), col(MonitoredParty.decision))).all())
            assert decisions["NEW-1"] == "block" and decisions["REM-1"] == "clear" and decisions["CHG-1"] == "block"
            # One audit record per re-screening whose outcome changed; the alerts point at it.
            records = list(
                session.execute(select(ScreeningRecord).where(col(ScreeningRecord.kind) == "rescreen")).scalars()
            )
            assert sorted(r.reference or "" for r in records) == sorted({a.reference for a in alerts})
            assert {a.screening_id for a in alerts} == {r.id for r in records}
            assert all(r.list_versions[0]["version"] == outcome.version_id for r in records)

        # Exactly once: the version is marked; asking again does nothing.
        assert pending_versions(engine, "us_ofac_sdn") == []
        assert (
            on_version_activated(
                engine=engine, source="us_ofac_sdn", settings=settings, build_index=build_index, metrics=METRICS
            )
            == []
        )

        delivered = deliver_due(engine, http_client, policy=DeliveryPolicy(secret=SECRET), metrics=METRICS)
        assert delivered.delivered == len(EXPECTED_ALERTS) and delivered.retrying == 0
        assert receiver.rejected == 0
        assert {(a["reference"], a["kind"], a["entity_id"]) for a in receiver.received} == EXPECTED_ALERTS
        with Session(engine) as session:
            statuses = set(session.execute(select(col(WebhookDelivery.status))).scalars())
        assert statuses == {"delivered"}
