"""Every error leaves the API as `{"detail": "...", "code": "..."}` (validation errors add `errors`)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import ScreeningError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    503: "unavailable",
}


class ErrorOut(BaseModel):
    detail: str
    code: str


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries for a route's documented errors."""
    return {status: {"model": ErrorOut, "description": _HTTP_CODES.get(status, "error")} for status in statuses}


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path")]
    return ".".join(parts) or "body"


async def _screening_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ScreeningError)  # noqa: S101 - registered for this class only
    if error.status == 500:
        log.error("request failed: %s", error.detail)
    elif error.status > 500:
        log.warning("request refused: %s", error.detail)
    return JSONResponse({"detail": error.detail, "code": error.error_code}, status_code=error.status)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for this class only
    problems = error.errors()
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return JSONResponse({"detail": "the request body is not valid JSON", "code": "malformed_json"}, 400)
    messages = [f"{_field(tuple(problem.get('loc', ())))}: {problem.get('msg', 'invalid')}" for problem in problems]
    errors = [
        {"field": _field(tuple(p.get("loc", ()))), "message": p.get("msg", ""), "type": p.get("type")} for p in problems
    ]
    return JSONResponse(
        {"detail": "; ".join(messages)[:2000], "code": "invalid_input", "errors": errors[:50]}, status_code=422
    )


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for this class only
    code = _HTTP_CODES.get(error.status_code, "error")
    return JSONResponse(
        {"detail": str(error.detail), "code": code}, status_code=error.status_code, headers=error.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ScreeningError, _screening_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
