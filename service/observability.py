"""Request metrics and access logs (`ObservabilityMiddleware`) and log configuration (`configure_logging`).

The middleware is plain ASGI rather than Starlette's `BaseHTTPMiddleware`: it adds no task or stream copy per
request (the screen endpoint's budget is a few milliseconds) and it sees the final status even when an
exception handler produced the response.

Personal data stays out of both outputs: metrics and logs carry the route *template* that matched
(`/v1/entities/{source}/{entity_id}`), never the raw path or query string, and the access line carries only
method, route, status, duration, request id and the screening id an endpoint left in
`request.state.screening_id`. A path no route matches is labelled `<unmatched>`.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.ids import uuid4_hex
from service.metrics import Metrics

ACCESS_LOGGER = "service.access"
REQUEST_ID_HEADER = "x-request-id"
UNMATCHED_ROUTE = "<unmatched>"
# Probes and scrapes arrive every few seconds from every kubelet and Prometheus; they are counted in the
# metrics but logged at DEBUG so the INFO log holds the traffic that matters.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
# A caller's request id is echoed only when it is a plain token: it lands in logs, so no free text.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

access_log = logging.getLogger(ACCESS_LOGGER)


def route_template(scope: Scope) -> str:
    """The template of the route that handled the request, `<unmatched>` when none did."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    # Routes of a mounted sub-application report their own part of the path; this app mounts none.
    return template if isinstance(template, str) and template else UNMATCHED_ROUTE


class ObservabilityMiddleware:
    """Counts, times and logs every HTTP request; sets `request.state.request_id` and the X-Request-ID header."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _incoming_request_id(scope) or uuid4_hex()
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500  # what the client sees if the app dies before sending a response start

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode("latin-1"), request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = scope.get("method", "GET")
            self._metrics.observe_http(method, route, status, seconds)
            screening_id = state.get("screening_id")
            level = logging.DEBUG if route in QUIET_ROUTES and status < 400 else logging.INFO
            if access_log.isEnabledFor(level):
                access_log.log(
                    level,
                    "%s %s %d %.1fms",
                    method,
                    route,
                    status,
                    seconds * 1000,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "request_id": request_id,
                        "screening_id": str(screening_id) if screening_id is not None else None,
                    },
                )


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            return candidate if _REQUEST_ID.fullmatch(candidate) else None
    return None


# Attributes every LogRecord has; anything else on a record came from `extra=` and is a structured field.
# uvicorn adds `color_message` (the message with terminal colour codes) to its records: not a field.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "color_message"}


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in record.__dict__.items() if key not in _RECORD_ATTRIBUTES}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _extra_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an odd extra (a datetime, a UUID) must not lose the whole line. orjson: a line per request.
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


class PlainFormatter(logging.Formatter):
    """`time level logger: message key=value ...` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(f"{key}={value}" for key, value in _extra_fields(record).items() if value is not None)
        return f"{line} {fields}" if fields else line


def configure_logging(level: str | int = "INFO", json: bool = False) -> None:
    """Route every logger (uvicorn's too) through one stderr handler with the JSON or the plain formatter.

    uvicorn's own access log is silenced: it prints the raw path and query string, and the middleware already
    writes one line per request without them. Call before `uvicorn.run(..., log_config=None)`.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json else PlainFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True
