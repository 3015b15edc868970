"""POST /v1/screen without FastAPI's route matching and dependency solving, for bodies that are a valid party.

The screen endpoint is the hot path: an ERP screens every customer and order party through it, and
FastAPI's walk over every router, its dependency solver and its exception layers cost about as much per
request as matching the name. This layer is the innermost of the app's own middleware, inside the
access log, the JSON-500 middleware and the request guard. It answers POST /v1/screen itself with the
same parts the route uses: `principal` for the key, `screening_context` for the lists' state, the
route's own `screen_one`, and the app's renderer for refusals.

Every other request goes to the FastAPI app, and so does a screen request whose body is not a JSON
object or not a valid party, with its body replayed. Malformed input therefore gets the API's usual
400 or 422, in FastAPI's order: the JSON first, then the key and the lists' state, then the fields.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api_errors import screening_error_response
from service.auth import principal
from service.deps import screening_context
from service.errors import ScreeningError
from service.request_guard import replay_body
from service.screening.routes import screen_one
from service.screening.schemas import PartyIn


class ScreenFastPath:
    def __init__(self, app: ASGIApp, *, route: APIRoute) -> None:
        """`route` is the FastAPI route this answers for: the access log and the metrics label requests by it."""
        self.app = app
        self._route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._handles(scope):
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        if body is None:
            return  # the client went away
        fields = _json_object(body)
        if fields is None:
            await self.app(scope, replay_body(body, receive), send)
            return
        scope["route"] = self._route
        request = Request(scope, receive)
        response: Response
        try:
            caller = await principal(request, request.app.state.authenticator)
            context = screening_context(request, caller.name)
            try:
                party = PartyIn.model_validate(fields)
            except ValidationError:
                await self.app(scope, replay_body(body, receive), send)
                return
            response = await screen_one(context, party, request)
        except ScreeningError as error:
            response = screening_error_response(error)
        await response(scope, receive, send)

    def _handles(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == self._route.path
            and _declares_json(scope)
        )


def _declares_json(scope: Scope) -> bool:
    """No content type (FastAPI reads the body as JSON then too) or plainly application/json: the cases
    FastAPI certainly parses as JSON. Anything else is left to FastAPI to judge."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == b"application/json")
    return True


async def _whole_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None for anything FastAPI should answer (not JSON, not an object)."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None
