"""Real Chromium (Debian's `chromium` package) driven by Playwright; screenshots land in test-artifacts/
(those of the PostgreSQL pass in test-artifacts/postgresql/: the two passes run at once, scripts/test)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import TEST_DATABASE_ENV

CHROMIUM = Path(os.environ.get("SCREENING_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
if os.environ.get(TEST_DATABASE_ENV, "").startswith("postgresql"):
    ARTIFACTS /= "postgresql"


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in the main thread
# while it is started, and later tests that call asyncio.run() would find it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
