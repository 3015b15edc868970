"""No screening answers `clear` against nothing: a list the caller names, or the deployment requires, must be loaded."""

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

MADURO = {"name": "Nicolas Maduro Moros"}
ORDER_PARTY = {"role": "end_user", "name": "Nicolas Maduro Moros"}


def _client(engine: Engine, settings: Settings) -> TestClient:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, BASE_ROWS)
    return TestClient(create_app(settings))


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with _client(engine, settings) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("sources", "code", "named"),
    [([], "unknown_source", "empty"), (["eu_fsf"], "list_unavailable", "eu_fsf"), (["nope"], "unknown_source", "nope")],
)
def test_sources_naming_nothing_loaded_are_refused_in_single_batch_and_order(
    client: TestClient, sources: list[str], code: str, named: str
) -> None:
    single = client.post("/v1/screen", json={**MADURO, "sources": sources})
    assert single.status_code == 422 and single.json()["code"] == code and named in single.json()["detail"]
    batch = client.post("/v1/screen/batch", json={"parties": [{**MADURO, "sources": sources}, MADURO]})
    first, second = batch.json()["results"]
    assert first["error"]["code"] == code
    assert second["decision"] != "clear"
    order = client.post(
        "/v1/orders/screen",
        json={"reference": "SO-1", "destination_country": "DE", "parties": [{**ORDER_PARTY, "sources": sources}]},
    )
    assert order.status_code == 422 and order.json()["code"] == code and named in order.json()["detail"]


def test_a_loaded_source_still_screens(client: TestClient) -> None:
    response = client.post("/v1/screen", json={**MADURO, "sources": ["us_ofac_sdn"]})
    assert response.status_code == 200 and response.json()["decision"] != "clear"


REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("/v1/screen", MADURO),
    ("/v1/screen/batch", {"parties": [MADURO]}),
    ("/v1/orders/screen", {"reference": "SO-1", "destination_country": "DE", "parties": [ORDER_PARTY]}),
]


@pytest.mark.parametrize(("path", "body"), REQUESTS, ids=[path for path, _ in REQUESTS])
def test_a_required_list_that_is_missing_suspends_screening(
    engine: Engine, settings: Settings, path: str, body: dict[str, Any]
) -> None:
    required = settings.model_copy(update={"required_sources": ["us_ofac_sdn", "un_sc_sanctions"]})
    with _client(engine, required) as client:
        response = client.post(path, json=body)
        assert response.status_code == 503
        assert response.json()["code"] == "list_unavailable"
        assert "un_sc_sanctions (missing)" in response.json()["detail"]
        assert "us_ofac_sdn" not in response.json()["detail"]  # loaded and current
        assert client.get("/v1/screenings").json()["items"] == []  # nothing was screened, nothing recorded


def test_a_required_list_the_catalogue_does_not_know_stops_the_start(settings: Settings) -> None:
    """A typo in SCREENING_REQUIRED_SOURCES would hold every screening at 503: the service refuses to start."""
    typo = settings.model_copy(update={"required_sources": ["us_ofac_sdn", "us_ofac_sdnn"]})
    with pytest.raises(RuntimeError, match="unknown source id\\(s\\) us_ofac_sdnn"), TestClient(create_app(typo)):
        pass
