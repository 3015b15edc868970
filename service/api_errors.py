"""Every error leaves the API as `{"detail": "...", "code": "..."}` (validation errors add `errors`).

An unexpected exception becomes `{"detail", "code": "internal_error", "request_id"}`: its traceback is
logged under the request id, without the exception's message, which may quote the party screened or
the parameters of a failed statement.
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ScreeningError
from service.observability import route_template

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
    500: "internal_error",
    503: "unavailable",
}


# What each documented status looks like on the wire (the `examples` of its response in the OpenAPI document).
_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {"detail": "the request body is not valid JSON", "code": "malformed_json"},
    401: {"detail": "the API key is not valid or has been revoked", "code": "unauthorized"},
    403: {"detail": "the key 'erp-prod' has scope 'screen'; this needs scope 'admin'", "code": "forbidden"},
    404: {"detail": "no screening '5f0c3a52-8a5e-4f55-9d53-2f1f8f3b9a10'", "code": "not_found"},
    409: {"detail": "an ingest of 'us_ofac_sdn' is already running", "code": "ingest_locked"},
    413: {"detail": "parties: 1200 parties given; the limit is 1000 per request", "code": "payload_too_large"},
    422: {
        "detail": "name: String should have at least 1 character",
        "code": "invalid_input",
        "errors": [{"field": "name", "message": "String should have at least 1 character", "type": "string_too_short"}],
    },
    500: {
        "detail": "internal error; quote the request id to the operator",
        "code": "internal_error",
        "request_id": "9c1f0e7a2b3d4c5e",
    },
    503: {"detail": "no list is loaded yet; ingest a list before screening", "code": "list_unavailable"},
}


# What an integrator reads under each status in the documentation.
_DESCRIPTIONS = {
    400: "The body is not valid JSON (`malformed_json`) or not readable.",
    401: "No API key, or one that is not valid: send `Authorization: Bearer <key>` or `X-API-Key: <key>`.",
    403: "The key's scope does not allow this operation (it needs scope `admin`).",
    404: "No such object.",
    409: "An ingest of the source is running already (`ingest_locked`).",
    413: "The body, or the batch (parties, or words in all its names), is larger than the server accepts.",
    422: "A field is invalid: `detail` names it and the reason, `errors` lists every one.",
    500: "Unexpected error: quote `request_id` to the operator.",
    503: "Not ready to answer: the lists needed are not loaded or not current, or the policy cannot be read.",
}


class FieldErrorOut(BaseModel):
    """One invalid field of a 422."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLES[422]["errors"][0]]})

    field: str = Field(..., description="Dotted path of the field, such as `parties.2.name`")
    message: str
    type: str | None = Field(None, description="pydantic's error type, such as `string_too_long`")


class ErrorOut(BaseModel):
    """Every error answer: `detail` for people, `code` for programs."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLES[404], _EXAMPLES[422]]})

    detail: str = Field(..., description="What went wrong, naming the field or the object")
    code: str = Field(..., description="Stable, machine-readable: invalid_input, not_found, unauthorized ...")
    errors: list[FieldErrorOut] | None = Field(None, description="422 only: one entry per invalid field")
    request_id: str | None = Field(None, description="500 only: quote it to the operator, who finds the log")


# Every route can answer these: the edge refuses unfit text in any path or query (422), and anything
# unexpected is a 500 in the same shape. A POST also meets the body checks (400 malformed, 413 too large).
ALWAYS = (422, 500)
POST_BODY = (400, 413)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries for a route's documented errors (`ALWAYS` added)."""
    return {
        status: {
            "model": ErrorOut,
            "description": _DESCRIPTIONS.get(status, _HTTP_CODES.get(status, "error")),
            "content": {"application/json": {"example": _EXAMPLES.get(status, _EXAMPLES[422])}},
        }
        for status in sorted({*statuses, *ALWAYS})
    }


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path")]
    return ".".join(parts) or "body"


async def _screening_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ScreeningError)  # noqa: S101 - registered for this class only
    return screening_error_response(error)


def screening_error_response(error: ScreeningError) -> JSONResponse:
    """The answer to a refusal the service raised itself: its status, detail and code."""
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


class InternalErrorMiddleware:
    """Renders an exception no handler took as a JSON 500 (Starlette's own answer is text/plain)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as error:  # noqa: BLE001 - the last boundary of a request: every error is a JSON 500
            request_id = str(scope.get("state", {}).get("request_id", ""))
            log.error(
                "unexpected %s in %s %s (request %s)\n%s",
                type(error).__name__,
                scope.get("method", ""),
                route_template(scope),
                request_id,
                _frames(error),
            )
            if started:
                # The response is under way: end it (the client sees it cut short) rather than re-raise, which
                # would have the server log the exception with its message.
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            body = {"detail": "internal error; quote the request id to the operator", "code": "internal_error"}
            await send_json(send, 500, {**body, "request_id": request_id})


def _frames(error: BaseException) -> str:
    """The stack of the exception and of its causes, as file/line/code only (no exception messages)."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None and len(parts) < 5:
        parts.append(f"{type(current).__name__}:\n" + "".join(traceback.format_tb(current.__traceback__)))
        current = current.__cause__ or current.__context__
    return "caused by ".join(parts)


async def send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    """A whole JSON response sent from ASGI middleware (where no Response class is at hand)."""
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ScreeningError, _screening_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Added before the observability middleware, so inside it: the request id is set, the 500 is counted.
    app.add_middleware(InternalErrorMiddleware)
