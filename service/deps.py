"""FastAPI dependency aliases, in one place: the only reader of `app.state` (set up in the lifespan) besides
`auth.get_authenticator`.

The dependencies are `async def` although they do no I/O: FastAPI runs a plain `def` dependency
in a worker thread, and a thread hop per dependency cost more than the screening itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from service.auth import ApiKeyHeaderDep, AuthenticatorDep, BearerDep, principal
from service.config import Settings
from service.errors import ListUnavailable
from service.metrics import Metrics
from service.orders.store import PolicyStore
from service.screening.clearance_directory import ClearanceDirectory
from service.screening.index_state import IndexHolder, IndexSnapshot
from service.screening.pipeline import ScreeningContext
from service.sources.catalogue import Catalogue
from service.sources.runner import RefreshRunner
from service.sources.status import StatusBoard
from service.ui.sessions import SessionStore, SignInLimiter


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_app_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> AsyncIterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


async def get_holder(request: Request) -> IndexHolder:
    holder: IndexHolder = request.app.state.index_holder
    return holder


async def get_snapshot(holder: Annotated[IndexHolder, Depends(get_holder)]) -> IndexSnapshot | None:
    return holder.snapshot


async def get_catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


async def get_status_board(request: Request) -> StatusBoard:
    board: StatusBoard = request.app.state.status_board
    return board


async def get_clearance_directory(request: Request) -> ClearanceDirectory:
    directory: ClearanceDirectory = request.app.state.clearance_directory
    return directory


async def get_policy_store(request: Request) -> PolicyStore:
    store: PolicyStore = request.app.state.policy_store
    return store


async def get_refresh_runner(request: Request) -> RefreshRunner:
    runner: RefreshRunner = request.app.state.refresh_runner
    return runner


async def get_ui_sessions(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.ui_sessions
    return store


async def get_sign_in_limiter(request: Request) -> SignInLimiter:
    limiter: SignInLimiter = request.app.state.ui_sign_in_limiter
    return limiter


async def get_screening_context(
    request: Request, authenticator: AuthenticatorDep, _bearer: BearerDep = None, _api_key: ApiKeyHeaderDep = None
) -> ScreeningContext:
    """Everything a screening needs, the caller included, in one dependency: each dependency FastAPI
    resolves costs time on the hot path."""
    caller = await principal(request, authenticator)
    return screening_context(request, caller.name)


def screening_context(request: Request, caller: str) -> ScreeningContext:
    """The context of a screening by `caller` (an API key's or a signed-in user's name); ListUnavailable
    while lists load or a required list is not current."""
    board: StatusBoard = request.app.state.status_board
    if board.loading:
        raise ListUnavailable(f"{board.loading}; screening starts when the first load ends")
    not_current = board.not_current(request.app.state.settings.required_sources)
    if not_current:
        # A required list that is missing or too old: any answer, `clear` above all, would be untrue.
        raise ListUnavailable(f"required list(s) not current: {', '.join(not_current)}; screening is suspended")
    return ungated_screening_context(request, caller)


def ungated_screening_context(request: Request, caller: str) -> ScreeningContext:
    """A screening context whatever the lists' state: for registering monitored parties, whose baseline
    starts empty before any list is loaded (the first version's re-screening then reports every match)."""
    state = request.app.state
    return ScreeningContext(
        engine=state.engine,
        settings=state.settings,
        catalogue=state.catalogue,
        snapshot=state.index_holder.snapshot,
        caller=caller,
        metrics=state.metrics,
        audit=state.audit_writer,
        clearances=state.clearance_directory,
        register_monitored=state.register_monitored,
    )


async def get_monitoring_context(
    request: Request, authenticator: AuthenticatorDep, _bearer: BearerDep = None, _api_key: ApiKeyHeaderDep = None
) -> ScreeningContext:
    caller = await principal(request, authenticator)
    return ungated_screening_context(request, caller.name)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
MetricsDep = Annotated[Metrics, Depends(get_app_metrics)]
SessionDep = Annotated[Session, Depends(get_session)]
HolderDep = Annotated[IndexHolder, Depends(get_holder)]
SnapshotDep = Annotated[IndexSnapshot | None, Depends(get_snapshot)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
StatusBoardDep = Annotated[StatusBoard, Depends(get_status_board)]
ClearanceDirectoryDep = Annotated[ClearanceDirectory, Depends(get_clearance_directory)]
PolicyStoreDep = Annotated[PolicyStore, Depends(get_policy_store)]
RefreshRunnerDep = Annotated[RefreshRunner, Depends(get_refresh_runner)]
UiSessionsDep = Annotated[SessionStore, Depends(get_ui_sessions)]
SignInLimiterDep = Annotated[SignInLimiter, Depends(get_sign_in_limiter)]
ScreeningContextDep = Annotated[ScreeningContext, Depends(get_screening_context)]
MonitoringContextDep = Annotated[ScreeningContext, Depends(get_monitoring_context)]
