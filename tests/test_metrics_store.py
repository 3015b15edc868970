"""What an ingest in another process (a CronJob's `screening ingest`) shows on the API's /metrics.

The ingests run as the console script's function in a subprocess against the test's store, so none of
their counters reach the API process; the API then reports what the store says. The timeline is set
afterwards in the store: loaded two days ago, a failed attempt two hours ago, confirmed unchanged an
hour ago, which is the case of a publisher that leaves a list alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from service.config import Settings
from service.main import create_app
from service.memory import deep_size
from service.metrics import reset_metrics
from service.sources.catalogue import load_catalogue
from service.sources.tables import ListVersion
from service.timeutil import utc_now
from tests.factories import BASE_ROWS, ingest_rows, ofac_csv_set

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

# One interpreter for the three runs: the console script's `main` as `screening ingest ...` would run it.
INGESTS = textwrap.dedent(
    """
    import sys
    from service.cli import main
    for args in (sys.argv[1].split("|"), sys.argv[2].split("|"), sys.argv[1].split("|")):
        sys.argv = ["screening", "ingest", "us_ofac_sdn", *args]
        try:
            main()
        except SystemExit as exit:
            print("exit", exit.code)
    """
)


def _files(folder: Path, rows: int) -> str:
    folder.mkdir()
    paths = []
    for file in ofac_csv_set(BASE_ROWS[:rows]):
        (folder / file.name).write_bytes(file.content)
        paths += ["--file", str(folder / file.name)]
    return "|".join(paths)


def _scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _sdn(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted({"source": "us_ofac_sdn", **labels}.items()))))


def _poll(client: TestClient, done: object, seconds: float = 60) -> Samples:
    """Scrape until `done(samples)` holds (the API's index poll publishes the store's state)."""
    deadline = time.monotonic() + seconds
    while True:
        samples = _scrape(client)
        if done(samples) or time.monotonic() > deadline:  # type: ignore[operator]
            return samples
        time.sleep(0.1)


def test_an_ingest_in_another_process_reaches_the_api_metrics(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    full, shrunk = _files(tmp_path / "full", len(BASE_ROWS)), _files(tmp_path / "shrunk", 1)
    env = {**os.environ, "SCREENING_DATA_DIR": str(settings.data_dir), "SCREENING_DATABASE_URL": settings.database_url}
    ran = subprocess.run(
        [sys.executable, "-c", INGESTS, full, shrunk], env=env, capture_output=True, text=True, timeout=300, check=True
    )
    # Loaded; refused (a list shrunk by 75% is held back); unchanged.
    assert "unchanged" in ran.stdout, ran.stdout + ran.stderr
    assert [line for line in ran.stdout.splitlines() if line.startswith("exit")][1] != "exit 0"

    now = utc_now()
    with Session(engine) as session:
        session.execute(
            update(ListVersion)
            .where(col(ListVersion.status) == "active")
            .values(
                fetched_at=now - timedelta(days=2),
                activated_at=now - timedelta(days=2) + timedelta(seconds=5),
                checked_at=now - timedelta(hours=1),
            )
        )
        session.execute(
            update(ListVersion).where(col(ListVersion.status) == "failed").values(fetched_at=now - timedelta(hours=2))
        )
        session.commit()

    reset_metrics()
    with TestClient(create_app(settings)) as client:
        samples = _poll(client, lambda s: (_sdn(s, "screening_list_age_seconds") or 0) >= 3600)

        assert _sdn(samples, "screening_list_records") == len(BASE_ROWS)
        # Unchanged for two days, checked an hour ago: an hour old, well within the 48 hours allowed.
        age = _sdn(samples, "screening_list_age_seconds")
        assert age is not None and 3600 <= age < 3600 + 600
        assert _sdn(samples, "screening_list_max_age_seconds") == 48 * 3600
        changed = _sdn(samples, "screening_list_last_change_timestamp_seconds")
        assert changed is not None and abs(changed - (now - timedelta(days=2, seconds=-5)).timestamp()) < 1
        # The check after the failure succeeded: the ingest-failing alert (failure > success) is resolved.
        success = _sdn(samples, "screening_ingest_last_success_timestamp_seconds")
        failure = _sdn(samples, "screening_ingest_last_failure_timestamp_seconds")
        assert success is not None and failure is not None and success > failure > 0
        assert _sdn(samples, "screening_ingest_failures_since_success") == 0
        assert _sdn(samples, "screening_list_versions", status="active") == 1
        assert _sdn(samples, "screening_list_versions", status="failed") == 1
        assert _sdn(samples, "screening_ingest_last_load_duration_seconds") == 5
        # None of it came from counters of this process: it ran no ingest.
        assert _sdn(samples, "screening_ingest_failures_total") is None

        # Another failed attempt, after the last success: the store says so at the next poll.
        with Session(engine) as session:
            session.add(ListVersion(source="us_ofac_sdn", status="failed", error="download failed", fetched_at=now))
            session.commit()
        samples = _poll(client, lambda s: _sdn(s, "screening_ingest_failures_since_success") == 1)
        assert _sdn(samples, "screening_ingest_failures_since_success") == 1
        failure = _sdn(samples, "screening_ingest_last_failure_timestamp_seconds")
        assert failure is not None and failure > success


def test_the_index_memory_gauge_measures_the_index(engine: Engine, settings: Settings) -> None:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, BASE_ROWS)
    reset_metrics()
    with TestClient(create_app(settings)) as client:
        samples = _poll(client, lambda s: s.get(("screening_index_memory_bytes", ())) not in (None, 0.0))
        snapshot = client.app.state.index_holder.snapshot  # type: ignore[attr-defined]
        measured = samples[("screening_index_memory_bytes", ())]
        # The index's lazy caches may have grown a little since the gauge was set: near, not equal.
        assert abs(measured - deep_size(snapshot.index)) < 0.1 * deep_size(snapshot.index)
        assert 0 < measured < samples[("screening_process_resident_memory_bytes", ())]
