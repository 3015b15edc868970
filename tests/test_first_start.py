"""A new install loads its lists by itself: from the list mirror, with progress on /readyz."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.config import Settings
from service.main import create_app
from service.sources.catalogue import load_catalogue
from service.sources.scheduler import run_refresh
from tests.factories import BASE_ROWS, METRICS, OfacRow, ofac_csv_set
from tests.list_server import ListServer, Route, serve_lists

FIXTURES = Path(__file__).parent / "fixtures"
DEADLINE_SECONDS = 90.0


def _drop_sdn_set(folder: Path, rows: list[OfacRow]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for file in ofac_csv_set(rows):
        (folder / file.name).write_bytes(file.content)


def _wait_ready(client: TestClient) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        response = client.get("/readyz")
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        assert time.monotonic() < deadline, f"never ready: {response.json()}"
        time.sleep(0.1)


def _lists(client: TestClient) -> dict[str, dict[str, Any]]:
    return {item["source"]: item for item in client.get("/v1/lists").json()}


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    _drop_sdn_set(root / "ofac", BASE_ROWS)
    (root / "uk-list.xml").write_bytes((FIXTURES / "uk_sanctions_list_sample.xml").read_bytes())
    return root


def _first_start(settings: Settings, mirror: str) -> Settings:
    return settings.model_copy(update={"load_lists_on_start": True, "lists_mirror": mirror})


def test_an_empty_store_loads_every_list_the_mirror_holds_then_serves(settings: Settings, mirror: Path) -> None:
    with TestClient(create_app(_first_start(settings, str(mirror)))) as client:
        ready = _wait_ready(client)
        assert ready["checks"]["index"].startswith("ok")
        lists = _lists(client)
        assert (lists["us_ofac_sdn"]["status"], lists["us_ofac_sdn"]["record_count"]) == ("ok", len(BASE_ROWS))
        assert lists["gb_fcdo_sanctions"]["status"] == "ok"
        # A source the mirror lacks is a failed load the operator can see, not a silent gap.
        assert lists["un_sc_sanctions"]["status"] == "failed"
        assert "holds no file" in lists["un_sc_sanctions"]["last_error"]
        # Sources loaded only on purpose (retired, licensed) are left alone.
        assert lists["opensanctions"]["status"] == "missing"
        screened = client.post("/v1/screen", json={"name": "Nicolas Maduro Moros"}).json()
        assert screened["decision"] != "clear"


def test_a_restart_loads_only_what_was_never_loaded_without_holding_screening(settings: Settings, mirror: Path) -> None:
    with TestClient(create_app(_first_start(settings, str(mirror)))) as client:
        _wait_ready(client)
        sdn_version = _lists(client)["us_ofac_sdn"]["version"]
    # The operator drops another publisher's file; the next start picks it up and keeps the rest.
    (mirror / "csl.json").write_bytes((FIXTURES / "csl_sample.json").read_bytes())
    with TestClient(create_app(_first_start(settings, str(mirror)))) as client:
        # The store holds lists already: the service serves at once and loads the new one behind.
        assert "lists" not in client.get("/readyz").json()["checks"]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while _lists(client)["us_trade_csl"]["status"] != "ok":
            assert time.monotonic() < deadline, "the new list was never loaded"
            time.sleep(0.1)
        assert _lists(client)["us_ofac_sdn"]["version"] == sdn_version


@pytest.fixture
def held_mirror() -> Iterator[tuple[ListServer, threading.Event]]:
    """An HTTP mirror whose primary file answers only once the test lets it."""
    release = threading.Event()
    with serve_lists() as server:
        files = ofac_csv_set(BASE_ROWS)
        links = "".join(f'<a href="{file.name}">{file.name}</a>' for file in files)
        server.routes["/mirror/"] = Route(f"<html><body>{links}</body></html>".encode())
        for file in files:
            server.routes[f"/mirror/{file.name}"] = Route(
                file.content, hold=release if file.name == "sdn.csv" else None
            )
        try:
            yield server, release
        finally:
            release.set()


def test_while_lists_load_readyz_reports_progress_and_screening_waits(
    settings: Settings, held_mirror: tuple[ListServer, threading.Event]
) -> None:
    server, release = held_mirror
    with TestClient(create_app(_first_start(settings, server.url("/mirror/")))) as client:
        waiting = client.get("/readyz")
        assert waiting.status_code == 503
        assert waiting.json()["checks"]["lists"] == "loading lists: 0/9"
        refused = client.post("/v1/screen", json={"name": "Nicolas Maduro Moros"})
        assert refused.status_code == 503
        assert refused.json()["code"] == "list_unavailable"
        assert "loading lists" in refused.json()["detail"]
        release.set()
        assert "lists" not in _wait_ready(client)["checks"]
        assert client.post("/v1/screen", json={"name": "Nicolas Maduro Moros"}).json()["decision"] != "clear"


def test_a_scheduled_refresh_takes_the_set_dropped_last(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    _drop_sdn_set(mirror / "2026-01", BASE_ROWS)
    configured = settings.model_copy(update={"lists_mirror": str(mirror)})
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    first = run_refresh(engine, source, configured, METRICS)
    assert first is not None and (first.status, first.record_count) == ("activated", len(BASE_ROWS))
    again = run_refresh(engine, source, configured, METRICS)
    assert again is not None and again.status == "unchanged"
    # A day later the operator drops the next download beside the old one.
    stamp = time.time() - 86_400
    for path in (mirror / "2026-01").iterdir():
        os.utime(path, (stamp, stamp))
    _drop_sdn_set(mirror / "2026-02", [*BASE_ROWS, OfacRow(777, "NEW LISTED TRADING LLC")])
    newer = run_refresh(engine, source, configured, METRICS)
    assert newer is not None and (newer.status, newer.record_count) == ("activated", len(BASE_ROWS) + 1)
