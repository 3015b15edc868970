"""Refreshes started from the admin API run in a background thread of this process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from service.config import Settings
from service.errors import IngestLocked
from service.metrics import Metrics
from service.sources.catalogue import CatalogueSource
from service.sources.lease import HeldLease, claim
from service.sources.scheduler import run_refresh

log = logging.getLogger(__name__)


class RefreshRunner:
    def __init__(self, engine: Engine, settings: Settings, metrics: Metrics, on_done: Callable[[], object]) -> None:
        self._engine = engine
        self._settings = settings
        self._metrics = metrics
        self._on_done = on_done
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self, source: CatalogueSource) -> None:
        """Start a refresh, or raise IngestLocked when one of this source is under way anywhere.

        The lease is claimed here, before the caller is told the refresh started: of two replicas
        asked at once, one answers 202 and the other 409, and neither run is skipped unseen.
        """
        with self._lock:
            if source.id in self._running:
                raise IngestLocked(f"a refresh of '{source.id}' is already running in this process")
            held = claim(self._engine, source.id)
            self._running.add(source.id)
        thread = threading.Thread(target=self._run, args=(source, held), name=f"refresh-{source.id}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _run(self, source: CatalogueSource, held: HeldLease) -> None:
        try:
            outcome = run_refresh(self._engine, source, self._settings, self._metrics, held)
            if outcome is not None and outcome.status == "activated":
                self._on_done()
        finally:
            with self._lock:
                self._running.discard(source.id)

    def join(self, timeout: float) -> None:
        for thread in self._threads:
            thread.join(timeout)
