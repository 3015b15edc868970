"""The HTTP contract of DESIGN.md section 4, against the real OFAC SDN list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.config import Settings
from service.db import make_engine, upgrade
from service.main import create_app
from service.sources.catalogue import load_catalogue
from service.sources.ingest import IngestOptions, ingest_files
from service.sources.parsers import SourceFile
from tests.conftest import fresh_database
from tests.factories import METRICS

OFAC_FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, lists_data_dir: Path) -> Iterator[TestClient]:
    """One app with the real SDN list loaded, shared by the read-only tests of this module."""
    tmp_path = tmp_path_factory.mktemp("api")
    with fresh_database(tmp_path) as url:
        settings = Settings(data_dir=tmp_path, database_url=url)
        engine = make_engine(url)
        upgrade(engine)
        files = [SourceFile(name, (lists_data_dir / "ofac_sdn" / name).read_bytes()) for name in OFAC_FILES]
        source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
        ingest_files(engine=engine, source=source, files=files, origin="test", options=IngestOptions(), metrics=METRICS)
        engine.dispose()
        with TestClient(create_app(settings)) as test_client:
            yield test_client


def test_listed_person_is_found(client: TestClient) -> None:
    response = client.post("/v1/screen", json={"name": "Nicolas Maduro Moros", "reference": "CUST-1"})
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] in ("review", "block")
    assert body["reference"] == "CUST-1"
    best = body["matches"][0]
    assert (best["source"], best["entity_id"], best["name"]) == ("us_ofac_sdn", "22790", "MADURO MOROS, Nicolas")
    assert best["programs"] == ["VENEZUELA", "IRAN-CON-ARMS-EO"]
    assert best["cleared"] is False
    assert best["explanation"] and all({"feature", "score", "detail"} <= set(item) for item in best["explanation"])
    assert [ref["source"] for ref in body["lists"]] == ["us_ofac_sdn"]
    assert body["screening_id"] and body["screened_at"]


@pytest.mark.parametrize("name", ["Hans Müller", "Acme Garden Tools GmbH"])
def test_unrelated_names_are_clear(client: TestClient, name: str) -> None:
    response = client.post("/v1/screen", json={"name": name})
    assert response.status_code == 200
    assert response.json()["decision"] == "clear"
    assert response.json()["matches"] == []


BAD_REQUESTS: list[tuple[str, Any, int, str]] = [
    ("empty name", {"name": ""}, 422, "name"),
    ("blank name", {"name": "   "}, 422, "name"),
    ("10,000-character name", {"name": "A" * 10_000}, 422, "name"),
    ("name of wrong type", {"name": 42}, 422, "name"),
    ("missing name", {"type": "person"}, 422, "name"),
    ("unknown type", {"name": "X", "type": "alien"}, 422, "type"),
    ("bad date", {"name": "X", "date_of_birth": "1962-13-45"}, 422, "date_of_birth"),
    ("bad date format", {"name": "X", "date_of_birth": "23/11/1962"}, 422, "date_of_birth"),
    ("unknown country", {"name": "X", "country": "Atlantis"}, 422, "country"),
    ("unknown source", {"name": "X", "sources": ["nope"]}, 422, "sources"),
    ("empty sources", {"name": "X", "sources": []}, 422, "sources"),
    ("source not loaded", {"name": "X", "sources": ["eu_fsf"]}, 422, "eu_fsf"),
    ("threshold out of range", {"name": "X", "threshold": 1.5}, 422, "threshold"),
    ("limit of wrong type", {"name": "X", "limit": "many"}, 422, "limit"),
    ("unexpected field", {"name": "X", "colour": "red"}, 422, "colour"),
    ("not an object", ["X"], 422, "body"),
]


# Screening against nothing is refused with its own code, never answered `clear`.
SOURCE_CODES = {
    "unknown source": "unknown_source",
    "empty sources": "unknown_source",
    "source not loaded": "list_unavailable",
}


@pytest.mark.parametrize(("case", "body", "status", "field"), BAD_REQUESTS, ids=[row[0] for row in BAD_REQUESTS])
def test_bad_input_names_the_field(client: TestClient, case: str, body: Any, status: int, field: str) -> None:
    response = client.post("/v1/screen", json=body)
    assert response.status_code == status, case
    error = response.json()
    assert error["code"] == SOURCE_CODES.get(case, "invalid_input")
    assert field in error["detail"]


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post("/v1/screen", content=b'{"name": "Maduro"', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"detail": "the request body is not valid JSON", "code": "malformed_json"}


def test_service_keeps_serving_after_bad_input(client: TestClient) -> None:
    client.post("/v1/screen", json={"name": "A" * 10_000})
    assert client.post("/v1/screen", json={"name": "MADURO MOROS, Nicolas"}).json()["decision"] != "clear"


def test_lists_report_the_loaded_version(client: TestClient) -> None:
    response = client.get("/v1/lists")
    assert response.status_code == 200
    by_source = {item["source"]: item for item in response.json()}
    sdn = by_source["us_ofac_sdn"]
    assert sdn["record_count"] == 14965
    assert sdn["status"] == "ok"
    assert sdn["version"] is not None and sdn["age_seconds"] >= 0
    assert by_source["eu_fsf"]["status"] == "missing"
    assert set(sdn) >= {"name", "publisher", "kind", "fetched_at", "published_at", "last_error"}


def test_entity_lookup(client: TestClient) -> None:
    response = client.get("/v1/entities/us_ofac_sdn/22790")
    assert response.status_code == 200
    entity = response.json()
    assert entity["name"] == "MADURO MOROS, Nicolas"
    assert entity["birth_dates"] == [{"value": "1962-11-23", "precision": "day"}]
    assert entity["identifiers"][0]["value"] == "5892464"


@pytest.mark.parametrize(
    ("path", "code"),
    [("/v1/entities/us_ofac_sdn/999999999", "not_found"), ("/v1/entities/nope/1", "unknown_source")],
)
def test_entity_not_found(client: TestClient, path: str, code: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == code


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


def test_openapi_documents_response_models(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    screen = schema["paths"]["/v1/screen"]["post"]
    assert screen["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("ScreenResponse")
    assert "422" in screen["responses"]
    assert {"MatchOut", "ListVersionRef", "PartyIn"} <= set(schema["components"]["schemas"])


def test_openapi_declares_the_key_schemes_clean_operation_ids_and_one_error_model(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <key>`"}
    assert (schemes["apiKey"]["in"], schemes["apiKey"]["name"]) == ("header", "X-API-Key")
    operations = [(path, operation) for path, item in schema["paths"].items() for operation in item.values()]
    ids = [operation["operationId"] for _, operation in operations]
    assert len(ids) == len(set(ids)) and all(
        identifier.isidentifier() and "_v1_" not in identifier for identifier in ids
    )
    assert {"screen", "screen_batch", "screen_order", "list_screenings", "get_screening"} <= set(ids)
    for path, operation in operations:
        if not path.startswith("/v1/"):
            continue  # the probes: no key, and /readyz answers 503 with its checks
        assert operation["security"] == [{"bearer": []}, {"apiKey": []}], path
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut"), (path, status)
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_readiness_fails_without_index(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"required_sources": ["us_ofac_sdn"]}))) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["list:us_ofac_sdn"] == "missing"
        screen = client.post("/v1/screen", json={"name": "Anyone"})
        assert screen.status_code == 503
        assert screen.json()["code"] == "list_unavailable"
