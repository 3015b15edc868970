"""The FastAPI application: `create_app(settings)`; engine, index and background tasks live in the lifespan."""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service import health
from service.api_docs import install_api_docs
from service.api_errors import install_error_handlers
from service.auth import Authenticator
from service.background import periodic
from service.cases import intake as case_intake
from service.cases import routes as case_routes
from service.cases.reopening import reopen_after_list_updates
from service.collector import keep_start_up_objects, resume_after_start_up
from service.config import Settings, get_settings
from service.db import make_engine, upgrade
from service.matching import build_index
from service.matching.scripts import load_transliterators
from service.memory import resident_bytes
from service.metrics import get_metrics
from service.monitoring.registry import register_screened
from service.monitoring.routes import install_monitoring
from service.monitoring.runs import monitoring_worker
from service.observability import ObservabilityMiddleware, configure_logging
from service.openapi import OPENAPI_TAGS, install_openapi
from service.orders import routes as order_routes
from service.orders.store import PolicyStore
from service.request_guard import RequestGuard
from service.screen_fast_path import ScreenFastPath
from service.screening import clearance_routes
from service.screening import routes as screening_routes
from service.screening.audit_writer import AuditWriter
from service.screening.clearance_directory import ClearanceDirectory
from service.screening.index_state import IndexHolder, IndexSnapshot
from service.screening.saved_index import SavedIndexes
from service.sources import routes as list_routes
from service.sources.catalogue import Catalogue, load_catalogue
from service.sources.first_start import FirstStartLoader
from service.sources.history import ingest_history
from service.sources.runner import RefreshRunner
from service.sources.scheduler import background_scheduler, schedule_refreshes
from service.sources.status import StatusBoard, source_statuses
from service.ui.routes import install_ui
from service.ui.sessions import SessionStore

log = logging.getLogger(__name__)


def _refresh_and_publish(holder: IndexHolder, catalogue: Catalogue, board: StatusBoard) -> None:
    """Rebuild the index when the store changed, and publish every source's state (metrics, status board).

    The list gauges come from the store, not from ingest counters: the ingest may run in
    another process (a CronJob) that Prometheus never scrapes. During the first-start load the
    index is built once at its end, not after every list (each build would slow the load down).
    """
    if not board.loading:
        holder.refresh()
    with Session(holder.engine) as session:
        statuses = source_statuses(session, catalogue)
        history = ingest_history(session)
    metrics = get_metrics()
    metrics.sync_list_states(statuses, history)
    metrics.set_resident_memory(resident_bytes())
    board.update(statuses)


def _publish_index(snapshot: IndexSnapshot) -> None:
    metrics = get_metrics()
    metrics.observe_index_build(snapshot.build_seconds, snapshot.index.entry_count, snapshot.index.name_count)
    metrics.set_index_memory(snapshot.memory_bytes)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        collector_paused = keep_start_up_objects()
        # Configuration is checked before anything is opened, so that a refusal to start leaves nothing open.
        catalogue = load_catalogue(settings.lists_dir)
        unknown = [source for source in settings.required_sources if source not in catalogue.sources]
        if unknown:
            # A typo here would hold every screening at 503 for ever: refuse to start instead.
            raise RuntimeError(
                f"SCREENING_REQUIRED_SOURCES: unknown source id(s) {', '.join(unknown)};"
                f" known: {', '.join(sorted(catalogue.sources))}"
            )
        policy_store = PolicyStore(settings.lists_dir)
        policy_store.get()  # a broken policy fails start-up loudly rather than the first order
        engine = make_engine(settings.effective_database_url)
        await run_in_threadpool(upgrade, engine)
        # Replicas share the store only: the first to build an index for the active versions saves it there.
        holder = IndexHolder(engine, build_index, saved=SavedIndexes(engine))
        holder.on_build = _publish_index
        app.state.settings = settings
        app.state.engine = engine
        app.state.metrics = metrics = get_metrics()
        # Screening sits below monitoring: it registers monitored parties through this, never by import.
        app.state.register_monitored = register_screened
        app.state.catalogue = catalogue
        app.state.index_holder = holder
        app.state.authenticator = Authenticator(engine, settings.api_keys, cache_seconds=settings.api_key_cache_seconds)
        app.state.audit_writer = AuditWriter(engine)
        app.state.clearance_directory = ClearanceDirectory(engine)
        app.state.policy_store = policy_store
        app.state.ui_sessions = SessionStore(engine, timedelta(hours=settings.ui_session_hours))
        app.state.refresh_runner = RefreshRunner(engine, settings, metrics, on_done=holder.refresh)
        await run_in_threadpool(app.state.authenticator.is_open)  # logs whether the API is open
        app.state.status_board = StatusBoard()
        await run_in_threadpool(_refresh_and_publish, holder, catalogue, app.state.status_board)
        await run_in_threadpool(app.state.clearance_directory.reload)
        first_start = FirstStartLoader(
            engine,
            catalogue,
            settings,
            metrics,
            app.state.status_board,
            on_done=functools.partial(_refresh_and_publish, holder, catalogue, app.state.status_board),
        )
        if settings.load_lists_on_start:
            await run_in_threadpool(first_start.start)
        # Ready without them; loaded aside so that the first Han-script name does not wait for them.
        threading.Thread(target=load_transliterators, name="transliterators", daemon=True).start()
        scheduler = None
        if settings.scheduler_enabled:
            scheduler = background_scheduler()
            count = schedule_refreshes(scheduler, engine, catalogue, settings, metrics)
            scheduler.start()
            log.info("list refresh scheduler started for %d sources", count)
        resume_after_start_up(collector_paused)
        try:
            # The index poll picks up list versions activated by any process sharing the store; the
            # monitoring worker re-screens monitored parties after each of them (also those a CronJob
            # ingested) and sends due webhooks. The clearance directory learns of clearances made elsewhere.
            poll = functools.partial(_refresh_and_publish, holder, catalogue, app.state.status_board)
            async with (
                periodic("index poll", poll, settings.index_poll_seconds, first_now=False),
                periodic(
                    "clearance directory",
                    app.state.clearance_directory.reload,
                    settings.index_poll_seconds,
                    first_now=False,
                ),
                monitoring_worker(engine, settings, build_index, metrics),
                periodic(
                    "case reopening",
                    functools.partial(reopen_after_list_updates, engine),
                    settings.index_poll_seconds,
                ),
            ):
                yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            first_start.stop(timeout=30)
            app.state.refresh_runner.join(timeout=30)
            app.state.audit_writer.close()
            engine.dispose()

    app = FastAPI(
        # Operation ids are the route functions' names ("screen", "list_screenings"): what generated clients call.
        generate_unique_id_function=lambda route: route.name,
        title="End-user screening service",
        version="0.1.0",
        description=(
            "Screens customers, consignees and end users against sanctions, export-control and "
            "human-rights watchlists, with transliteration-aware name matching."
        ),
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
        # /docs is served from local assets (api_docs.py), not FastAPI's CDN page; ReDoc is off.
        docs_url=None,
        redoc_url=None,
        # Metrics are our own Prometheus ones (service/metrics.py). FastAPI's native OpenTelemetry hooks
        # would otherwise look up the global providers on every request, hot path included.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Innermost of the app's middleware: the guard, the error middleware and the access log wrap it too.
    app.add_middleware(ScreenFastPath, route=screening_routes.screen_route())
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    install_error_handlers(app)  # its JSON-500 middleware wraps the guard too
    app.add_middleware(ObservabilityMiddleware, metrics=get_metrics())

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """Prometheus text exposition (no key needed; labels carry no personal data)."""
        body, content_type = get_metrics().render()
        return Response(body, media_type=content_type)

    install_api_docs(app)
    install_ui(app)
    app.include_router(health.router)
    app.include_router(screening_routes.router)
    app.include_router(list_routes.router)
    app.include_router(clearance_routes.router)
    app.include_router(order_routes.router)
    app.include_router(case_routes.router)
    install_monitoring(app)
    install_openapi(app, settings)
    # Every screening stored that is not `clear` opens or updates its party's review case.
    case_intake.install()
    return app


def app_from_environment() -> FastAPI:
    """Entry point for `uvicorn --factory` (`screening serve`). Every worker process runs it, and a worker
    does not inherit the parent's logging set-up: without this its access log would go nowhere."""
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return create_app(settings)
