"""Downloads from a real HTTP server on 127.0.0.1 serving the real list files, and everything that goes wrong."""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from service.config import Settings
from service.errors import IngestLocked, ListDownloadError, ListFileError
from service.sources.catalogue import CatalogueSource, load_catalogue
from service.sources.fetch import FetchPolicy
from service.sources.ingest import IngestOptions, IngestOutcome
from service.sources.refresh import refresh_source
from service.sources.status import source_statuses
from service.sources.tables import ListChange, ListVersion
from service.timeutil import utc_now
from tests.factories import METRICS
from tests.list_server import ListServer, Route, serve_lists

CONS_FILES = ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv")
SDN_FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
# Retries without waiting; timeouts a loaded machine never reaches (the tests of a timeout set their own).
FAST = FetchPolicy(connect_timeout=30, read_timeout=30, attempts=3, backoff_seconds=0.01)


@pytest.fixture
def server() -> Iterator[ListServer]:
    with serve_lists() as list_server:
        yield list_server


@pytest.fixture
def catalogue(settings: Settings):  # type: ignore[no-untyped-def]
    return load_catalogue(settings.lists_dir)


def _serve_set(server: ListServer, directory: Path, names: tuple[str, ...], **route: object) -> list[str]:
    paths = []
    for name in names:
        path = f"/{name.upper()}"
        server.routes[path] = Route(body=(directory / name).read_bytes(), **route)  # type: ignore[arg-type]
        paths.append(server.url(path))
    return paths


def _refresh(engine: Engine, source: CatalogueSource, urls: list[str], policy: FetchPolicy = FAST) -> IngestOutcome:
    return refresh_source(
        engine=engine, source=source, options=IngestOptions(), policy=policy, urls=urls, metrics=METRICS
    )


def _statuses(engine: Engine, source: str) -> list[str]:
    with Session(engine) as session:
        rows = session.execute(
            select(col(ListVersion.status)).where(col(ListVersion.source) == source).order_by(col(ListVersion.id))
        )
        return list(rows.scalars())


def test_download_then_not_modified(engine: Engine, server: ListServer, catalogue, lists_data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    source = catalogue.get("us_ofac_cons")
    urls = _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES)
    first = _refresh(engine, source, urls)
    assert (first.status, first.record_count) == ("activated", 442)
    second = _refresh(engine, source, urls)
    assert second.status == "unchanged"
    assert second.version_id == first.version_id
    assert [route.conditional_hits for route in server.routes.values()] == [1, 1, 1, 1]
    assert _statuses(engine, "us_ofac_cons") == ["active"]


def test_unchanged_check_keeps_the_list_fresh(
    engine: Engine, server: ListServer, catalogue, lists_data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    source = catalogue.get("us_ofac_cons")
    urls = _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES)
    first = _refresh(engine, source, urls)
    with Session(engine) as session:
        session.execute(
            update(ListVersion)
            .where(col(ListVersion.id) == first.version_id)
            .values(fetched_at=utc_now() - timedelta(days=5))
        )
        session.commit()
        assert next(s for s in source_statuses(session, catalogue) if s.source == "us_ofac_cons").status == "stale"
    assert _refresh(engine, source, urls).status == "unchanged"
    with Session(engine) as session:
        status = next(s for s in source_statuses(session, catalogue) if s.source == "us_ofac_cons")
    assert status.status == "ok"
    assert status.age_seconds is not None and status.age_seconds < 60


def test_same_content_without_etag_is_unchanged(
    engine: Engine, server: ListServer, catalogue, lists_data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    source = catalogue.get("us_ofac_cons")
    urls = _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES, etag=False)
    _refresh(engine, source, urls)
    assert _refresh(engine, source, urls).status == "unchanged"
    assert _statuses(engine, "us_ofac_cons") == ["active"]


def test_changed_list_makes_a_new_version_with_a_change_report(
    engine: Engine, server: ListServer, catalogue, lists_data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    source = catalogue.get("us_ofac_sdn")
    old = _serve_set(server, lists_data_dir / "ofac_sdn" / "consistent_set_2021-07", SDN_FILES)
    first = _refresh(engine, source, old)
    assert first.record_count == 8976
    new = _serve_set(server, lists_data_dir / "ofac_sdn", SDN_FILES)
    second = _refresh(engine, source, new)
    assert second.status == "activated"
    assert second.record_count == 14965
    assert second.added > 5000 and second.removed > 0 and second.changed > 0
    assert second.added - second.removed == 14965 - 8976
    with Session(engine) as session:
        report = session.get(ListChange, second.version_id)
    assert report is not None and report.previous_version_id == first.version_id
    assert _statuses(engine, "us_ofac_sdn") == ["superseded", "active"]


@pytest.mark.parametrize(
    ("route", "read_timeout", "message"),
    [
        ({"fail_times": 10}, 30.0, "HTTP 503"),
        ({"delay_seconds": 1.0}, 0.3, "timed out"),
        ({"truncate": True}, 30.0, "truncated download"),
    ],
    ids=["server-error", "timeout", "truncated-body"],
)
def test_failed_download_keeps_the_old_version(  # type: ignore[no-untyped-def]
    engine: Engine,
    server: ListServer,
    catalogue,
    lists_data_dir: Path,
    route: dict[str, object],
    read_timeout: float,
    message: str,
) -> None:
    source = catalogue.get("us_ofac_cons")
    good = _refresh(engine, source, _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES))
    server.routes.clear()
    urls = _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES, etag=False, **route)
    policy = FetchPolicy(connect_timeout=30, read_timeout=read_timeout, attempts=2, backoff_seconds=0.01)
    with pytest.raises(ListDownloadError, match=message):
        _refresh(engine, source, urls, policy)
    assert _statuses(engine, "us_ofac_cons") == ["active", "failed"]
    with Session(engine) as session:
        versions = session.execute(select(ListVersion).order_by(col(ListVersion.id))).scalars().all()
    assert versions[0].id == good.version_id
    assert versions[1].error is not None and message in versions[1].error


def test_transient_errors_are_retried(engine: Engine, server: ListServer, catalogue, lists_data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    source = catalogue.get("us_ofac_cons")
    urls = _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES, fail_times=2)
    outcome = _refresh(engine, source, urls)
    assert outcome.status == "activated"
    assert all(route.requests == 3 for route in server.routes.values())


def test_oversized_body_is_refused(engine: Engine, server: ListServer, catalogue, lists_data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    source = catalogue.get("us_ofac_cons")
    real = (lists_data_dir / "ofac_consolidated_non_sdn" / "cons_prim.csv").read_bytes()
    server.routes["/CONS_PRIM.CSV"] = Route(body=real * 10)
    policy = FetchPolicy(attempts=1, max_bytes=len(real) * 2)
    with pytest.raises(ListDownloadError, match="size limit"):
        _refresh(engine, source, [server.url("/CONS_PRIM.CSV")], policy)
    assert _statuses(engine, "us_ofac_cons") == ["failed"]


def test_two_racing_refreshes_one_wins(engine: Engine, server: ListServer, catalogue, lists_data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    source = catalogue.get("us_ofac_cons")
    urls = _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES, delay_seconds=0.3)
    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(_refresh(engine, source, urls)))
    first.start()
    deadline = time.monotonic() + 10
    while not any(route.requests for route in server.routes.values()):
        assert time.monotonic() < deadline, "the first refresh never reached the server"
        time.sleep(0.01)
    with pytest.raises(IngestLocked, match="already running"):
        _refresh(engine, source, urls)
    first.join(timeout=30)
    assert [getattr(result, "status", None) for result in results] == ["activated"]
    assert _statuses(engine, "us_ofac_cons") == ["active"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01"><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol3;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01"><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&secret;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["xml-bomb", "external-entity"])
def test_hostile_xml_is_rejected_and_nothing_loads(  # type: ignore[no-untyped-def]
    engine: Engine, server: ListServer, catalogue, lists_data_dir: Path, body: bytes
) -> None:
    source = catalogue.get("un_sc_sanctions")
    server.routes["/consolidated.xml"] = Route(
        body=(lists_data_dir / "un_consolidated" / "consolidated.xml").read_bytes()
    )
    good = _refresh(engine, source, [server.url("/consolidated.xml")])
    assert good.record_count == 1003
    server.routes["/consolidated.xml"] = Route(body=body)
    with pytest.raises(ListFileError, match=r"consolidated\.xml"):
        _refresh(engine, source, [server.url("/consolidated.xml")])
    assert _statuses(engine, "un_sc_sanctions") == ["active", "failed"]


def test_admin_refresh_endpoint_downloads_in_the_background(  # type: ignore[no-untyped-def]
    settings: Settings, server: ListServer, lists_data_dir: Path, tmp_path: Path
) -> None:
    """POST /v1/lists/{source}/refresh: 202, 409 while it runs, then the new version serves."""
    from fastapi.testclient import TestClient

    from service.main import create_app

    lists_dir = tmp_path / "lists"
    shutil.copytree(settings.lists_dir / "policy", lists_dir / "policy")
    urls = _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES, delay_seconds=0.3)
    (lists_dir / "catalogue.toml").write_text(
        "[[source]]\n"
        'id = "us_ofac_cons"\nname = "OFAC consolidated"\npublisher = "OFAC"\nkind = "sanctions"\n'
        f'format = "ofac_csv"\nurls = {json.dumps(urls)}\nlicence = "public domain"\n'
    )
    with TestClient(create_app(settings.model_copy(update={"lists_dir": lists_dir}))) as client:
        assert client.post("/v1/lists/us_ofac_cons/refresh").status_code == 202
        busy = client.post("/v1/lists/us_ofac_cons/refresh")
        assert busy.status_code == 409 and busy.json()["code"] == "ingest_locked"
        assert client.post("/v1/lists/nope/refresh").status_code == 404
        deadline = time.monotonic() + 30
        # The new version serves once the replica rebuilt its index: screening stops answering 503.
        while client.post("/v1/screen", json={"name": "Rosneft"}).status_code == 503:
            assert time.monotonic() < deadline, "the refresh did not finish"
            time.sleep(0.05)
        assert client.get("/v1/lists").json()[0]["record_count"] == 442


def test_two_replicas_asked_to_refresh_at_once_answer_202_and_409(  # type: ignore[no-untyped-def]
    engine: Engine, settings: Settings, server: ListServer, lists_data_dir: Path, tmp_path: Path
) -> None:
    """The lease is claimed before the answer: the second replica refuses instead of skipping silently."""
    from service.sources.runner import RefreshRunner

    downloading = threading.Event()  # replica A's download waits for it: A is mid-refresh when B is asked
    urls = _serve_set(server, lists_data_dir / "ofac_consolidated_non_sdn", CONS_FILES, hold=downloading)
    source = dataclasses.replace(load_catalogue(settings.lists_dir).get("us_ofac_cons"), urls=tuple(urls))
    done: list[str] = []
    replica_a = RefreshRunner(engine, settings, METRICS, on_done=lambda: done.append("a"))
    replica_b = RefreshRunner(engine, settings, METRICS, on_done=lambda: done.append("b"))
    replica_a.start(source)
    with pytest.raises(IngestLocked, match="already running"):
        replica_b.start(source)
    downloading.set()
    replica_a.join(timeout=60)
    assert done == ["a"]
    assert _statuses(engine, "us_ofac_cons") == ["active"]


def test_a_download_in_another_lists_format_is_a_failed_version(  # type: ignore[no-untyped-def]
    engine: Engine, server: ListServer, catalogue, lists_data_dir: Path
) -> None:
    """Nobody watches a scheduled refresh: a publisher serving another list's file shows in /v1/lists."""
    server.routes["/CONS_PRIM.CSV"] = Route(body=(lists_data_dir / "un_consolidated" / "consolidated.xml").read_bytes())
    with pytest.raises(ListFileError, match="which us_ofac_cons is not published in"):
        _refresh(engine, catalogue.get("us_ofac_cons"), [server.url("/CONS_PRIM.CSV")])
    assert _statuses(engine, "us_ofac_cons") == ["failed"]
