"""Monitoring over HTTP: /v1/monitored, "monitor": true on screening, /v1/alerts and the delivery log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.auth import create_key
from service.config import Settings
from service.main import create_app
from service.matching import build_index
from service.metrics import Metrics
from service.monitoring.routes import install_monitoring
from service.monitoring.runs import rescreen_pending
from service.sources.catalogue import load_catalogue
from tests.factories import BASE_ROWS, OfacRow, ingest_rows

METRICS = Metrics(multiprocess=False)  # the counters these calls update, apart from the process's registry

PETROV = {"reference": "C-1", "name": "Ivan Sergeyevich Petrov", "type": "person"}
NEWLY_LISTED = OfacRow(77001, "SMIRNOVA, Olga", "individual", "RUSSIA-EO14024")


def _ingest(engine: Engine, settings: Settings, rows: list[OfacRow]) -> None:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, rows)


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"webhook_urls": ["http://127.0.0.1:9/hook"], "webhook_secret": "s" * 24, "max_batch": 3}
    )


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    return {"admin": create_key(engine, "compliance", "admin"), "screen": create_key(engine, "erp", "screen")}


@pytest.fixture
def client(engine: Engine, api_settings: Settings, keys: dict[str, str]) -> Iterator[TestClient]:
    _ingest(engine, api_settings, BASE_ROWS)
    rescreen_pending(engine=engine, settings=api_settings, build_index=build_index, metrics=METRICS)
    app: FastAPI = create_app(api_settings)
    install_monitoring(app)
    with TestClient(app) as test_client:
        yield test_client


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/monitored"),
        ("POST", "/v1/monitored"),
        ("GET", "/v1/monitored/C-1"),
        ("DELETE", "/v1/monitored/C-1"),
        ("GET", "/v1/alerts"),
        ("GET", "/v1/webhooks/deliveries"),
        ("POST", "/v1/webhooks/deliveries/1/redeliver"),
    ],
)
def test_every_monitoring_endpoint_needs_a_key(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json=PETROV if method == "POST" else None)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/webhooks/deliveries"), ("POST", "/v1/webhooks/deliveries/1/redeliver")]
)
def test_the_delivery_log_needs_admin(client: TestClient, keys: dict[str, str], method: str, path: str) -> None:
    assert client.request(method, path, headers=_auth(keys["screen"])).status_code == 403


def test_register_read_update_and_delete(client: TestClient, keys: dict[str, str]) -> None:
    headers = _auth(keys["screen"])
    created = client.post("/v1/monitored", json=PETROV, headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["registered"] == 1
    party = body["parties"][0]
    assert party["decision"] != "clear" and party["matches"][0]["entity_id"] == "12345"
    assert party["created_by"] == "erp" and party["versions"]["us_ofac_sdn"] >= 1

    renamed = client.post("/v1/monitored", json={**PETROV, "name": "Hans Mueller"}, headers=headers)
    assert renamed.json()["parties"][0]["decision"] == "clear"
    fetched = client.get("/v1/monitored/C-1", headers=headers).json()
    assert fetched["name"] == "Hans Mueller" and fetched["matches"] == []

    assert client.delete("/v1/monitored/C-1", headers=headers).status_code == 204
    assert client.get("/v1/monitored/C-1", headers=headers).status_code == 404
    assert client.delete("/v1/monitored/C-1", headers=headers).status_code == 404


def test_register_many_and_page_through(client: TestClient, keys: dict[str, str]) -> None:
    headers = _auth(keys["screen"])
    parties = [{"reference": f"R-{i}", "name": name} for i, name in enumerate(["Anna Berg", "Olga Smirnova", "Li Wei"])]
    assert client.post("/v1/monitored", json={"parties": parties}, headers=headers).json()["registered"] == 3
    first = client.get("/v1/monitored", params={"limit": 2}, headers=headers).json()
    assert [p["reference"] for p in first["items"]] == ["R-0", "R-1"] and first["total"] == 3
    second = client.get("/v1/monitored", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers).json()
    assert [p["reference"] for p in second["items"]] == ["R-2"] and second["next_cursor"] is None
    too_many = client.post("/v1/monitored", json={"parties": [*parties, PETROV]}, headers=headers)
    assert too_many.status_code == 413


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Anna Berg"}, "reference"),
        ({"reference": "X-1", "name": "  "}, "name"),
        ({"reference": "X-1", "name": "Anna Berg", "country": "Atlantis"}, "country"),
        ({"reference": "X-1", "name": "Anna Berg", "date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"reference": "X-1", "name": "Anna Berg", "colour": "blue"}, "colour"),
        ({"parties": []}, "parties"),
    ],
)
def test_invalid_parties_are_422_naming_the_field(
    client: TestClient, keys: dict[str, str], body: dict[str, object], field: str
) -> None:
    response = client.post("/v1/monitored", json=body, headers=_auth(keys["screen"]))
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_screening_with_monitor_registers_the_party(client: TestClient, keys: dict[str, str]) -> None:
    headers = _auth(keys["screen"])
    missing = client.post("/v1/screen", json={"name": "Olga Smirnova", "monitor": True}, headers=headers)
    assert missing.status_code == 422 and "reference" in missing.json()["detail"]
    screened = client.post("/v1/screen", json={**PETROV, "monitor": True}, headers=headers)
    assert screened.status_code == 200
    party = client.get("/v1/monitored/C-1", headers=headers).json()
    assert party["decision"] == screened.json()["decision"]
    assert [m["entity_id"] for m in party["matches"]] == [m["entity_id"] for m in screened.json()["matches"]]
    assert all(len(m["content_hash"]) == 64 for m in party["matches"])
    batch = {"parties": [{"reference": "B-1", "name": "Olga Smirnova", "monitor": True}, {"name": "Li Wei"}]}
    assert client.post("/v1/screen/batch", json=batch, headers=headers).status_code == 200
    assert client.get("/v1/monitored/B-1", headers=headers).status_code == 200


def test_alerts_after_a_list_change(
    client: TestClient, keys: dict[str, str], engine: Engine, api_settings: Settings
) -> None:
    headers = _auth(keys["screen"])
    client.post("/v1/monitored", json={"reference": "C-9", "name": "Olga Smirnova"}, headers=headers)
    before = client.get("/v1/alerts", headers=headers).json()
    assert before["items"] == []
    _ingest(engine, api_settings, [*BASE_ROWS, NEWLY_LISTED])
    rescreen_pending(engine=engine, settings=api_settings, build_index=build_index, metrics=METRICS)

    alerts = client.get("/v1/alerts", headers=headers).json()["items"]
    assert [(a["reference"], a["kind"], a["entity_id"]) for a in alerts] == [
        ("C-9", "new_match", "77001"),
        ("C-9", "decision_raised", "77001"),
    ]
    only_new = client.get("/v1/alerts", params={"kind": "new_match"}, headers=headers).json()["items"]
    assert [a["kind"] for a in only_new] == ["new_match"]
    page = client.get("/v1/alerts", params={"limit": 1}, headers=headers).json()
    rest = client.get("/v1/alerts", params={"cursor": page["next_cursor"]}, headers=headers).json()
    assert [a["id"] for a in page["items"] + rest["items"]] == [a["id"] for a in alerts]
    future = client.get("/v1/alerts", params={"since": "2999-01-01T00:00:00Z"}, headers=headers).json()
    assert future["items"] == []
    record = client.get(f"/v1/screenings/{alerts[0]['screening_id']}", headers=_auth(keys["admin"])).json()
    assert record["kind"] == "rescreen" and record["reference"] == "C-9"
    assert client.get("/v1/monitored/C-9", headers=headers).json()["decision"] != "clear"

    deliveries = client.get("/v1/webhooks/deliveries", headers=_auth(keys["admin"])).json()["items"]
    assert {d["alert_id"] for d in deliveries} == {a["id"] for a in alerts}
    assert {(d["status"], d["endpoint"]) for d in deliveries} == {("pending", "http://127.0.0.1:9/hook")}
    again = client.post(f"/v1/webhooks/deliveries/{deliveries[0]['id']}/redeliver", headers=_auth(keys["admin"]))
    assert again.status_code == 202 and again.json()["status"] == "pending"
    assert client.post("/v1/webhooks/deliveries/999999/redeliver", headers=_auth(keys["admin"])).status_code == 404


@pytest.mark.parametrize("params", [{"kind": "nope"}, {"since": "yesterday"}, {"limit": 0}, {"cursor": "abc"}])
def test_bad_alert_queries_are_422(client: TestClient, keys: dict[str, str], params: dict[str, object]) -> None:
    assert client.get("/v1/alerts", params=params, headers=_auth(keys["screen"])).status_code == 422
