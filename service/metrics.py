"""Every Prometheus metric of the service, in one place, and the small typed functions that record them.

Metrics (all prefixed `screening_`; label values are bounded enumerations or catalogue source ids, never
a party's name, reference or any other personal data — the recorders below reject anything else):

Each entry: name — type, unit; labels: meaning.

- screening_http_requests_total — counter, requests; method, route, status: HTTP requests answered. `route` is
  the route template (`/v1/entities/{source}/{entity_id}`), `<unmatched>` when no route matches.
- screening_http_request_duration_seconds — histogram, seconds; method, route, status: time from receiving a
  request to the end of its response body. Buckets 1 ms .. 10 s, dense from 1 to 50 ms (50 ms is an edge).
- screening_screenings_total — counter, screenings; kind, decision: screenings decided. kind `single`
  (POST /v1/screen), `batch` (one per party of POST /v1/screen/batch), `order` (one per order); decision
  `clear`, `review` or `block`.
- screening_matches_total — counter, matches; source, decision: matches returned, by the list they came from
  and their own decision (`review`, `block`).
- screening_clearances_applied_total — counter, matches; source: matches marked `cleared` by a clearance.
- screening_list_records — gauge, entries; source: record count of the active version (0: none active).
- screening_list_age_seconds — gauge, seconds; source: now minus the last time the list was known current
  (its last successful load, or the last check that found the publisher's content unchanged), computed at
  scrape time (no sample while no version is active). A list its publisher left unchanged for a week but
  that was checked an hour ago is an hour old.
- screening_list_max_age_seconds — gauge, seconds; source: the catalogue's allowed age (`max_age_hours`);
  no sample when the catalogue sets none.
- screening_ingest_last_success_timestamp_seconds — gauge, unix seconds; source: the last successful ingest,
  a load or an unchanged check (0: never).
- screening_ingest_last_failure_timestamp_seconds — gauge, unix seconds; source: when the last ingest that
  is newer than the active version failed (0: none). Above the last success: the latest attempt failed.
- screening_list_last_change_timestamp_seconds — gauge, unix seconds; source: when the active version (the
  content now served) was activated (0: none).
- screening_list_versions — gauge, versions; source, status (`loading`, `active`, `superseded`, `failed`):
  versions in the store. `loading` above 0 for long: an ingest that stopped midway.
- screening_ingest_failures_since_success — gauge, runs; source: failed ingests recorded after the last
  successful one (at most `SCREENING_KEEP_FAILED_VERSIONS`, the failed versions kept).
- screening_ingest_last_load_duration_seconds — gauge, seconds; source: wall time of the ingest that loaded
  the active version (from its stored start and activation times).
- screening_ingest_duration_seconds — histogram, seconds; source, outcome (`success`, `failure`): wall time
  of one ingest run in THIS process (the API's scheduler or refresh endpoint; a CronJob's runs are in the
  store-fed gauges above, not here).
- screening_ingest_failures_total — counter, runs; source: ingest runs in this process that failed.
- screening_index_build_duration_seconds — histogram, seconds; no labels: time to build the match index.
- screening_index_entries — gauge, entries; no labels: list entries in the serving match index.
- screening_index_names — gauge, names; no labels: names (primary + aliases) in the serving match index.
- screening_index_memory_bytes — gauge, bytes; no labels: memory the serving index's objects hold, measured
  by walking them once, in the process that builds the index (`service.memory.deep_size`); a process that
  loads the saved index reports the builder's figure with it. The process holds more: the interpreter,
  libraries, the previous index until it is freed, allocator slack; see the next gauge.
- screening_process_resident_memory_bytes — gauge, bytes; no labels: resident memory (RSS) of the serving
  process, summed over live workers when several share a pod (set at each index poll).
- screening_monitored_parties — gauge, parties; no labels: parties under ongoing monitoring.
- screening_rescreenings_total — counter, screenings; decision: re-screenings of monitored parties.
- screening_alerts_total — counter, alerts; kind (a lower-case identifier): monitoring alerts raised.
- screening_webhook_deliveries_total — counter, attempts; no labels: webhook delivery attempts.
- screening_webhook_failures_total — counter, attempts; no labels: webhook delivery attempts that failed.

In single-process mode the registry also carries prometheus-client's `process_*` and `python_*` collectors.

Process model: run ONE uvicorn worker per pod and scale with replicas (what the Helm chart does); every
replica is scraped on its own and PromQL aggregates (`sum by`, `max by`). Several workers in one process
group are supported when `PROMETHEUS_MULTIPROC_DIR` names an empty directory that exists before the first
worker starts (prometheus-client reads it at import): counters and histograms are then summed over workers
by `MultiProcessCollector`, the index gauges report the value a worker set last, and the list gauges
are the scraped worker's view (every worker reads the same store). The directory must be wiped on restart.

Why the list gauges come from a custom collector: in Kubernetes the ingest runs in a CronJob whose process
exits, so its counters are never scraped. API replicas therefore publish the list state they read from the
store (`set_list_state` / `sync_list_states`, after each index poll): the list state, and what the ingests
left in `list_version` (successes, failures since, stored versions, load time). The age is computed when
Prometheus scrapes, so it grows between polls as a stale list does.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from service.decisions import DECISIONS, Decision
from service.list_metrics import ListState, ListStateCollector, identifier_label

if TYPE_CHECKING:
    from service.sources.history import IngestHistory
    from service.sources.status import SourceStatus

ScreeningKind = Literal["single", "batch", "order"]

SCREENING_KINDS: frozenset[str] = frozenset({"single", "batch", "order"})
MATCH_DECISIONS: frozenset[str] = frozenset({"review", "block"})
HTTP_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Single screens should answer in 1-50 ms; the SLO edge (50 ms) is a bucket boundary so p99 alerts are exact.
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
# A list download + parse + store takes from a second (small lists) to several minutes (full UN/EU XML).
INGEST_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
INDEX_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

_ROUTE = re.compile(r"(/[A-Za-z0-9_.{}:-]*)+|<unmatched>")


def _member(value: str, allowed: Collection[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} label must be one of {sorted(allowed)}, got {value!r}")
    return value


def multiprocess_dir() -> str | None:
    """The prometheus-client multiprocess directory, when the environment sets one."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The service's metric objects in one registry; create one per process (or per test)."""

    def __init__(self, *, multiprocess: bool | None = None, clock: Callable[[], float] = time.time) -> None:
        self.multiprocess = multiprocess_dir() is not None if multiprocess is None else multiprocess
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        http_labels = ["method", "route", "status"]
        self.http_requests = Counter(
            "screening_http_requests",
            "HTTP requests answered (requests), by method, route template and status code.",
            http_labels,
            registry=registry,
        )
        self.http_duration = Histogram(
            "screening_http_request_duration_seconds",
            "Time from request to the end of the response body (seconds), by method, route template and status.",
            http_labels,
            buckets=HTTP_BUCKETS,
            registry=registry,
        )
        self.screenings = Counter(
            "screening_screenings",
            "Screenings decided (screenings), by kind (single, batch, order) and decision (clear, review, block).",
            ["kind", "decision"],
            registry=registry,
        )
        self.matches = Counter(
            "screening_matches",
            "Matches returned (matches), by list source and match decision (review, block).",
            ["source", "decision"],
            registry=registry,
        )
        self.clearances_applied = Counter(
            "screening_clearances_applied",
            "Matches marked cleared by a recorded clearance (matches), by list source.",
            ["source"],
            registry=registry,
        )
        self.ingest_duration = Histogram(
            "screening_ingest_duration_seconds",
            "Wall time of one ingest run in this process (seconds), by source and outcome (success, failure).",
            ["source", "outcome"],
            buckets=INGEST_BUCKETS,
            registry=registry,
        )
        self.ingest_failures = Counter(
            "screening_ingest_failures",
            "Ingest runs in this process that failed (runs), by source.",
            ["source"],
            registry=registry,
        )
        self.index_build_duration = Histogram(
            "screening_index_build_duration_seconds",
            "Time to build the match index from the active list versions (seconds).",
            buckets=INDEX_BUCKETS,
            registry=registry,
        )
        # mostrecent: with several workers each builds its own index from the same store; report the latest.
        self.index_entries = Gauge(
            "screening_index_entries",
            "List entries in the serving match index (entries).",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.index_names = Gauge(
            "screening_index_names",
            "Names, primary and aliases, in the serving match index (names).",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.index_memory = Gauge(
            "screening_index_memory_bytes",
            "Memory the serving match index's objects hold, measured by walking them after each build (bytes).",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        # livesum: with several workers in a pod, what the pod holds; a worker that exited drops out.
        self.resident_memory = Gauge(
            "screening_process_resident_memory_bytes",
            "Resident memory (RSS) of the serving process, summed over live workers (bytes).",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.monitored_parties = Gauge(
            "screening_monitored_parties",
            "Parties under ongoing monitoring (parties).",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.rescreenings = Counter(
            "screening_rescreenings",
            "Re-screenings of monitored parties (screenings), by decision (clear, review, block).",
            ["decision"],
            registry=registry,
        )
        self.alerts = Counter(
            "screening_alerts",
            "Monitoring alerts raised (alerts), by alert kind.",
            ["kind"],
            registry=registry,
        )
        self.webhook_deliveries = Counter(
            "screening_webhook_deliveries", "Webhook delivery attempts (attempts).", registry=registry
        )
        self.webhook_failures = Counter(
            "screening_webhook_failures", "Webhook delivery attempts that failed (attempts).", registry=registry
        )
        self.lists = ListStateCollector(clock)
        registry.register(self.lists)
        if not self.multiprocess:
            # Per-process facts (RSS, CPU, GC); meaningless summed over workers, so single-process only.
            ProcessCollector(registry=registry)
            PlatformCollector(registry=registry)
            GCCollector(registry=registry)

    def render(self) -> tuple[bytes, str]:
        """The text exposition for GET /metrics: (body, content type)."""
        if not self.multiprocess:
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        # Counters and histograms live in the workers' mmap files; a fresh registry per scrape is how
        # prometheus-client reads them (registering the live metrics too would double them).
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # unannotated upstream
        registry.register(self.lists)
        return generate_latest(registry), CONTENT_TYPE_LATEST

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method if method in HTTP_METHODS else "OTHER", _route(route), str(status))
        self.http_requests.labels(*labels).inc()
        self.http_duration.labels(*labels).observe(seconds)

    def record_screening(self, kind: ScreeningKind, decision: Decision) -> None:
        self.screenings.labels(_member(kind, SCREENING_KINDS, "kind"), _member(decision, DECISIONS, "decision")).inc()

    def record_match(self, source: str, decision: str = "review") -> None:
        self.matches.labels(identifier_label(source, "source"), _member(decision, MATCH_DECISIONS, "decision")).inc()

    def record_clearance_applied(self, source: str) -> None:
        self.clearances_applied.labels(identifier_label(source, "source")).inc()

    def observe_ingest(self, source: str, seconds: float, ok: bool) -> None:
        identifier_label(source, "source")
        self.ingest_duration.labels(source, "success" if ok else "failure").observe(seconds)
        if not ok:
            self.ingest_failures.labels(source).inc()
        self.lists.note_ingest(source, ok=ok, at=time.time())

    def set_list_state(
        self,
        source: str,
        *,
        record_count: int,
        checked_at: datetime | None,
        last_success_at: datetime | None = None,
        last_failure_at: datetime | None = None,
        max_age_seconds: float | None = None,
    ) -> None:
        self.lists.set(ListState(source, record_count, checked_at, last_success_at, last_failure_at, max_age_seconds))

    def sync_list_states(
        self, statuses: Iterable[SourceStatus], history: Mapping[str, IngestHistory] | None = None
    ) -> None:
        """Replace every source's list and ingest gauges with the store's view (`source_statuses`, `ingest_history`)."""
        history = history or {}
        states: list[ListState] = []
        for status in statuses:
            # `checked_at` is the latest of the active version's load and its unchanged checks.
            confirmed = status.checked_at or status.fetched_at
            ingests = history.get(status.source)
            states.append(
                ListState(
                    source=status.source,
                    record_count=status.record_count,
                    checked_at=confirmed,
                    last_success_at=confirmed,
                    last_failure_at=status.last_failed_at,
                    max_age_seconds=status.max_age_hours * 3600 if status.max_age_hours is not None else None,
                    changed_at=status.activated_at,
                    versions=tuple(sorted(ingests.versions.items())) if ingests else (),
                    failures_since_success=ingests.failures_since_success if ingests else None,
                    load_seconds=ingests.load_seconds if ingests else None,
                )
            )
        self.lists.replace_all(states)

    def observe_index_build(self, seconds: float, entries: int, names: int) -> None:
        self.index_build_duration.observe(seconds)
        self.index_entries.set(entries)
        self.index_names.set(names)

    def set_index_memory(self, memory_bytes: int) -> None:
        self.index_memory.set(memory_bytes)

    def set_resident_memory(self, resident_bytes: int) -> None:
        self.resident_memory.set(resident_bytes)

    def set_monitored_parties(self, count: int) -> None:
        self.monitored_parties.set(count)

    def record_rescreening(self, decision: Decision, count: int = 1) -> None:
        self.rescreenings.labels(_member(decision, DECISIONS, "decision")).inc(count)

    def record_alert(self, kind: str) -> None:
        self.alerts.labels(identifier_label(kind, "kind")).inc()

    def record_webhook_delivery(self, ok: bool) -> None:
        self.webhook_deliveries.inc()
        if not ok:
            self.webhook_failures.inc()


@functools.lru_cache(maxsize=512)
def _route(route: str) -> str:
    # Cached: a service has a few dozen templates, and this runs on every request.
    if not _ROUTE.fullmatch(route):
        raise ValueError(f"route label must be a route template, got {route!r}")
    return route


# The process-wide instance, created on first use rather than at import so that importing the module has no
# side effects; tests call `reset_metrics()` for a clean registry.
_default: Metrics | None = None
_default_lock = threading.Lock()


def get_metrics() -> Metrics:
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Metrics()
    return _default


def reset_metrics(metrics: Metrics | None = None) -> Metrics:
    """Install `metrics` (or a fresh instance) as the process-wide one and return it."""
    global _default
    with _default_lock:
        _default = metrics or Metrics()
        return _default


def render_latest() -> tuple[bytes, str]:
    """Body and content type for GET /metrics."""
    return get_metrics().render()
