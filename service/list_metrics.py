"""Per-source list and ingest gauges, fed from the store and computed at scrape time (catalogue: service.metrics).

They come from the store, not from counters of the process that ingested: that is usually a CronJob
nobody scrapes. Every API replica reads the same rows and reports the same values (`max by (source)`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Source ids and alert kinds are catalogue/code identifiers; anything else (a name, free text) is refused so
# that personal data can never become a label value.
_IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


def identifier_label(value: str, what: str) -> str:
    if not _IDENTIFIER.fullmatch(value):
        raise ValueError(f"{what} label must be a lower-case identifier, got {value!r}")
    return value


VERSION_STATUSES = ("loading", "active", "superseded", "failed")


@dataclass(slots=True, frozen=True)
class ListState:
    """What the store says about one source; the age is derived from `checked_at` at scrape time."""

    source: str
    record_count: int
    checked_at: datetime | None = None  # last successful load or unchanged check of the active version
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    max_age_seconds: float | None = None
    changed_at: datetime | None = None  # when the active version (the content now served) was activated
    versions: tuple[tuple[str, int], ...] = ()  # stored versions by status
    failures_since_success: int | None = None
    load_seconds: float | None = None


class ListStateCollector(Collector):
    """Per-source list gauges, computed when scraped so the age is live."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._states: dict[str, ListState] = {}

    def set(self, state: ListState) -> None:
        identifier_label(state.source, "source")
        with self._lock:
            self._states[state.source] = state

    def replace_all(self, states: Iterable[ListState]) -> None:
        fresh = {identifier_label(state.source, "source"): state for state in states}
        with self._lock:
            self._states = fresh

    def note_ingest(self, source: str, *, ok: bool, at: float) -> None:
        """Stamp an ingest that ran in this process (the store-fed state overwrites it on the next sync)."""
        with self._lock:
            previous = self._states.get(source, ListState(source=source, record_count=0))
            moment = datetime.fromtimestamp(at, tz=UTC)
            if ok:
                self._states[source] = replace(previous, last_success_at=moment)
            else:
                self._states[source] = replace(previous, last_failure_at=moment)

    def describe(self) -> Iterable[Metric]:
        # Describing without collecting keeps registration free of the lock and the clock.
        return list(self._families())

    def collect(self) -> Iterable[Metric]:
        with self._lock:
            states = sorted(self._states.values(), key=lambda state: state.source)
        now = self._clock()
        families = self._families()
        records, age, max_age, success, failure, changed, versions, failures, load = families
        for state in states:
            labels = [state.source]
            records.add_metric(labels, state.record_count)
            if state.checked_at is not None:
                age.add_metric(labels, max(0.0, now - state.checked_at.timestamp()))
            if state.max_age_seconds is not None:
                max_age.add_metric(labels, state.max_age_seconds)
            success.add_metric(labels, state.last_success_at.timestamp() if state.last_success_at else 0.0)
            failure.add_metric(labels, state.last_failure_at.timestamp() if state.last_failure_at else 0.0)
            changed.add_metric(labels, state.changed_at.timestamp() if state.changed_at else 0.0)
            stored = dict(state.versions)
            if stored:
                for status in VERSION_STATUSES:
                    versions.add_metric([state.source, status], stored.get(status, 0))
            if state.failures_since_success is not None:
                failures.add_metric(labels, state.failures_since_success)
            if state.load_seconds is not None:
                load.add_metric(labels, state.load_seconds)
        return families

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        def gauge(name: str, documentation: str, labels: tuple[str, ...] = ("source",)) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, documentation, labels=list(labels))

        return (
            gauge("screening_list_records", "Record count of the source's active list version (entries; 0: none)."),
            gauge(
                "screening_list_age_seconds",
                "Seconds since the source's list was last known current: its last successful load or unchanged"
                " check, at scrape time.",
            ),
            gauge("screening_list_max_age_seconds", "Allowed age of the source's active version (catalogue), s."),
            gauge(
                "screening_ingest_last_success_timestamp_seconds",
                "Unix time of the source's last successful ingest: a load, or a check finding it unchanged (0: never).",
            ),
            gauge(
                "screening_ingest_last_failure_timestamp_seconds",
                "Unix time of the source's last failed ingest newer than its active version (0: none).",
            ),
            gauge(
                "screening_list_last_change_timestamp_seconds",
                "Unix time the source's active version, the content now served, was activated (0: none).",
            ),
            gauge(
                "screening_list_versions",
                "Stored versions of the source by status (versions); `loading` > 0: an ingest under way or abandoned.",
                ("source", "status"),
            ),
            gauge(
                "screening_ingest_failures_since_success",
                "Failed ingests recorded after the source's last successful one (runs; capped by the failed"
                " versions kept, SCREENING_KEEP_FAILED_VERSIONS).",
            ),
            gauge(
                "screening_ingest_last_load_duration_seconds",
                "Wall time of the ingest that loaded the source's active version, from the store (seconds).",
            ),
        )
