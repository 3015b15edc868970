"""Input no store can hold is refused at the edge with a 422 (or 413) naming the field, before any audit write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.config import Settings
from service.main import create_app
from service.sources.catalogue import load_catalogue
from tests.factories import BASE_ROWS, ingest_rows

BEYOND_POSTGRES = 2**31
BEYOND_SQLITE = 2**63


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, BASE_ROWS)
    small = settings.model_copy(update={"max_body_bytes": 64 * 1024, "max_batch_name_parts": 200})
    with TestClient(create_app(small)) as test_client:
        yield test_client


def _recorded(client: TestClient) -> int:
    return len(client.get("/v1/screenings").json()["items"])


OUT_OF_RANGE = [(f"/v1/alerts?cursor={value}", "cursor") for value in (BEYOND_POSTGRES, BEYOND_SQLITE)] + [
    (f"/v1/webhooks/deliveries?alert_id={BEYOND_POSTGRES}", "alert_id"),
    (f"/v1/webhooks/deliveries?cursor={BEYOND_SQLITE}", "cursor"),
    (f"/v1/clearances?offset={BEYOND_POSTGRES}", "offset"),
    (f"/v1/lists/us_ofac_sdn/changes?since={BEYOND_SQLITE}", "since"),
    ("/v1/lists/us_ofac_sdn/changes?since=-1", "since"),
]


@pytest.mark.parametrize(("path", "field"), OUT_OF_RANGE)
def test_integers_beyond_what_the_store_holds_are_422(client: TestClient, path: str, field: str) -> None:
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]


def test_a_delivery_id_beyond_the_store_is_422(client: TestClient) -> None:
    response = client.post(f"/v1/webhooks/deliveries/{BEYOND_SQLITE}/redeliver")
    assert response.status_code == 422 and "delivery_id" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/screenings?reference=%00", "reference"),
        ("/v1/screenings?reference=a%ED%A0%80", "reference"),
        ("/v1/screenings/abc%00def", "path"),
        ("/v1/monitored/%00", "path"),
        ("/v1/entities/us_ofac_sdn/%00", "path"),
        ("/v1/alerts?kind=new_match&reference=x%00y", "reference"),
    ],
)
def test_nul_and_invalid_unicode_in_paths_and_queries_are_422(client: TestClient, path: str, field: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    detail = f"{field}: contains a NUL character or an unpaired surrogate"
    assert response.json() == {"detail": detail, "code": "invalid_input"}


BAD_TEXT: list[tuple[str, str, dict[str, Any], str]] = [
    ("lone surrogate in a rejected country", "/v1/screen", {"name": "Nicolas Maduro", "country": "\ud800"}, "country"),
    ("lone surrogate in sources", "/v1/screen", {"name": "Nicolas Maduro", "sources": ["us\udfff"]}, "sources.0"),
    ("NUL in reference", "/v1/screen", {"name": "Nicolas Maduro", "reference": "C\u00001"}, "reference"),
    ("NUL in a batch name", "/v1/screen/batch", {"parties": [{"name": "A"}, {"name": "B\u0000"}]}, "parties.1.name"),
    (
        "lone surrogate in an order's destination",
        "/v1/orders/screen",
        {"reference": "SO-1", "destination_country": "\udc80", "parties": [{"role": "end_user", "name": "A"}]},
        "destination_country",
    ),
]


@pytest.mark.parametrize(("case", "path", "body", "field"), BAD_TEXT, ids=[row[0] for row in BAD_TEXT])
def test_text_no_store_can_hold_is_422_before_any_record(
    client: TestClient, case: str, path: str, body: dict[str, Any], field: str
) -> None:
    # json.dumps writes the lone surrogates and NULs as the \u escapes a client sends.
    response = client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 422, case
    assert response.json()["detail"].startswith(f"{field}: ")
    assert _recorded(client) == 0


def test_a_surrogate_pair_is_a_character_not_an_error(client: TestClient) -> None:
    body = json.dumps({"name": "Hans Müller \U0001f600"})  # written as \ud83d\ude00
    assert "\\ud83d" in body
    response = client.post("/v1/screen", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200


def test_a_monitor_reference_of_invisible_characters_is_422_and_nothing_is_recorded(client: TestClient) -> None:
    response = client.post("/v1/screen", json={"name": "Nicolas Maduro Moros", "reference": "\u00ad", "monitor": True})
    assert response.status_code == 422
    assert "reference" in response.json()["detail"]
    assert _recorded(client) == 0


def test_a_body_beyond_the_limit_is_413_and_the_service_keeps_serving(client: TestClient) -> None:
    response = client.post("/v1/screen", content=b'{"name": "' + b"A" * 70_000 + b'"}')
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large" and "SCREENING_MAX_BODY_BYTES" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"name": "'
        for _ in range(10):
            yield b"A" * 10_000
        yield b'"}'

    assert client.post("/v1/screen", content=chunks()).status_code == 413
    assert client.post("/v1/screen", json={"name": "Nicolas Maduro Moros"}).json()["decision"] != "clear"


def test_a_batch_of_many_short_words_is_refused_whole(client: TestClient) -> None:
    parties = [{"name": " ".join("A" for _ in range(50))} for _ in range(5)]
    response = client.post("/v1/screen/batch", json={"parties": parties})
    assert response.status_code == 413
    assert "250 name parts" in response.json()["detail"]
    assert _recorded(client) == 0
    assert client.post("/v1/screen/batch", json={"parties": parties[:4]}).status_code == 200
