"""Retries of list downloads: exponential backoff with jitter, and the publisher's Retry-After obeyed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from service.errors import ListDownloadError
from service.sources import fetch as fetch_module
from service.sources.fetch import FetchPolicy, fetch, make_http_client
from tests.list_server import ListServer, Route, serve_lists

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

POLICY = FetchPolicy(connect_timeout=5, read_timeout=5, attempts=3, backoff_seconds=4.0)


@pytest.fixture
def server() -> Iterator[ListServer]:
    with serve_lists() as running:
        yield running


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses between attempts, recorded instead of waited for."""
    pauses: list[float] = []
    monkeypatch.setattr(fetch_module.time, "sleep", pauses.append)
    return pauses


def _in_a_minute() -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)


@pytest.mark.parametrize(
    ("retry_after", "lowest", "highest"),
    [
        (None, 2.0, 4.0),  # backoff 4 s with jitter: between half and all of it
        ("30", 30.0, 30.0),  # the publisher's pause, longer than the backoff, wins
        ("1", 2.0, 4.0),  # a shorter one does not shorten the backoff
        ("in-a-minute", 50.0, 60.0),  # an HTTP date
        ("soon", 2.0, 4.0),  # unreadable: ignored
    ],
)
def test_a_503_is_retried_after_the_backoff_or_the_servers_pause(
    server: ListServer,
    slept: list[float],
    retry_after: str | None,
    lowest: float,
    highest: float,
) -> None:
    header = _in_a_minute() if retry_after == "in-a-minute" else retry_after
    server.routes["/list.xml"] = Route(b"<list/>", fail_times=2, retry_after=header)
    with make_http_client(POLICY) as client:
        fetched = fetch(client, server.url("/list.xml"), policy=POLICY)
    assert fetched.content == b"<list/>"
    assert len(slept) == 2
    assert lowest <= slept[0] <= highest  # the first pause


def test_a_pause_longer_than_the_limit_gives_up_at_once(server: ListServer, slept: list[float]) -> None:
    server.routes["/list.xml"] = Route(b"<list/>", fail_times=1, retry_after="3600")
    with make_http_client(POLICY) as client, pytest.raises(ListDownloadError, match="retry after 3600 s"):
        fetch(client, server.url("/list.xml"), policy=POLICY)
    assert slept == []
    assert server.routes["/list.xml"].requests == 1
