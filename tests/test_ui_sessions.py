"""Workbench sign-in: sessions, the attempt limit, safe redirects and cookie flags (no browser needed)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from service.config import Settings
from service.main import create_app
from service.timeutil import utc_now
from service.ui.pages import safe_next
from service.ui.sessions import SignInLimiter
from service.ui.tables import UiSession

KEY = "reviewer-key-0123456789"


@pytest.fixture
def client(settings: Settings) -> TestClient:
    keyed = settings.model_copy(update={"api_keys": [f"officer:admin:{KEY}"]})
    return TestClient(create_app(keyed), base_url="https://screening.example")


def _csrf(client: TestClient) -> str:
    page = client.get("/ui/sign-in")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _sign_in(client: TestClient, key: str, next_path: str = "/ui/lists") -> object:
    return client.post(
        "/ui/sign-in", data={"csrf_token": _csrf(client), "api_key": key, "next": next_path}, follow_redirects=False
    )


def test_signing_in_sets_a_strict_secure_session_cookie_and_signing_out_ends_it(client: TestClient) -> None:
    with client:
        answer = _sign_in(client, KEY)
        assert answer.status_code == 303 and answer.headers["location"] == "/ui/lists"  # type: ignore[attr-defined]
        cookie = answer.headers["set-cookie"]  # type: ignore[attr-defined]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie and "Path=/ui" in cookie
        page = client.get("/ui/lists")
        assert page.status_code == 200 and "officer (admin)" in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        client.post("/ui/sign-out", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
        client.cookies.clear()
        assert client.get("/ui/lists", follow_redirects=False).status_code == 303


def test_an_expired_session_sends_the_browser_to_sign_in(client: TestClient) -> None:
    with client:
        _sign_in(client, KEY)
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            session.execute(update(UiSession).values(expires_at=utc_now() - timedelta(seconds=1)))
            session.commit()
        answer = client.get("/ui/lists", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/ui/sign-in?next=/ui/lists"


def test_ten_failed_sign_ins_make_the_address_wait(client: TestClient) -> None:
    with client:
        for _ in range(10):
            assert _sign_in(client, "wrong-key").status_code == 401  # type: ignore[attr-defined]
        refused = _sign_in(client, KEY)
        assert refused.status_code == 429  # type: ignore[attr-defined]
        assert int(refused.headers["retry-after"]) > 0  # type: ignore[attr-defined]


def test_a_sign_in_without_its_form_token_is_refused(client: TestClient) -> None:
    with client:
        client.get("/ui/sign-in")
        answer = client.post("/ui/sign-in", data={"api_key": KEY}, follow_redirects=False)
        assert answer.status_code == 403


@pytest.mark.parametrize(
    ("asked", "goes_to"),
    [
        ("/ui/queue?status=open", "/ui/queue?status=open"),
        ("https://evil.example/ui/", "/ui/"),
        ("//evil.example/ui/", "/ui/"),
        ("/ui/\\evil", "/ui/"),
        ("/v1/lists", "/ui/"),
        (None, "/ui/"),
    ],
)
def test_after_sign_in_only_workbench_pages_are_reached(asked: str | None, goes_to: str) -> None:
    assert safe_next(asked) == goes_to


def test_the_attempt_limit_forgets_old_failures() -> None:
    now = [0.0]
    limiter = SignInLimiter(attempts=2, window_seconds=60, clock=lambda: now[0])
    limiter.failed("10.0.0.1")
    limiter.failed("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 60.0
    assert limiter.retry_after("10.0.0.2") is None
    now[0] = 61.0
    assert limiter.retry_after("10.0.0.1") is None
