"""The re-screening run itself: worker processes, exactly-once markers, skipping up-to-date parties."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from service.config import Settings
from service.matching import build_index
from service.metrics import Metrics
from service.monitoring.registry import upsert_baselines
from service.monitoring.rescreen import rescreen_after_version
from service.monitoring.runs import monitoring_worker, pending_versions, rescreen_pending
from service.monitoring.schemas import MonitoredPartyIn
from service.monitoring.tables import Alert, MonitorRun
from service.sources.catalogue import load_catalogue
from tests.factories import BASE_ROWS, OfacRow, ingest_rows
from tests.monitoring.baselines import baselines_now

METRICS = Metrics(multiprocess=False)  # the counters these calls update, apart from the process's registry

NEW_ROWS = [OfacRow(77001, "SMIRNOVA, Olga", "individual", "RUSSIA-EO14024"), OfacRow(77002, "LI WEI TRADING CO")]
PARTIES = [
    MonitoredPartyIn(reference="A", name="Olga Smirnova"),
    MonitoredPartyIn(reference="B", name="Li Wei Trading Company"),
    MonitoredPartyIn(reference="C", name="Nicolas Maduro Moros"),
    MonitoredPartyIn(reference="D", name="Anna Berg"),
]
EXPECTED = {
    ("A", "new_match", "77001"),
    ("A", "decision_raised", "77001"),
    ("B", "new_match", "77002"),
    ("B", "decision_raised", "77002"),
    ("C", "match_removed", "22790"),
}


def _ingest(engine: Engine, settings: Settings, rows: list[OfacRow]) -> int:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    outcome = ingest_rows(engine, source, rows)
    assert outcome.version_id is not None
    return outcome.version_id


def _register(engine: Engine, settings: Settings, parties: list[MonitoredPartyIn]) -> None:
    baselines = baselines_now(engine, settings, parties)
    upsert_baselines(engine=engine, caller="t", baselines=baselines, metrics=METRICS)


def _alerts(engine: Engine) -> set[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.execute(select(col(Alert.reference), col(Alert.kind), col(Alert.entity_id))).all()
    return {(str(a), str(b), str(c)) for a, b, c in rows}


def test_worker_processes_find_the_same_alerts(engine: Engine, settings: Settings) -> None:
    _ingest(engine, settings, BASE_ROWS)
    rescreen_pending(engine=engine, settings=settings, build_index=build_index, metrics=METRICS)
    _register(engine, settings, PARTIES)
    # Maduro delisted, two new designations.
    version = _ingest(engine, settings, [row for row in BASE_ROWS if row.ent_num != 22790] + NEW_ROWS)
    result = rescreen_after_version(
        engine=engine,
        version_id=version,
        build_index=build_index,
        settings=settings,
        chunk_size=1,
        workers=2,
        parallel_min_parties=0,
        metrics=METRICS,
    )
    assert (result.workers, result.parties) == (2, len(PARTIES))
    assert _alerts(engine) == EXPECTED


def test_a_version_is_rescreened_once_and_a_repeated_run_raises_nothing_new(engine: Engine, settings: Settings) -> None:
    _ingest(engine, settings, BASE_ROWS)
    _register(engine, settings, PARTIES)
    version = _ingest(engine, settings, [row for row in BASE_ROWS if row.ent_num != 22790] + NEW_ROWS)
    assert [v for _s, v in pending_versions(engine)] == [1, version]
    first = rescreen_pending(engine=engine, settings=settings, build_index=build_index, metrics=METRICS)
    assert [(r.version_id, r.parties, r.skipped) for r in first] == [(1, 0, 4), (version, 4, 0)]
    assert pending_versions(engine) == []
    assert rescreen_pending(engine=engine, settings=settings, build_index=build_index, metrics=METRICS) == []
    # As after a crash before the marker was written: running the version again changes nothing.
    again = rescreen_after_version(
        engine=engine, version_id=version, build_index=build_index, settings=settings, metrics=METRICS
    )
    assert again.alert_count == 0 and again.changed_parties == 0
    assert _alerts(engine) == EXPECTED
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(MonitorRun)).scalar_one() == 2


def test_a_party_registered_after_the_version_is_not_alerted_about_it(engine: Engine, settings: Settings) -> None:
    _ingest(engine, settings, BASE_ROWS)
    rescreen_pending(engine=engine, settings=settings, build_index=build_index, metrics=METRICS)
    version = _ingest(engine, settings, [*BASE_ROWS, *NEW_ROWS])
    _register(engine, settings, PARTIES[:1])  # screened against the new version already: its baseline has the match
    result = rescreen_after_version(
        engine=engine, version_id=version, build_index=build_index, settings=settings, metrics=METRICS
    )
    assert (result.parties, result.skipped) == (0, 1)
    assert _alerts(engine) == set()


def test_the_background_worker_catches_up_on_pending_versions(engine: Engine, settings: Settings) -> None:
    _ingest(engine, settings, BASE_ROWS)
    _register(engine, settings, PARTIES)
    _ingest(engine, settings, [row for row in BASE_ROWS if row.ent_num != 22790] + NEW_ROWS)

    async def run_until_caught_up() -> None:
        async with monitoring_worker(engine, settings, build_index, METRICS):
            deadline = time.monotonic() + 30
            while pending_versions(engine) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)  # polling with a deadline, not waiting for a fixed time

    asyncio.run(run_until_caught_up())
    assert pending_versions(engine) == []
    assert _alerts(engine) == EXPECTED
