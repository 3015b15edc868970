"""Lists on first start: a new install loads every auto-refreshed source it never loaded, by itself.

Without it a fresh `screening serve` answers 503 to every screening until someone ingests each list by
hand. The load runs in a thread of the API process (from the mirror when `SCREENING_LISTS_MIRROR` is
set, else from the official URLs), the required sources first. On a store with no list yet, while it
runs the status board says `loading lists: 4/9`, /readyz is 503 and screening is suspended: an answer
against half the lists could say `clear` for a party on a list not loaded yet. Replicas starting together share the work
through the per-source lease; a source another replica is loading is left to it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from service.config import Settings
from service.metrics import Metrics
from service.sources.catalogue import Catalogue, CatalogueSource
from service.sources.scheduler import read_mirror_contents, run_refresh
from service.sources.status import StatusBoard
from service.sources.tables import ListVersion

log = logging.getLogger(__name__)


def loaded_sources(engine: Engine) -> set[str]:
    """Sources with an active version."""
    with Session(engine) as session:
        active = select(col(ListVersion.source)).where(col(ListVersion.status) == "active")
        return set(session.execute(active).scalars())


def never_loaded(catalogue: Catalogue, loaded: set[str], required: list[str]) -> list[CatalogueSource]:
    """Auto-refreshed sources with no active version, the required ones first."""
    pending = [source for source in catalogue if source.auto_refresh and source.id not in loaded]
    return sorted(pending, key=lambda source: source.id not in required)


class FirstStartLoader:
    def __init__(
        self,
        engine: Engine,
        catalogue: Catalogue,
        settings: Settings,
        metrics: Metrics,
        board: StatusBoard,
        on_done: Callable[[], object],
    ) -> None:
        self._engine = engine
        self._catalogue = catalogue
        self._settings = settings
        self._metrics = metrics
        self._board = board
        self._on_done = on_done
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._holding = False

    def start(self) -> bool:
        """Start loading what was never loaded; False when there is nothing to load.

        Screening waits only on a store with no list at all. Once one is loaded, a source that keeps
        failing (a dead URL, no mirror file) is retried in the background at each start, without
        suspending the screening of a service that was serving before its restart.
        """
        loaded = loaded_sources(self._engine)
        pending = never_loaded(self._catalogue, loaded, self._settings.required_sources)
        if not pending:
            return False
        self._holding = not loaded
        if self._holding:
            self._board.loading = f"loading lists: 0/{len(pending)}"
        log.info(
            "first start: loading %d list(s) from %s", len(pending), self._settings.lists_mirror or "the official URLs"
        )
        self._thread = threading.Thread(target=self._run, args=(pending,), name="first-start-lists", daemon=True)
        self._thread.start()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self, pending: list[CatalogueSource]) -> None:
        loaded = 0
        try:
            # Read the mirror once for every source, not once per source as a scheduled refresh does.
            contents = read_mirror_contents(self._settings) if self._settings.lists_mirror else None
            for done, source in enumerate(pending, start=1):
                if self._stop.is_set():
                    return
                outcome = run_refresh(self._engine, source, self._settings, self._metrics, mirror_contents=contents)
                if outcome is not None and outcome.status != "failed":
                    loaded += 1
                if self._holding:
                    self._board.loading = f"loading lists: {done}/{len(pending)}"
            log.info("first start: %d of %d list(s) loaded", loaded, len(pending))
        finally:
            self._board.loading = None
            if not self._stop.is_set():
                self._on_done()

    def stop(self, timeout: float) -> None:
        """Stop after the list in flight. One still running after `timeout` is left behind: its lease
        runs out and the next start finds that version abandoned, and loads the source again."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
