"""/docs works offline: every asset comes from the app itself, and the page runs no inline script."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.config import Settings
from service.main import create_app


def test_docs_page_loads_only_its_own_assets(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert page.headers["x-frame-options"] == "DENY"
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets and all(asset.startswith("/") for asset in assets), assets
        assert "<script>" not in page.text  # no inline script: every script tag has a src
        for asset in assets:
            response = client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 100, asset
        assert "/openapi.json" in page.text


def test_the_root_leads_to_the_workbench(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/", follow_redirects=False)
        assert response.status_code == 307 and response.headers["location"] == "/ui/"
