"""Checks at the edge, before any route runs: body size, and text no store can hold.

A body larger than `SCREENING_MAX_BODY_BYTES` is refused with 413 before it is read whole. A NUL
character or an unpaired surrogate in a path, a query parameter or a JSON string is refused with
a 422 that names the field: PostgreSQL cannot store either, UTF-8 cannot encode a lone surrogate,
and neither belongs in a name. The body is parsed for the check only when its bytes could hold
one (a `\\u0000` or `\\ud800`-style escape, or a raw NUL), so ordinary requests cost a byte scan.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api_errors import send_json

_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
PROBLEM = "contains a NUL character or an unpaired surrogate"


def unfit_text(value: str) -> bool:
    """True for text that holds NUL or cannot be encoded as UTF-8 (a lone surrogate)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unfit_fields(value: Any, path: str) -> Iterator[str]:
    """Paths of unfit strings, written as validation errors write them (`parties.0.name`)."""
    if isinstance(value, str):
        if unfit_text(value):
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            if unfit_text(key):
                yield f"{path}.<key>" if path else "<key>"
            else:
                yield from _unfit_fields(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _unfit_fields(item, f"{path}.{number}" if path else str(number))


def unfit_body_field(body: bytes) -> str | None:
    """The first JSON field whose text is unfit, or None (also for a body that is no JSON: routes say so)."""
    if not _SUSPECT_ESCAPE.search(body) and b"\x00" not in body:
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return next(_unfit_fields(parsed, ""), None)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _field_of_query(query_string: bytes) -> str | None:
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw_value = unquote_to_bytes(value.replace(b"+", b" "))
        raw_name = unquote_to_bytes(name.replace(b"+", b" "))
        if b"\x00" in raw_value or not _is_utf8(raw_value):
            return raw_name.decode("utf-8", errors="replace").replace("\x00", "") or "query"
        if b"\x00" in raw_name or not _is_utf8(raw_name):
            return "query"
    return None


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if unfit_text(scope.get("path", "")):
            await _refuse(send, 422, "invalid_input", f"path: {PROBLEM}")
            return
        field = _field_of_query(scope.get("query_string", b""))
        if field is not None:
            await _refuse(send, 422, "invalid_input", f"{field}: {PROBLEM}")
            return
        if scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _refuse(send, 413, "payload_too_large", self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _refuse(send, 413, "payload_too_large", self._too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        field = unfit_body_field(body)
        if field is not None:
            await _refuse(send, 422, "invalid_input", f"{field}: {PROBLEM}")
            return
        await self.app(scope, replay_body(body, receive), send)

    def _too_large(self) -> str:
        return f"body: larger than {self.max_body_bytes} bytes (SCREENING_MAX_BODY_BYTES); split the request"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that delivers `body` (already read whole) as one message, then waits as `receive` would."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as the server would

    return replay


async def _refuse(send: Send, status: int, code: str, detail: str) -> None:
    await send_json(send, status, {"detail": detail, "code": code})
