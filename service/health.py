"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from service.deps import CatalogueDep, EngineDep, HolderDep, SettingsDep, StatusBoardDep
from service.sources.status import source_statuses

router = APIRouter(tags=["health"])


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "not_ready",
                    "checks": {"database": "ok", "index": "ok (18231 entries)", "list:eu_fsf": "stale"},
                }
            ]
        }
    )

    status: str
    checks: dict[str, str]


@router.get("/healthz")
def healthz() -> Health:
    """The process is alive (no dependencies checked)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(
    engine: EngineDep, holder: HolderDep, catalogue: CatalogueDep, settings: SettingsDep, board: StatusBoardDep
) -> JSONResponse:
    """Ready when the database answers, the first-start list load is over, a match index is built and no
    required list is missing or too old."""
    checks: dict[str, str] = {}
    loading = board.loading
    if loading:
        checks["lists"] = loading
    try:
        with Session(engine) as session:
            session.execute(text("SELECT 1"))
            statuses = {status.source: status for status in source_statuses(session, catalogue)}
        checks["database"] = "ok"
    except SQLAlchemyError as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
        statuses = {}
    snapshot = holder.snapshot
    if snapshot is None:
        checks["index"] = "not built"
    elif not snapshot.versions:
        checks["index"] = "no list loaded"
    else:
        checks["index"] = f"ok ({snapshot.index.entry_count} entries)"
    for source in settings.required_sources:
        status = statuses.get(source)
        if status is None:
            checks[f"list:{source}"] = "unknown" if checks["database"] == "ok" else "unchecked"
        elif status.status == "ok":
            checks[f"list:{source}"] = "ok"
        else:
            checks[f"list:{source}"] = status.status
    ready = all(value.startswith("ok") for value in checks.values())
    body = Readiness(status="ready" if ready else "not_ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
