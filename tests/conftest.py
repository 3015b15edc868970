"""Shared fixtures.

Fixture strategy:
- `lists_data_dir`: the real official list files in ../shared/lists-data (override with
  SCREENING_TEST_LISTS_DATA). They are read in place, never copied into the project.
- `database_url`: each test that needs a store gets a fresh, empty database: a SQLite file
  in the test's tmp_path, or, when SCREENING_TEST_DATABASE_URL points at PostgreSQL, a
  schema of its own created for the test and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from service.config import Settings
from service.db import make_engine, upgrade

# A test's app starts on an empty store: without this each would try to download every list at start.
# Tests of the first-start load turn it on in their own settings.
os.environ.setdefault("SCREENING_LOAD_LISTS_ON_START", "false")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LISTS_DATA = REPO_ROOT.parent / "shared" / "lists-data"


@pytest.fixture(scope="session")
def lists_data_dir() -> Path:
    path = Path(os.environ.get("SCREENING_TEST_LISTS_DATA", DEFAULT_LISTS_DATA))
    if not path.is_dir():
        pytest.fail(f"real list files not found at {path}; set SCREENING_TEST_LISTS_DATA")
    return path


TEST_DATABASE_ENV = "SCREENING_TEST_DATABASE_URL"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, leave out the tests marked `store_independent` (parsers, matching, the chart,
    the Dockerfile, the mirror scan ...): they never open the store, so the SQLite pass has run them as they are."""
    if _postgres_url() is None:
        return
    independent = [item for item in items if item.get_closest_marker("store_independent")]
    if independent:
        config.hook.pytest_deselected(items=independent)
        items[:] = [item for item in items if not item.get_closest_marker("store_independent")]


def _postgres_url() -> str | None:
    url = os.environ.get(TEST_DATABASE_ENV, "")
    return url if url.startswith("postgresql") else None


@contextlib.contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A new empty database URL: SQLite in tmp_path, or a throw-away PostgreSQL schema."""
    base = _postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'screening.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, index_poll_seconds=0.2)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The test's store, migrated to the current schema."""
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
