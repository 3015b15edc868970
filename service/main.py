"""The FastAPI application: `create_app(settings)`; engine, index and background tasks live in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from service import health
from service.api_errors import install_error_handlers
from service.auth import Authenticator
from service.config import Settings, get_settings
from service.db import make_engine, upgrade
from service.matching.simple import build_simple_index
from service.screening import clearance_routes
from service.screening import routes as screening_routes
from service.screening.index_state import IndexHolder
from service.sources import routes as list_routes
from service.sources.catalogue import load_catalogue
from service.sources.runner import RefreshRunner
from service.sources.scheduler import background_scheduler, schedule_refreshes

log = logging.getLogger(__name__)


async def _poll_index(holder: IndexHolder, seconds: float) -> None:
    """Pick up list versions activated by any process sharing the store."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await run_in_threadpool(holder.refresh)
        except Exception:
            # Boundary of a background task: a failed rebuild keeps the old index serving.
            log.exception("match index refresh failed; the previous index keeps serving")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.effective_database_url)
        await run_in_threadpool(upgrade, engine)
        holder = IndexHolder(engine, build_simple_index)
        catalogue = load_catalogue(settings.lists_dir)
        app.state.settings = settings
        app.state.engine = engine
        app.state.catalogue = catalogue
        app.state.index_holder = holder
        app.state.authenticator = Authenticator(engine, settings.api_keys)
        app.state.refresh_runner = RefreshRunner(engine, settings, on_done=holder.refresh)
        if app.state.authenticator.is_open():
            log.warning("no API key configured: the API is open to anyone who can reach it (bind to loopback only)")
        await run_in_threadpool(holder.refresh)
        poller = asyncio.create_task(_poll_index(holder, settings.index_poll_seconds))
        scheduler = None
        if settings.scheduler_enabled:
            scheduler = background_scheduler()
            count = schedule_refreshes(scheduler, engine, catalogue, settings)
            scheduler.start()
            log.info("list refresh scheduler started for %d sources", count)
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
            app.state.refresh_runner.join(timeout=30)
            engine.dispose()

    app = FastAPI(
        title="End-user screening service",
        version="0.1.0",
        description=(
            "Screens customers, consignees and end users against sanctions, export-control and "
            "human-rights watchlists, with transliteration-aware name matching."
        ),
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(screening_routes.router)
    app.include_router(list_routes.router)
    app.include_router(clearance_routes.router)
    return app


def app_from_environment() -> FastAPI:
    """Entry point for `uvicorn --factory` (used by `screening serve` with several workers)."""
    return create_app(get_settings())
