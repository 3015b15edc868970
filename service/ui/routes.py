"""The workbench's pages: sign-in, the order desk, the lists and the dashboard."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service.auth import ANONYMOUS, AuthenticatorDep, Principal
from service.deps import (
    CatalogueDep,
    EngineDep,
    PolicyStoreDep,
    SignInLimiterDep,
    UiSessionsDep,
    screening_context,
)
from service.errors import ScreeningError
from service.orders.screening import screen_and_record_order
from service.sources.status import source_statuses
from service.ui import case_pages
from service.ui.charts import Series, stacked_bars
from service.ui.order_form import ITEM_ROWS, PARTY_ROWS, ROLES, read_order_form
from service.ui.pages import (
    SCOPE_RANK,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    PageRefused,
    SignInRequired,
    check_csrf,
    redirect,
    render,
    safe_next,
    secure_cookies,
    signed_in,
)
from service.ui.queries import (
    AGE_BUCKETS,
    bucketed,
    decision_times,
    list_histories,
    open_case_ages,
    screening_total,
    screenings_per_day,
)
from service.ui.sessions import SignedIn, SignInLimiter

router = APIRouter(prefix="/ui", include_in_schema=False)
UserDep = Annotated[SignedIn, Depends(signed_in)]
DECISION_COLOURS = {"clear": "#2e7d32", "review": "#ef6c00", "block": "#c62828"}


@router.get("/")
async def home(user: UserDep) -> RedirectResponse:
    # Reviewers start at their queue, the sales desk at the order desk.
    return redirect("/ui/queue" if SCOPE_RANK.get(user.scope, 0) >= SCOPE_RANK["review"] else "/ui/orders")


def _sign_in_page(request: Request, next_path: str, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    # Before a session exists the form's CSRF token is a cookie of its own that the post must repeat.
    token = secrets.token_urlsafe(32)
    response = render(
        request, "sign_in.html", {"csrf_token": token, "next": next_path, "error": error}, user=None, status=status
    )
    response.set_cookie(
        SIGN_IN_CSRF_COOKIE,
        token,
        max_age=900,
        path="/ui/sign-in",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _sign_in_page(request, safe_next(next))


@router.post("/sign-in")
async def sign_in(
    request: Request,
    limiter: SignInLimiterDep,
    authenticator: AuthenticatorDep,
    store: UiSessionsDep,
) -> Response:
    form = await request.form()
    next_path = safe_next(str(form.get("next") or ""))
    check_csrf(form.get("csrf_token"), request.cookies.get(SIGN_IN_CSRF_COOKIE, ""))
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait is not None:
        message = f"Too many failed sign-ins from this address: try again in {wait:.0f} s."
        refusal = _sign_in_page(request, next_path, error=message, status=429)
        refusal.headers["Retry-After"] = f"{wait:.0f}"
        return refusal
    presented = str(form.get("api_key") or "").strip()
    found: Principal | None
    if not presented and await run_in_threadpool(authenticator.is_open):
        found = ANONYMOUS  # no key exists anywhere: the API is open, and so is the workbench
    else:
        found = await run_in_threadpool(authenticator.authenticate, presented) if presented else None
    if found is None:
        limiter.failed(client)
        return _sign_in_page(request, next_path, error="That API key is not valid or has been revoked.", status=401)
    limiter.succeeded(client)
    token = await run_in_threadpool(store.open, found.name, found.scope)
    response = redirect(next_path)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(store.lifetime.total_seconds()),
        path="/ui",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/ui/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, user: UserDep, store: UiSessionsDep) -> RedirectResponse:
    form = await request.form()
    check_csrf(form.get("csrf_token"), user.csrf_token)
    await run_in_threadpool(store.close, request.cookies.get(SESSION_COOKIE))
    response = redirect("/ui/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/ui")
    return response


@router.get("/lists")
def lists_page(request: Request, user: UserDep, engine: EngineDep, catalogue: CatalogueDep) -> HTMLResponse:
    with Session(engine) as session:
        statuses = source_statuses(session, catalogue)
        histories = list_histories(session)
    urls = {source.id: (source.urls[0] if source.urls else None) for source in catalogue}
    return render(request, "lists.html", {"statuses": statuses, "histories": histories, "urls": urls}, user=user)


def _order_desk(request: Request, user: SignedIn, *, status: int = 200, **context: object) -> HTMLResponse:
    defaults: dict[str, object] = {"values": {}, "errors": [], "result": None}
    return render(
        request,
        "orders.html",
        {**defaults, **context, "party_rows": PARTY_ROWS, "item_rows": ITEM_ROWS, "roles": ROLES},
        user=user,
        status=status,
    )


@router.get("/orders")
async def order_desk(request: Request, user: UserDep) -> HTMLResponse:
    return _order_desk(request, user)


@router.post("/orders")
async def screen_order(request: Request, user: UserDep, policies: PolicyStoreDep) -> HTMLResponse:
    form = await request.form()
    check_csrf(form.get("csrf_token"), user.csrf_token)
    read, order = read_order_form(form)
    if order is None:
        return _order_desk(request, user, values=read.values, errors=read.errors, status=422)
    try:
        context = screening_context(request, user.principal)
        result = await run_in_threadpool(screen_and_record_order, context, policies.get(), order)
    except ScreeningError as error:
        return _order_desk(request, user, values=read.values, errors=[error.detail], status=error.status_code)
    return _order_desk(request, user, values=read.values, result=result)


@router.get("/dashboard")
def dashboard(request: Request, user: UserDep, engine: EngineDep) -> HTMLResponse:
    with Session(engine) as session:
        total = screening_total(session)
        ages = open_case_ages(session)
        times = sorted(decision_times(session))
    median = times[len(times) // 2] if times else None
    context = {"total": total, "open_cases": sum(ages), "decided": len(times), "median_hours": median}
    return render(request, "dashboard.html", context, user=user)


def _svg(svg: str) -> Response:
    return Response(svg, media_type="image/svg+xml", headers=SECURITY_HEADERS)


@router.get("/charts/open-cases.svg")
def open_cases_chart(_user: UserDep, engine: EngineDep) -> Response:
    with Session(engine) as session:
        ages = open_case_ages(session)
    labels = [label for label, _ in AGE_BUCKETS]
    return _svg(stacked_bars("Open cases by age", labels, [Series("open cases", "#ef6c00", ages)]))


@router.get("/charts/decision-times.svg")
def decision_times_chart(_user: UserDep, engine: EngineDep) -> Response:
    with Session(engine) as session:
        counts = bucketed(decision_times(session))
    labels = [label for label, _ in AGE_BUCKETS]
    title = "Time from case opening to decision (30 days)"
    return _svg(stacked_bars(title, labels, [Series("decisions", "#1f3a5f", counts)]))


@router.get("/charts/screenings.svg")
def screenings_chart(_user: UserDep, engine: EngineDep) -> Response:
    with Session(engine) as session:
        days, counts = screenings_per_day(session)
    series = [Series(decision, DECISION_COLOURS[decision], values) for decision, values in counts.items()]
    return _svg(
        stacked_bars("Screenings per day by decision (30 days, UTC)", [d.strftime("%d %b") for d in days], series)
    )


def install_ui(app: FastAPI) -> None:
    """The pages, and what a page shows when it cannot serve a request."""
    app.state.ui_sign_in_limiter = SignInLimiter(attempts=10, window_seconds=300)
    app.include_router(router)
    app.include_router(case_pages.router)

    async def to_sign_in(_request: Request, error: Exception) -> Response:
        next_path = error.next_path if isinstance(error, SignInRequired) else "/ui/"
        return redirect(f"/ui/sign-in?next={quote(next_path)}")

    async def refused(request: Request, error: Exception) -> Response:
        status, message = (error.status, error.message) if isinstance(error, PageRefused) else (500, "Error.")
        return render(request, "error.html", {"message": message}, user=None, status=status)

    app.add_exception_handler(SignInRequired, to_sign_in)
    app.add_exception_handler(PageRefused, refused)
