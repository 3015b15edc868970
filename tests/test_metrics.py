"""Metrics: values read back from the text exposition a Prometheus scrape would get."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

import service.metrics
from service.metrics import Metrics, get_metrics, render_latest, reset_metrics
from service.sources.history import IngestHistory
from service.sources.status import SourceStatus

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

NOW = 1_800_000_000.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def scrape(body: bytes) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Parse an exposition into {(sample name, labels): value}."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def metrics(clock: Clock) -> Metrics:
    return Metrics(multiprocess=False, clock=clock)


def test_screenings_and_matches_are_counted_by_their_labels(metrics: Metrics) -> None:
    for kind, decision in [("single", "clear"), ("single", "clear"), ("batch", "review"), ("order", "block")]:
        metrics.record_screening(kind, decision)  # type: ignore[arg-type]
    metrics.record_match("us_ofac_sdn", "block")
    metrics.record_match("us_ofac_sdn", "review")
    metrics.record_match("us_ofac_sdn", "review")
    metrics.record_match("un_sc")
    metrics.record_clearance_applied("un_sc")

    body, content_type = metrics.render()
    samples = scrape(body)

    assert content_type.startswith("text/plain")
    assert value(samples, "screening_screenings_total", kind="single", decision="clear") == 2
    assert value(samples, "screening_screenings_total", kind="batch", decision="review") == 1
    assert value(samples, "screening_screenings_total", kind="order", decision="block") == 1
    assert value(samples, "screening_screenings_total", kind="single", decision="block") is None
    assert value(samples, "screening_matches_total", source="us_ofac_sdn", decision="review") == 2
    assert value(samples, "screening_matches_total", source="us_ofac_sdn", decision="block") == 1
    assert value(samples, "screening_matches_total", source="un_sc", decision="review") == 1
    assert value(samples, "screening_clearances_applied_total", source="un_sc") == 1


def test_list_age_is_computed_at_scrape_time(metrics: Metrics, clock: Clock) -> None:
    checked = datetime.fromtimestamp(NOW - 3600, tz=UTC)
    metrics.set_list_state("us_ofac_sdn", record_count=18_000, checked_at=checked, max_age_seconds=48 * 3600)

    first = scrape(metrics.render()[0])
    clock.now += 7200  # nothing is recorded in between: the age must still grow
    second = scrape(metrics.render()[0])

    assert value(first, "screening_list_records", source="us_ofac_sdn") == 18_000
    assert value(first, "screening_list_age_seconds", source="us_ofac_sdn") == 3600
    assert value(second, "screening_list_age_seconds", source="us_ofac_sdn") == 3 * 3600
    assert value(second, "screening_list_max_age_seconds", source="us_ofac_sdn") == 48 * 3600


def test_list_states_follow_the_store(metrics: Metrics) -> None:
    def status(source: str, **fields: object) -> SourceStatus:
        base: dict[str, object] = {
            "source": source,
            "name": source,
            "publisher": "p",
            "kind": "sanctions",
            "version": None,
            "record_count": 0,
            "fetched_at": None,
            "checked_at": None,
            "published_at": None,
            "activated_at": None,
            "age_seconds": None,
            "status": "missing",
            "last_error": None,
            "last_failed_at": None,
            "max_age_hours": None,
        }
        return SourceStatus(**{**base, **fields})  # type: ignore[arg-type]

    # Loaded two days ago, unchanged since, and confirmed unchanged a minute ago.
    fetched = datetime.fromtimestamp(NOW - 2 * 86400, tz=UTC)
    activated = datetime.fromtimestamp(NOW - 2 * 86400 + 30, tz=UTC)
    checked = datetime.fromtimestamp(NOW - 60, tz=UTC)
    failed = datetime.fromtimestamp(NOW - 100, tz=UTC)
    metrics.set_list_state("gone_source", record_count=1, checked_at=fetched)
    history = {
        "us_ofac_sdn": IngestHistory("us_ofac_sdn", {"active": 1, "superseded": 2}, 0, 30.0),
        "un_sc": IngestHistory("un_sc", {"failed": 3}, 3, None),
    }
    metrics.sync_list_states(
        [
            status(
                "us_ofac_sdn",
                version=3,
                record_count=42,
                fetched_at=fetched,
                checked_at=checked,
                activated_at=activated,
                max_age_hours=48,
            ),
            status("un_sc", status="failed", last_failed_at=failed),
        ],
        history,
    )
    samples = scrape(metrics.render()[0])

    assert value(samples, "screening_list_records", source="us_ofac_sdn") == 42
    assert value(samples, "screening_list_age_seconds", source="us_ofac_sdn") == 60
    assert value(samples, "screening_list_max_age_seconds", source="us_ofac_sdn") == 48 * 3600
    assert value(samples, "screening_ingest_last_success_timestamp_seconds", source="us_ofac_sdn") == NOW - 60
    assert value(samples, "screening_list_last_change_timestamp_seconds", source="us_ofac_sdn") == NOW - 2 * 86400 + 30
    assert value(samples, "screening_ingest_last_failure_timestamp_seconds", source="us_ofac_sdn") == 0
    assert value(samples, "screening_ingest_last_load_duration_seconds", source="us_ofac_sdn") == 30
    assert value(samples, "screening_ingest_failures_since_success", source="us_ofac_sdn") == 0
    assert value(samples, "screening_list_versions", source="us_ofac_sdn", status="superseded") == 2
    assert value(samples, "screening_list_versions", source="us_ofac_sdn", status="loading") == 0
    assert value(samples, "screening_ingest_failures_since_success", source="un_sc") == 3
    assert value(samples, "screening_list_versions", source="un_sc", status="failed") == 3
    # Never loaded: a zero record count and a failure newer than any success, but no age to report.
    assert value(samples, "screening_list_records", source="un_sc") == 0
    assert value(samples, "screening_list_age_seconds", source="un_sc") is None
    assert value(samples, "screening_ingest_last_success_timestamp_seconds", source="un_sc") == 0
    assert value(samples, "screening_ingest_last_failure_timestamp_seconds", source="un_sc") == NOW - 100
    assert value(samples, "screening_list_records", source="gone_source") is None


def test_ingest_runs_are_timed_and_failures_counted(metrics: Metrics) -> None:
    metrics.observe_ingest("eu_fsf", 12.0, ok=True)
    metrics.observe_ingest("eu_fsf", 40.0, ok=False)
    metrics.observe_ingest("eu_fsf", 0.7, ok=False)
    samples = scrape(metrics.render()[0])

    assert value(samples, "screening_ingest_duration_seconds_count", source="eu_fsf", outcome="success") == 1
    assert value(samples, "screening_ingest_duration_seconds_sum", source="eu_fsf", outcome="failure") == 40.7
    assert value(samples, "screening_ingest_duration_seconds_bucket", source="eu_fsf", outcome="failure", le="1.0") == 1
    assert value(samples, "screening_ingest_failures_total", source="eu_fsf") == 2
    failure_at = value(samples, "screening_ingest_last_failure_timestamp_seconds", source="eu_fsf")
    success_at = value(samples, "screening_ingest_last_success_timestamp_seconds", source="eu_fsf")
    assert failure_at is not None and success_at is not None
    assert failure_at >= success_at > 0


def test_index_build_sets_size_and_memory(metrics: Metrics) -> None:
    metrics.observe_index_build(2.5, entries=41_000, names=97_000)
    metrics.observe_index_build(1.5, entries=41_010, names=97_020)
    metrics.set_index_memory(351_000_000)
    metrics.set_resident_memory(650_000_000)
    samples = scrape(metrics.render()[0])

    assert value(samples, "screening_index_build_duration_seconds_count") == 2
    assert value(samples, "screening_index_build_duration_seconds_sum") == 4.0
    assert value(samples, "screening_index_entries") == 41_010
    assert value(samples, "screening_index_names") == 97_020
    assert value(samples, "screening_index_memory_bytes") == 351_000_000
    assert value(samples, "screening_process_resident_memory_bytes") == 650_000_000


def test_monitoring_and_webhook_metrics(metrics: Metrics) -> None:
    metrics.set_monitored_parties(120)
    metrics.record_rescreening("review")
    metrics.record_alert("new_match")
    metrics.record_webhook_delivery(ok=True)
    metrics.record_webhook_delivery(ok=False)
    samples = scrape(metrics.render()[0])

    assert value(samples, "screening_monitored_parties") == 120
    assert value(samples, "screening_rescreenings_total", decision="review") == 1
    assert value(samples, "screening_alerts_total", kind="new_match") == 1
    assert value(samples, "screening_webhook_deliveries_total") == 2
    assert value(samples, "screening_webhook_failures_total") == 1


@pytest.mark.parametrize(
    ("record", "bad"),
    [
        (lambda m, v: m.record_match(v), "Ivan Petrov"),
        (lambda m, v: m.record_match(v), "US_OFAC_SDN"),
        (lambda m, v: m.record_match("us_ofac_sdn", v), "clear"),
        (lambda m, v: m.record_screening(v, "clear"), "bulk"),
        (lambda m, v: m.record_screening("single", v), "maybe"),
        (lambda m, v: m.record_alert(v), "match for María García"),
        (lambda m, v: m.observe_ingest(v, 1.0, ok=True), "../etc"),
        (lambda m, v: m.set_list_state(v, record_count=1, checked_at=None), "Some Company Ltd"),
        (lambda m, v: m.observe_http("GET", v, 200, 0.01), "/v1/entities/us_ofac_sdn/Ivan Petrov"),
    ],
)
def test_label_values_that_could_carry_personal_data_are_refused(metrics: Metrics, record: object, bad: str) -> None:
    with pytest.raises(ValueError, match="label"):
        record(metrics, bad)  # type: ignore[operator]
    label_values = {value for _name, labels in scrape(metrics.render()[0]) for _key, value in labels}
    assert bad not in label_values


def test_unknown_http_methods_share_one_label(metrics: Metrics) -> None:
    metrics.observe_http("BREW", "<unmatched>", 405, 0.001)
    samples = scrape(metrics.render()[0])
    assert value(samples, "screening_http_requests_total", method="OTHER", route="<unmatched>", status="405") == 1


def test_every_metric_is_documented_in_help_text_and_module_docstring(metrics: Metrics) -> None:
    metrics.set_list_state("x", record_count=1, checked_at=datetime.fromtimestamp(NOW, tz=UTC), max_age_seconds=1)
    families = [
        family
        for family in text_string_to_metric_families(metrics.render()[0].decode())
        # Unlabelled counters' `_created` samples parse as families of their own; they are not metrics of ours.
        if family.name.startswith("screening_") and not family.name.endswith("_created")
    ]
    doc = service.metrics.__doc__ or ""

    assert len(families) == 26
    for family in families:
        exposed = family.name + ("_total" if family.type == "counter" else "")
        assert f"- {exposed} — {family.type}" in doc, exposed
        assert len(family.documentation) > 20, family.name


def test_module_functions_use_the_process_wide_registry() -> None:
    fresh = reset_metrics()
    try:
        assert get_metrics() is fresh
        get_metrics().record_screening("single", "block")
        samples = scrape(render_latest()[0])
        assert value(samples, "screening_screenings_total", kind="single", decision="block") == 1
        # Single-process mode carries the process collector (RSS etc.) as well.
        assert value(samples, "process_resident_memory_bytes") is not None
    finally:
        reset_metrics()


WORKER = textwrap.dedent(
    """
    import sys
    from service.metrics import Metrics
    metrics = Metrics()
    assert metrics.multiprocess
    for _ in range(int(sys.argv[1])):
        metrics.record_screening("single", "review")
        metrics.observe_http("POST", "/v1/screen", 200, 0.004)
    metrics.observe_index_build(1.0, entries=int(sys.argv[2]), names=1)
    if sys.argv[3] == "render":
        sys.stdout.buffer.write(metrics.render()[0])
    """
)


def test_multiprocess_mode_sums_counters_over_workers(tmp_path: Path) -> None:
    """Two worker processes record; the third, which serves the scrape, reports the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def run(count: int, entries: int, render: bool) -> str:
        argv = [sys.executable, "-c", WORKER, str(count), str(entries), "render" if render else "-"]
        return subprocess.run(argv, env=env, check=True, capture_output=True, timeout=60).stdout.decode()

    run(3, 100, render=False)
    run(4, 300, render=False)
    samples = scrape(run(5, 200, render=True).encode())

    assert value(samples, "screening_screenings_total", kind="single", decision="review") == 12
    assert (
        value(samples, "screening_http_request_duration_seconds_count", method="POST", route="/v1/screen", status="200")
        == 12
    )
    # mostrecent: the scraping worker built its index last.
    assert value(samples, "screening_index_entries") == 200
