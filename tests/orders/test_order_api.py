"""POST /v1/orders/screen and GET /v1/policy over HTTP, with list screening and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.config import Settings
from service.main import create_app
from service.sources.catalogue import load_catalogue
from tests.factories import BASE_ROWS, ingest_rows

CAMERAS = {"sku": "IPC-4K", "description": "4K network camera with video analytics", "quantity": 2000}
FACES = {
    "sku": "FR-200",
    "description": "Facial recognition server",
    "quantity": 2,
    "categories": ["facial_recognition"],
}


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, BASE_ROWS)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _order(parties: list[dict[str, Any]], items: list[dict[str, Any]], country: str, **extra: Any) -> dict[str, Any]:
    return {"reference": "SO-1", "destination_country": country, "parties": parties, "items": items, **extra}


CASES = [
    (
        "facial recognition to the Shanghai PSB, in Chinese",
        _order([{"role": "end_user", "name": "上海市公安局", "address": "上海市黄浦区福州路185号"}], [FACES], "CN"),
        "block",
        {"human_rights_risk"},
    ),
    (
        "emotion recognition to a police college in Urumqi",
        _order(
            [{"role": "end_user", "name": "Xinjiang Police College", "address": "Urumqi, Xinjiang"}],
            [{"sku": "EMO-1", "description": "emotion recognition software", "quantity": 1}],
            "CN",
        ),
        "block",
        {"xinjiang_nexus"},
    ),
    (
        "cameras to a retailer in Germany",
        _order([{"role": "end_user", "name": "Kaufhaus Nord GmbH", "address": "Hamburg"}], [CAMERAS], "DE"),
        "clear",
        set(),
    ),
    (
        "a listed end user",
        _order([{"role": "end_user", "name": "Nicolas Maduro Moros"}], [{"sku": "X", "quantity": 1}], "VE"),
        "block",
        {"party_match"},
    ),
    (
        "an unknown product category",
        _order(
            [{"role": "end_user", "name": "Acme Bank", "country": "JP"}], [{**FACES, "categories": ["telepathy"]}], "JP"
        ),
        "review",
        {"unknown_category"},
    ),
]


@pytest.mark.parametrize(("case", "order", "decision", "codes"), CASES, ids=[case[0] for case in CASES])
def test_order_decisions(client: TestClient, case: str, order: dict[str, Any], decision: str, codes: set[str]) -> None:
    response = client.post("/v1/orders/screen", json=order)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["decision"] == decision, (case, body["reasons"])
    assert codes <= {reason["code"] for reason in body["reasons"]}
    assert all(reason["message"] for reason in body["reasons"])
    assert len(body["parties"]) == len(order["parties"])


def test_order_is_in_the_audit_trail(client: TestClient) -> None:
    order = CASES[0][1]
    seen = client.post("/v1/orders/screen", json=order).json()
    record = client.get(f"/v1/screenings/{seen['screening_id']}").json()
    assert record["kind"] == "order" and record["decision"] == "block"
    assert record["response"] == seen
    assert record["request"]["parties"][0]["name"] == "上海市公安局"
    assert record["lists"] and record["lists"][0]["source"] == "us_ofac_sdn"


@pytest.mark.parametrize(
    ("order", "field"),
    [
        ({"parties": [], "items": []}, "parties"),
        ({"parties": [{"role": "boss", "name": "A"}]}, "role"),
        ({"parties": [{"role": "end_user", "name": ""}]}, "name"),
        ({"parties": [{"role": "end_user", "name": "A"}], "items": [{"quantity": -1}]}, "quantity"),
        ({"parties": [{"role": "end_user", "name": "A"}], "destination_country": "Narnia"}, "destination_country"),
    ],
)
def test_malformed_orders_name_the_field(client: TestClient, order: dict[str, Any], field: str) -> None:
    response = client.post("/v1/orders/screen", json=order)
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_policy_is_published_with_its_version(client: TestClient) -> None:
    response = client.get("/v1/policy")
    assert response.status_code == 200
    policy = response.json()
    assert policy["version"]
    assert policy["destinations"]
