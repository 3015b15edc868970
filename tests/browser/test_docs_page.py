"""The API documentation renders in a real browser with no network beyond the service itself."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from service.config import Settings
from tests.live_server import live_server

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


def test_docs_render_offline_with_the_authorize_button(settings: Settings, browser: Browser, artifacts: Path) -> None:
    with live_server(settings, ready_path="/healthz") as base:
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{base}/docs")
        page.get_by_role("button", name="Authorize").wait_for(timeout=30_000)
        page.get_by_text("/v1/screen", exact=True).first.wait_for(timeout=30_000)
        page.screenshot(path=str(artifacts / "docs.png"), full_page=False)
        page.close()
    hosts = {urlsplit(url).netloc for url in requested}
    assert hosts == {urlsplit(base).netloc}, f"requests left the service: {sorted(hosts)}"
    assert not errors, errors  # a CSP refusal or a missing asset shows here
