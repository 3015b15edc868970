"""Ingest recovery and guards: dead lease holders, abandoned versions, shrinking in steps, failures kept bounded."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select
from sqlmodel import Session, col

from service.config import Settings
from service.errors import IngestError, IngestLocked, ListFileError, ListValidationError
from service.main import create_app
from service.sources import ingest as ingest_module
from service.sources.catalogue import CatalogueSource, load_catalogue
from service.sources.ingest import IngestOptions, ingest_files
from service.sources.lease import claim, fail_abandoned_versions
from service.sources.parsers import SourceFile
from service.sources.tables import IngestLease, ListEntry, ListVersion
from service.timeutil import utc_now
from tests.factories import BASE_ROWS, METRICS, OfacRow, ingest_rows, ofac_csv_set


@pytest.fixture
def sdn(settings: Settings) -> CatalogueSource:
    return load_catalogue(settings.lists_dir).get("us_ofac_sdn")


def _rows(count: int) -> list[OfacRow]:
    return [OfacRow(70000 + number, f"TRADING HOUSE {number} LLC") for number in range(count)]


_ingest = ingest_rows


def _statuses(engine: Engine, source: str = "us_ofac_sdn") -> list[str]:
    with Session(engine) as session:
        statement = select(col(ListVersion.status)).where(col(ListVersion.source) == source)
        return list(session.execute(statement.order_by(col(ListVersion.id))).scalars())


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _plant_lease(engine: Engine, holder: str, *, seconds: float) -> None:
    now = utc_now()
    with Session(engine) as session:
        session.add(
            IngestLease(
                source="us_ofac_sdn", holder=holder, acquired_at=now, expires_at=now + timedelta(seconds=seconds)
            )
        )
        session.commit()


def _plant_loading_version(engine: Engine) -> int:
    with Session(engine) as session:
        version = ListVersion(source="us_ofac_sdn", origin="killed", status="loading")
        session.add(version)
        session.commit()
        version_id = version.id or 0
    row = {
        "version_id": version_id,
        "source": "us_ofac_sdn",
        "type": "person",
        "name": "X",
        "content_hash": "h",
        "document": {},
    }
    with engine.begin() as connection:
        connection.execute(insert(ListEntry), [{**row, "entity_id": str(number)} for number in range(50)])
    return version_id


def _entries_of(engine: Engine, version_id: int) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).where(col(ListEntry.version_id) == version_id)).scalar_one())


def _here(pid: int, namespace: str | None = None) -> str:
    """A holder id on this host: host:pid:pid-namespace:tag."""
    own = str(os.stat("/proc/self/ns/pid").st_ino)
    return f"{socket.gethostname()}:{pid}:{namespace or own}:killed"


def test_a_dead_holder_on_this_host_is_taken_over_at_once(engine: Engine, sdn: CatalogueSource) -> None:
    _plant_lease(engine, _here(_dead_pid()), seconds=900)
    abandoned = _plant_loading_version(engine)
    assert _ingest(engine, sdn, BASE_ROWS).status == "activated"
    assert _statuses(engine) == ["failed", "active"]
    assert _entries_of(engine, abandoned) == 0
    with Session(engine) as session:
        version = session.get(ListVersion, abandoned)
        assert version is not None and version.error is not None and "abandoned" in version.error


@pytest.mark.parametrize(
    "holder",
    ["other-host:4242:4026531836:live", "other-host:4242:live", "SAME-HOST-OTHER-PID-NAMESPACE"],
    ids=["other host", "holder id of an older release", "a container sharing the hostname"],
)
def test_a_lease_whose_pid_cannot_be_seen_holds_until_its_heartbeat_lapses(
    engine: Engine, sdn: CatalogueSource, holder: str
) -> None:
    if holder == "SAME-HOST-OTHER-PID-NAMESPACE":
        holder = _here(_dead_pid(), namespace="1")  # the pid is gone here, but it is another namespace's pid
    _plant_lease(engine, holder, seconds=900)
    with pytest.raises(IngestLocked, match="already running"):
        _ingest(engine, sdn, BASE_ROWS)
    with Session(engine) as session:
        lease = session.get(IngestLease, "us_ofac_sdn")
        assert lease is not None
        lease.expires_at = utc_now() - timedelta(seconds=1)  # no renewal came: the holder is gone
        session.add(lease)
        session.commit()
    assert _ingest(engine, sdn, BASE_ROWS).status == "activated"


def test_a_held_lease_is_renewed_while_the_ingest_runs(engine: Engine) -> None:
    def expiry() -> object:
        with Session(engine) as session:
            lease = session.get(IngestLease, "us_ofac_sdn")
            return lease.expires_at if lease is not None else None

    held = claim(engine, "us_ofac_sdn", seconds=2.0)  # renewed every half second
    try:
        first = expiry()
        assert first is not None
        deadline = time.monotonic() + 60  # polled, not timed: a loaded machine may renew late
        while expiry() == first:
            assert time.monotonic() < deadline, "the lease was never renewed"
            time.sleep(0.05)
    finally:
        held.release()
    assert expiry() is None  # released: the row is gone


def test_lists_show_a_running_and_an_abandoned_ingest(engine: Engine, settings: Settings, sdn: CatalogueSource) -> None:
    _ingest(engine, sdn, BASE_ROWS)
    with TestClient(create_app(settings)) as client:
        held = claim(engine, "us_ofac_sdn")
        try:
            sdn_status = next(item for item in client.get("/v1/lists").json() if item["source"] == "us_ofac_sdn")
            assert sdn_status["ingest"]["state"] == "running"
            assert sdn_status["ingest"]["holder"] == held.holder
        finally:
            held.release()
        _plant_loading_version(engine)
        sdn_status = next(item for item in client.get("/v1/lists").json() if item["source"] == "us_ofac_sdn")
        assert sdn_status["ingest"]["state"] == "abandoned"
        assert sdn_status["status"] == "ok"  # the active version still serves


def test_a_list_cannot_shrink_in_steps(engine: Engine, sdn: CatalogueSource) -> None:
    _ingest(engine, sdn, _rows(20))
    assert _ingest(engine, sdn, _rows(11)).status == "activated"  # -45%: accepted
    with pytest.raises(ListValidationError, match=r"6 records against 20 in version 1, the largest of the last 2"):
        _ingest(engine, sdn, _rows(6))  # -45% again, but -70% against the list two versions back
    assert _ingest(engine, sdn, _rows(6), force=True).status == "activated"
    # an accepted --force is the new baseline: the next version is held against it, not the old 20
    assert _ingest(engine, sdn, _rows(5)).status == "activated"


def test_failed_versions_are_pruned_on_every_run(engine: Engine, sdn: CatalogueSource) -> None:
    _ingest(engine, sdn, BASE_ROWS)
    broken = [SourceFile("sdn.csv", ofac_csv_set(BASE_ROWS)[0].content[:40])]
    for _ in range(6):
        with pytest.raises(ListFileError):
            ingest_files(
                engine=engine,
                source=sdn,
                files=broken,
                origin="t",
                options=IngestOptions(keep_failed_versions=3),
                metrics=METRICS,
            )
    assert _statuses(engine) == ["active", "failed", "failed", "failed"]


def test_kill_9_during_an_ingest_leaves_the_source_ingestible(
    engine: Engine, settings: Settings, database_url: str, lists_data_dir: Path, tmp_path: Path
) -> None:
    """A real `screening ingest` process killed midway: the next ingest runs at once and cleans up."""
    env = {**os.environ, "SCREENING_DATA_DIR": str(tmp_path), "SCREENING_DATABASE_URL": database_url}
    workbook = lists_data_dir / "uk_ofsi_conlist" / "ConList_2025-04-10.xlsx"
    command = [sys.executable, "-m", "service.cli", "ingest", "gb_hmt_sanctions", "--file", str(workbook)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while "loading" not in _statuses(engine, "gb_hmt_sanctions"):
            assert process.poll() is None, "the ingest finished before it could be killed"
            assert time.monotonic() < deadline, "the ingest never started loading"
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    source = load_catalogue(settings.lists_dir).get("gb_hmt_sanctions")
    # At once: no retry and no wait for the 60 s lapse (the killed holder's pid is seen to be gone).
    files = [SourceFile(workbook.name, workbook.read_bytes())]
    outcome = ingest_files(
        engine=engine, source=source, files=files, origin="t", options=IngestOptions(), metrics=METRICS
    )
    assert outcome.status == "activated" and outcome.record_count > 4000
    assert _statuses(engine, "gb_hmt_sanctions") == ["failed", "active"]
    with Session(engine) as session:
        versions = session.execute(select(col(ListVersion.id)).where(col(ListVersion.status) == "failed")).scalars()
        assert all(_entries_of(engine, version_id) == 0 for version_id in versions)


def test_an_ingest_whose_version_was_given_up_meanwhile_does_not_activate_it(
    engine: Engine, sdn: CatalogueSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ingest stalled past its lease; the next holder failed its version and deleted its rows."""
    _ingest(engine, sdn, BASE_ROWS)
    store = ingest_module._store_entries

    def store_then_lose_the_lease(engine_: Engine, source: str, version_id: int, parsed: object) -> dict[str, str]:
        hashes = store(engine_, source, version_id, parsed)  # type: ignore[arg-type]
        fail_abandoned_versions(engine_, source)  # what the next lease holder does first
        return hashes

    monkeypatch.setattr(ingest_module, "_store_entries", store_then_lose_the_lease)
    with pytest.raises(IngestError, match="given up while loading"):
        _ingest(engine, sdn, [*BASE_ROWS, OfacRow(80001, "NEW NAME LLC")])
    assert _statuses(engine) == ["active", "failed"]
