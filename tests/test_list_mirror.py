"""The list mirror: files recognised by content, claimed by the right source, newest set per source."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from service.config import Settings
from service.errors import ListDownloadError
from service.sources.catalogue import Catalogue, load_catalogue
from service.sources.fetch import FetchPolicy
from service.sources.refresh import mirror_files_by_source
from tests.factories import BASE_ROWS, OfacRow, ofac_csv_set

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

FIXTURES = Path(__file__).parent / "fixtures"
POLICY = FetchPolicy(attempts=1, backoff_seconds=0.0)
HOUR = 3600.0


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(Settings().lists_dir)


NON_SDN_NAMES = {"sdn.csv": "cons_prim.csv", "alt.csv": "cons_alt.csv", "add.csv": "cons_add.csv"}
NON_SDN_NAMES["sdn_comments.csv"] = "cons_comments.csv"


def _write_ofac_set(folder: Path, rows: list[OfacRow], *, non_sdn: bool = False) -> None:
    """An OFAC CSV set, named as the SDN list's files are or (`non_sdn`) as the consolidated list's."""
    folder.mkdir(parents=True, exist_ok=True)
    for file in ofac_csv_set(rows):
        (folder / (NON_SDN_NAMES[file.name] if non_sdn else file.name)).write_bytes(file.content)


def _age(path: Path, hours: float) -> None:
    stamp = time.time() - hours * HOUR
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(item, (stamp, stamp))


def _chosen(mirror: str, catalogue: Catalogue) -> dict[str, tuple[str, list[str]]]:
    found = mirror_files_by_source(mirror, catalogue, POLICY)
    return {source: (item.format, sorted(file.file.name for file in item.files)) for source, item in found.items()}


def test_files_are_recognised_by_content_under_any_name(tmp_path: Path, catalogue: Catalogue) -> None:
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "export (3).dat").write_bytes((FIXTURES / "uk_sanctions_list_sample.xml").read_bytes())
    (tmp_path / "csl.json").write_bytes((FIXTURES / "csl_sample.json").read_bytes())
    (tmp_path / "README.md").write_text("not a list")
    (tmp_path / ".hidden.xml").write_bytes((FIXTURES / "uk_sanctions_list_sample.xml").read_bytes())
    assert _chosen(str(tmp_path), catalogue) == {
        "gb_fcdo_sanctions": ("uk_sanctions_list", ["export (3).dat"]),
        "us_trade_csl": ("us_csl_json", ["csl.json"]),
    }


def test_ofac_sets_sharing_a_format_go_to_the_list_their_publisher_names(tmp_path: Path, catalogue: Catalogue) -> None:
    _write_ofac_set(tmp_path / "sdn", BASE_ROWS)
    _write_ofac_set(tmp_path / "non-sdn", BASE_ROWS[:1], non_sdn=True)
    chosen = _chosen(str(tmp_path), catalogue)
    assert chosen["us_ofac_sdn"] == ("ofac_csv", ["add.csv", "alt.csv", "sdn.csv", "sdn_comments.csv"])
    assert chosen["us_ofac_cons"] == (
        "ofac_csv",
        ["cons_add.csv", "cons_alt.csv", "cons_comments.csv", "cons_prim.csv"],
    )


@pytest.mark.parametrize(
    ("old_hours", "new_hours", "expected_folder_rows"),
    [
        (48.0, 1.0, 1),  # a set dropped later replaces the older, larger one
        (1.0, 1.05, 4),  # copied in one go: the larger set (the full list over an excerpt)
    ],
)
def test_the_newest_drop_wins_and_within_one_drop_the_larger_set(
    tmp_path: Path, catalogue: Catalogue, old_hours: float, new_hours: float, expected_folder_rows: int
) -> None:
    _write_ofac_set(tmp_path / "full", BASE_ROWS)
    _write_ofac_set(tmp_path / "later", BASE_ROWS[:1])
    _age(tmp_path / "full", old_hours)
    _age(tmp_path / "later", new_hours)
    found = mirror_files_by_source(str(tmp_path), catalogue, POLICY)["us_ofac_sdn"]
    primary = next(file for file in found.files if file.file.name == "sdn.csv")
    assert primary.file.content.count(b"\r\n") == expected_folder_rows


def test_a_shared_format_under_a_name_no_publisher_uses_is_not_guessed(tmp_path: Path, catalogue: Catalogue) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    primary = ofac_csv_set(BASE_ROWS)[0]
    (folder / "list.csv").write_bytes(primary.content)
    assert _chosen(str(tmp_path), catalogue) == {}


def test_a_mirror_folder_that_does_not_exist_is_a_download_error(tmp_path: Path, catalogue: Catalogue) -> None:
    with pytest.raises(ListDownloadError, match="is not a folder"):
        mirror_files_by_source(str(tmp_path / "missing"), catalogue, POLICY)


@pytest.fixture
def http_mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`python -m http.server` over a folder: a real directory listing with Last-Modified headers."""
    root = tmp_path / "www"
    root.mkdir()

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: ARG002 - stdlib signature
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/lists", root
    finally:
        server.shutdown()
        server.server_close()


def test_an_http_mirror_is_walked_through_its_directory_listing(
    http_mirror: tuple[str, Path], catalogue: Catalogue
) -> None:
    url, root = http_mirror
    _write_ofac_set(root / "lists" / "ofac" / "2026-01", BASE_ROWS)
    _write_ofac_set(root / "lists" / "ofac" / "2026-02", BASE_ROWS[:2])
    _age(root / "lists" / "ofac" / "2026-01", 72.0)
    (root / "lists" / "uk.xml").write_bytes((FIXTURES / "uk_sanctions_list_sample.xml").read_bytes())
    # Outside the mirror's folder: never read.
    (root / "other.json").write_bytes((FIXTURES / "csl_sample.json").read_bytes())
    found = mirror_files_by_source(url, catalogue, POLICY)
    assert sorted(found) == ["gb_fcdo_sanctions", "us_ofac_sdn"]
    assert all("/lists/ofac/2026-02/" in file.location for file in found["us_ofac_sdn"].files)


def test_an_http_mirror_that_does_not_answer_is_a_download_error(catalogue: Catalogue) -> None:
    with pytest.raises(ListDownloadError):
        mirror_files_by_source("http://127.0.0.1:9/lists/", catalogue, POLICY)
