"""Rendering a workbench page: escaped templates, security headers, the signed-in user and CSRF checks."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool

from service.deps import UiSessionsDep
from service.ui.sessions import SignedIn

SESSION_COOKIE = "screening_session"
SIGN_IN_CSRF_COOKIE = "screening_sign_in_csrf"
SCOPE_RANK = {"screen": 0, "review": 1, "admin": 2}
# No inline script or style anywhere: the pages load /static/ui.js and /static/ui.css only.
UI_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": UI_CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# Autoescaping on for every template, whatever its name: party names and list data come from outside.
_environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True, undefined=StrictUndefined
)
templates = Jinja2Templates(env=_environment)


class SignInRequired(Exception):
    """No valid session: the handler sends the browser to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageRefused(Exception):
    """A request the page cannot serve, shown as a page with this status and message."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


def render(
    request: Request, template: str, context: dict[str, Any], *, user: SignedIn | None, status: int = 200
) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, template, {"user": user, **context}, status_code=status, headers=SECURITY_HEADERS
    )
    return response


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=SECURITY_HEADERS)


async def signed_in(request: Request, store: UiSessionsDep) -> SignedIn:
    """The page's user; SignInRequired (a redirect to the sign-in page) without a live session."""
    user = await run_in_threadpool(store.find, request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise SignInRequired(request.url.path)
    return user


def require_scope(user: SignedIn, needed: str) -> None:
    if SCOPE_RANK.get(user.scope, -1) < SCOPE_RANK[needed]:
        raise PageRefused(403, f"Signed in as '{user.principal}' with scope '{user.scope}': this needs '{needed}'.")


def check_csrf(presented: object, expected: str) -> None:
    if not isinstance(presented, str) or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise PageRefused(403, "The form's security token is missing or out of date: reload the page and try again.")


def safe_next(path: str | None) -> str:
    """Where to go after signing in: only a page of the workbench, never another site."""
    if path and path.startswith("/ui/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/ui/"


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure behind TLS (uvicorn's proxy headers set the scheme from X-Forwarded-Proto)."""
    return request.url.scheme == "https"
