"""Parser tests read the real list files in ../shared/lists-data (never copied into the project)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.sources.parsers import SourceFile


@pytest.fixture(scope="session")
def lists_data(lists_data_dir: Path) -> Path:
    return lists_data_dir


def read(path: Path) -> SourceFile:
    return SourceFile(name=path.name, content=path.read_bytes())
