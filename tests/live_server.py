"""The app as a real HTTP server on 127.0.0.1, in a thread of the test process, for clients that need one
(a browser, a generated client, schemathesis over the wire)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from service.config import Settings
from service.db import make_engine, upgrade
from service.main import create_app
from service.sources.catalogue import load_catalogue
from tests.conftest import fresh_database
from tests.factories import BASE_ROWS, OfacRow, ingest_rows

START_DEADLINE_SECONDS = 120.0  # a loaded machine starts slowly


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(settings: Settings, *, ready_path: str = "/readyz") -> Iterator[str]:
    """Serve `create_app(settings)` until the block ends; yields its base URL once `ready_path` answers 200."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    try:
        while True:
            try:
                if httpx.get(f"{address}{ready_path}", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield address
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def load_sdn_rows(url: str, rows: list[OfacRow]) -> None:
    """Migrate the store at `url` and load `rows` as the OFAC SDN list."""
    engine = make_engine(url)
    upgrade(engine)
    source = load_catalogue(Settings().lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, rows)
    engine.dispose()


@contextmanager
def listed_service(tmp_path: Path, rows: list[OfacRow] | None = None, **settings: Any) -> Iterator[str]:
    """A live server on a store of its own holding `rows` (default: the factories' BASE_ROWS) as the SDN list."""
    with fresh_database(tmp_path) as url:
        load_sdn_rows(url, BASE_ROWS if rows is None else rows)
        configured = Settings(data_dir=tmp_path, database_url=url, **settings)
        with live_server(configured) as address:
            yield address
