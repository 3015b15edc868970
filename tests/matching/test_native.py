"""The guard against compiled matching modules that no longer match their sources (service/matching/native.py)."""

from __future__ import annotations

import importlib.machinery
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from service import matching
from service.matching import index, native

pytestmark = pytest.mark.store_independent


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package directory of two modules (and the modules never compiled), in place of service/matching."""
    (tmp_path / "scoring.py").write_text("SCORE = 1\n")
    (tmp_path / "keys.py").write_text("KEY = 1\n")
    (tmp_path / "snapshot.py").write_text("NOT_COMPILED = True\n")
    monkeypatch.setattr(native, "PACKAGE", tmp_path)
    monkeypatch.setattr(native, "STAMP", tmp_path / "compiled.sha256")
    return tmp_path


def _compile(package: Path) -> None:
    """What scripts/compile_matching.py leaves behind: an extension module per source, and the digest."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for source in native.compiled_sources():
        (package / f"{source.stem}{suffix}").write_bytes(b"\x7fELF")
    native.STAMP.write_text(native.sources_digest() + "\n")


def test_without_compiled_modules_the_package_is_plain_python(package: Path) -> None:
    assert native.check() is False


def test_compiled_modules_of_the_current_sources_are_used(package: Path) -> None:
    _compile(package)
    assert native.check() is True
    assert [path.name for path in native.compiled_sources()] == ["keys.py", "scoring.py"]


@pytest.mark.parametrize(
    "change",
    [
        lambda package: (package / "scoring.py").write_text("SCORE = 2\n"),  # a source edited after compiling
        lambda package: (package / "names.py").write_text("NAME = 1\n"),  # a module added
        lambda package: (package / "compiled.sha256").unlink(),  # modules without their digest
    ],
)
def test_compiled_modules_of_other_sources_are_refused_with_the_remedy(
    package: Path, change: Callable[[Path], object]
) -> None:
    _compile(package)
    change(package)
    with pytest.raises(ImportError, match=r"compile_matching\.py.*--clean"):
        native.check()


def test_a_source_of_the_uncompiled_modules_may_change(package: Path) -> None:
    _compile(package)
    (package / "snapshot.py").write_text("NOT_COMPILED = 'still'\n")
    assert native.check() is True


def test_the_suite_runs_compiled_modules_where_scripts_test_compiled_them() -> None:
    if os.environ.get("SCREENING_EXPECT_COMPILED") != "1":
        pytest.skip("scripts/test compiles the matching package; this run did not")
    assert matching.COMPILED is True
    assert Path(index.__file__).name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
