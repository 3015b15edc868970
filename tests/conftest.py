"""Shared fixtures.

Fixture strategy:
- `lists_data_dir`: the real official list files in ../shared/lists-data (override with
  SCREENING_TEST_LISTS_DATA). They are read in place, never copied into the project.
- `database_url`: each test that needs a store gets a fresh, empty database: a SQLite file
  in the test's tmp_path, or, when SCREENING_TEST_DATABASE_URL points at PostgreSQL, a
  schema of its own created for the test and dropped afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LISTS_DATA = REPO_ROOT.parent / "shared" / "lists-data"


@pytest.fixture(scope="session")
def lists_data_dir() -> Path:
    path = Path(os.environ.get("SCREENING_TEST_LISTS_DATA", DEFAULT_LISTS_DATA))
    if not path.is_dir():
        pytest.fail(f"real list files not found at {path}; set SCREENING_TEST_LISTS_DATA")
    return path
