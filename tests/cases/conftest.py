"""Fixtures of the case tests: a store with a tiny OFAC SDN list, keys of every scope, and a client.

`make_client` builds the app with the settings a test needs (four-eyes on or off); keys are checked
on every request (no cache), and the app's background rounds are left to their defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from service.auth import create_key
from service.config import Settings
from service.main import create_app
from service.sources.catalogue import load_catalogue
from tests.factories import BASE_ROWS, OfacRow, ingest_rows

MADURO = {"name": "Nicolas Maduro Moros", "reference": "CUST-1", "country": "VE"}
PETROV = {"name": "Ivan Sergeyevich Petrov", "reference": "CUST-2"}
NOBODY = {"name": "Hans Mueller Maschinenbau GmbH", "reference": "CUST-3", "country": "DE"}

MakeClient = Callable[..., AbstractContextManager[TestClient]]


def ingest(engine: Engine, settings: Settings, source: str, rows: list[OfacRow]) -> None:
    ingest_rows(engine, load_catalogue(settings.lists_dir).get(source), rows)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    return {
        "screen": create_key(engine, "erp", "screen"),
        "review": create_key(engine, "reviewer-1", "review"),
        "review2": create_key(engine, "reviewer-2", "review"),
        "admin": create_key(engine, "compliance", "admin"),
    }


@pytest.fixture
def make_client(engine: Engine, settings: Settings, keys: dict[str, str]) -> MakeClient:
    """Builds a client; the keys exist before the app starts, so the API is closed from the start."""
    ingest(engine, settings, "us_ofac_sdn", BASE_ROWS)

    @contextmanager
    def build(**overrides: Any) -> Iterator[TestClient]:
        app = create_app(settings.model_copy(update={"api_key_cache_seconds": 0, **overrides}))
        with TestClient(app) as client:
            yield client

    return build


@pytest.fixture
def client(make_client: MakeClient) -> Iterator[TestClient]:
    with make_client() as test_client:
        yield test_client


def screen(client: TestClient, keys: dict[str, str], party: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/screen", json=party, headers=auth(keys["screen"]))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def only_case(client: TestClient, keys: dict[str, str], **filters: str) -> dict[str, Any]:
    """The one case the filters select, in full."""
    listed = client.get("/v1/cases", params=filters, headers=auth(keys["review"]))
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert len(items) == 1, items
    detail = client.get(f"/v1/cases/{items[0]['id']}", headers=auth(keys["review"]))
    assert detail.status_code == 200
    body: dict[str, Any] = detail.json()
    return body


def decide(client: TestClient, key: str, case_id: str, **body: Any) -> Any:
    return client.post(f"/v1/cases/{case_id}/decisions", json=body, headers=auth(key))
