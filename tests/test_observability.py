"""The request middleware (metrics + access log) and log formatting, on a tiny FastAPI app."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service.metrics import Metrics
from service.observability import ACCESS_LOGGER, JsonFormatter, ObservabilityMiddleware, configure_logging

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

PERSON = "Ivan Petrov"


def build_app(metrics: Metrics) -> FastAPI:
    app = FastAPI()
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)

    @app.get("/v1/entities/{source}/{entity_id}")
    def entity(source: str, entity_id: str) -> dict[str, str]:
        return {"source": source, "entity_id": entity_id}

    @app.post("/v1/screen")
    def screen(request: Request, body: dict[str, str]) -> dict[str, str]:
        request.state.screening_id = "scr-0001"
        return {"decision": "clear", "screening_id": "scr-0001"}

    @app.get("/v1/unavailable")
    def unavailable() -> None:
        raise HTTPException(status_code=503, detail="no index")

    @app.get("/v1/crash")
    def crash() -> None:
        raise RuntimeError("boom")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    def scrape_metrics() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    return app


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(multiprocess=False)


@pytest.fixture
def client(metrics: Metrics) -> Iterator[TestClient]:
    with TestClient(build_app(metrics), raise_server_exceptions=False) as test_client:
        yield test_client


def scraped(client: TestClient) -> tuple[str, dict[tuple[str, frozenset[tuple[str, str]]], float]]:
    text = client.get("/metrics").text
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def http(method: str, route: str, status: str) -> frozenset[tuple[str, str]]:
    return frozenset({("method", method), ("route", route), ("status", status)})


def test_requests_are_counted_by_route_template_never_by_raw_path(client: TestClient) -> None:
    for _ in range(3):
        assert client.get(f"/v1/entities/us_ofac_sdn/{PERSON}").status_code == 200
    assert client.get(f"/people/{PERSON}?name={PERSON}").status_code == 404
    assert client.post("/v1/screen", json={"name": PERSON}).status_code == 200

    text, samples = scraped(client)

    assert samples[("screening_http_requests_total", http("GET", "/v1/entities/{source}/{entity_id}", "200"))] == 3
    assert samples[("screening_http_requests_total", http("GET", "<unmatched>", "404"))] == 1
    assert samples[("screening_http_requests_total", http("POST", "/v1/screen", "200"))] == 1
    assert "Ivan" not in text
    assert "us_ofac_sdn" not in text  # a path parameter, even a harmless one, never becomes a label


@pytest.mark.parametrize(
    ("path", "status"),
    [("/v1/unavailable", "503"), ("/v1/crash", "500"), ("/healthz", "200")],
)
def test_status_codes_are_recorded_as_the_client_saw_them(client: TestClient, path: str, status: str) -> None:
    assert str(client.get(path).status_code) == status
    _text, samples = scraped(client)
    assert samples[("screening_http_requests_total", http("GET", path, status))] == 1


def test_latency_lands_in_the_histogram(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/healthz")
    _text, samples = scraped(client)
    labels = http("GET", "/healthz", "200")

    assert samples[("screening_http_request_duration_seconds_count", labels)] == 2
    assert 0 < samples[("screening_http_request_duration_seconds_sum", labels)] < 2
    assert samples[("screening_http_request_duration_seconds_bucket", labels | {("le", "+Inf")})] == 2
    assert samples[("screening_http_request_duration_seconds_bucket", labels | {("le", "10.0")})] == 2


def test_one_access_line_per_request_with_the_screening_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.post("/v1/screen", json={"name": PERSON}, headers={"X-Request-ID": "erp-42"})

    [record] = [record for record in caplog.records if record.name == ACCESS_LOGGER]
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith("POST /v1/screen 200 ")
    assert record.__dict__["route"] == "/v1/screen"
    assert record.__dict__["status"] == 200
    assert record.__dict__["request_id"] == "erp-42"
    assert record.__dict__["screening_id"] == "scr-0001"
    assert record.__dict__["duration_ms"] > 0
    assert response.headers["x-request-id"] == "erp-42"
    line = JsonFormatter().format(record)
    assert PERSON not in line
    assert json.loads(line)["screening_id"] == "scr-0001"


@pytest.mark.parametrize("incoming", [None, "has spaces in it", "x" * 65, f"name={PERSON}"])
def test_unusable_request_ids_are_replaced(client: TestClient, incoming: str | None) -> None:
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    request_id = client.get("/healthz", headers=headers).headers["x-request-id"]
    assert request_id != incoming
    assert len(request_id) == 32
    assert int(request_id, 16) >= 0


def test_probes_log_at_debug_and_failures_at_info(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.get("/healthz")
        client.get("/v1/unavailable")
    assert [record.getMessage().split()[:3] for record in caplog.records if record.name == ACCESS_LOGGER] == [
        ["GET", "/v1/unavailable", "503"]
    ]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    uvicorn_access = logging.getLogger("uvicorn.access")
    saved_access = (list(uvicorn_access.handlers), uvicorn_access.propagate, uvicorn_access.disabled)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    uvicorn_access.handlers[:], uvicorn_access.propagate, uvicorn_access.disabled = saved_access


@pytest.mark.usefixtures("restore_logging")
def test_json_logging_writes_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    log = logging.getLogger("service.test")
    log.info("ingest %s done", "un_sc", extra={"source": "un_sc", "records": 731})
    log.debug("not shown")
    try:
        raise ValueError("bad file")
    except ValueError:
        log.exception("ingest failed")
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /v1/entities/x/Ivan%20Petrov HTTP/1.1" 200')

    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]

    assert len(entries) == 2
    assert entries[0]["message"] == "ingest un_sc done"
    assert entries[0]["level"] == "INFO"
    assert entries[0]["logger"] == "service.test"
    assert entries[0]["source"] == "un_sc"
    assert entries[0]["records"] == 731
    assert entries[0]["time"].endswith("+00:00")
    assert entries[1]["level"] == "ERROR"
    assert "ValueError: bad file" in entries[1]["exception"]


@pytest.mark.usefixtures("restore_logging")
def test_plain_logging_appends_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning", json=False)
    log = logging.getLogger("service.test")
    log.info("hidden")
    log.warning("list %s is stale", "un_sc", extra={"source": "un_sc", "age_hours": 50})

    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith("WARNING service.test: list un_sc is stale source=un_sc age_hours=50")
