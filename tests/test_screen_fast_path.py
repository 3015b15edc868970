"""POST /v1/screen as the fast path answers it (service/screen_fast_path.py): the same answers, refusals,
audit records and access log as the FastAPI route, which still answers whatever the fast path leaves to it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.config import Settings
from service.main import create_app
from service.observability import ACCESS_LOGGER
from service.sources.catalogue import load_catalogue
from tests.factories import BASE_ROWS, ingest_rows

KEY = "fast-path-test-key-0123456789"
AUTHORISED = {"Authorization": f"Bearer {KEY}"}
# FastAPI reads a `+json` body as JSON; the fast path leaves any type but application/json to the route.
ROUTE_ONLY = {**AUTHORISED, "Content-Type": "application/screening+json"}


@pytest.fixture
def keyed_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_keys": [f"erp:screen:{KEY}"]})


@pytest.fixture
def client(engine: Engine, keyed_settings: Settings) -> Iterator[TestClient]:
    ingest_rows(engine, load_catalogue(keyed_settings.lists_dir).get("us_ofac_sdn"), BASE_ROWS)
    with TestClient(create_app(keyed_settings)) as test_client:
        yield test_client


def _without_ids(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in ("screening_id", "screened_at")}


@pytest.mark.parametrize(
    "party",
    [
        {"name": "Nicolas Maduro Moros", "reference": "CUST-1"},
        {"name": "MADURO MOROS, Nicolas", "date_of_birth": "1962-11-23", "country": "VE"},
        {"name": "Banco Nacional de Cuba", "type": "organization"},
        {"name": "Hans Müller"},
    ],
)
def test_the_fast_path_answers_as_the_route_does(client: TestClient, party: dict[str, Any]) -> None:
    fast = client.post("/v1/screen", json=party, headers=AUTHORISED)
    routed = client.post("/v1/screen", json=party, headers=ROUTE_ONLY)

    assert fast.status_code == routed.status_code == 200
    assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert _without_ids(fast.json()) == _without_ids(routed.json())
    assert fast.json()["screening_id"] != routed.json()["screening_id"]
    for answered in (fast, routed):
        record = client.get(f"/v1/screenings/{answered.json()['screening_id']}", headers=AUTHORISED)
        assert record.status_code == 200
        assert record.json()["response"] == answered.json()
        assert record.json()["caller"] == "erp"


# (case, headers, body, status, code, words the detail must hold)
REFUSALS: list[tuple[str, dict[str, str], bytes, int, str, str]] = [
    ("no key", {}, b'{"name": "Ivan Petrov"}', 401, "unauthorized", "API key is required"),
    (
        "unknown key",
        {"Authorization": "Bearer not-a-key"},
        b'{"name": "Ivan Petrov"}',
        401,
        "unauthorized",
        "not valid",
    ),
    ("not JSON", AUTHORISED, b'{"name": "Ivan', 400, "malformed_json", "not valid JSON"),
    ("empty body", AUTHORISED, b"", 422, "invalid_input", "body"),
    ("not an object", AUTHORISED, b'["Ivan Petrov"]', 422, "invalid_input", "body"),
    (
        "a bad field",
        AUTHORISED,
        b'{"name": "Ivan Petrov", "date_of_birth": "1970-13-45"}',
        422,
        "invalid_input",
        "date_of_birth",
    ),
    ("an unknown field", AUTHORISED, b'{"name": "Ivan Petrov", "colour": "red"}', 422, "invalid_input", "colour"),
    # FastAPI checks the key before the fields: a bad party without a key is a 401, not a 422.
    ("a bad field and no key", {}, b'{"name": ""}', 401, "unauthorized", "API key is required"),
    ("an unknown source", AUTHORISED, b'{"name": "Ivan Petrov", "sources": ["nope"]}', 422, "unknown_source", "nope"),
    (
        "a source not loaded",
        AUTHORISED,
        b'{"name": "Ivan Petrov", "sources": ["eu_fsf"]}',
        422,
        "list_unavailable",
        "eu_fsf",
    ),
]


@pytest.mark.parametrize(("case", "headers", "body", "status", "code", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_name_the_reason(
    client: TestClient, case: str, headers: dict[str, str], body: bytes, status: int, code: str, words: str
) -> None:
    before = len(client.get("/v1/screenings", headers=AUTHORISED).json()["items"])

    response = client.post("/v1/screen", content=body, headers={"Content-Type": "application/json", **headers})

    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert words in response.json()["detail"]
    assert len(client.get("/v1/screenings", headers=AUTHORISED).json()["items"]) == before


def test_a_store_without_lists_is_503_not_clear(engine: Engine, keyed_settings: Settings) -> None:
    with TestClient(create_app(keyed_settings)) as client:
        response = client.post("/v1/screen", json={"name": "Ivan Petrov"}, headers=AUTHORISED)

    assert response.status_code == 503
    assert response.json()["code"] == "list_unavailable"


def test_the_access_line_names_the_route_and_the_screening(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.post(
            "/v1/screen", json={"name": "Ivan Petrov"}, headers={**AUTHORISED, "X-Request-ID": "erp-7"}
        )

    [record] = [record for record in caplog.records if record.name == ACCESS_LOGGER]
    assert record.__dict__["route"] == "/v1/screen"
    assert record.__dict__["status"] == 200
    assert record.__dict__["request_id"] == response.headers["x-request-id"] == "erp-7"
    assert record.__dict__["screening_id"] == response.json()["screening_id"]
    assert "Ivan" not in record.getMessage()


def test_other_requests_to_the_path_reach_the_route(client: TestClient) -> None:
    assert client.get("/v1/screen", headers=AUTHORISED).status_code == 405
    slash = client.post("/v1/screen/", json={"name": "Ivan Petrov"}, headers=AUTHORISED, follow_redirects=False)
    assert (slash.status_code, slash.headers["location"]) == (307, "http://testserver/v1/screen")
