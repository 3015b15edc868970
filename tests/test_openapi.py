"""The OpenAPI document an integrator reads: examples that are true, tags, operation ids, errors, and limits.

The document is walked as served at /openapi.json; examples are checked against their own schema
(jsonschema, with the document's `$ref`s) and against the pydantic model behind it.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Engine

from service.config import Settings
from service.main import create_app
from service.sources.catalogue import load_catalogue
from tests.factories import BASE_ROWS, ingest_rows

METHODS = {"get", "post", "put", "patch", "delete"}
# FastAPI's default ids end in the path and method: `screen_v1_screen_post`.
DEFAULT_ID = re.compile(r"_(get|post|put|patch|delete)$|_v1_")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # No lifespan (no `with`): the document is static, and the app opens no store for it.
    response = TestClient(create_app(Settings())).get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _validator(document: dict[str, Any], ref: str) -> jsonschema.protocols.Validator:
    # The whole document as the root, so the `#/components/...` references resolve.
    schema = {**document, "$ref": ref}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("service."):
            found[model.__name__] = model
    return found


def test_every_schema_has_examples_that_its_schema_and_model_accept(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    models = _models()
    without = sorted(name for name, schema in schemas.items() if not schema.get("examples"))
    assert without == []
    for name, schema in schemas.items():
        validator = _validator(document, f"#/components/schemas/{name}")
        for example in schema["examples"]:
            errors = [error.message for error in validator.iter_errors(example)]
            assert errors == [], f"{name}: {errors}"
            models[name].model_validate(example)  # validators too: countries, dates, references


def test_every_operation_is_tagged_and_named_by_its_route(document: dict[str, Any]) -> None:
    declared = {tag["name"]: tag.get("description", "") for tag in document["tags"]}
    assert all(declared.values()), "every tag has a description"
    operations = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    used: set[str] = set()
    ids: list[str] = []
    for method, path, operation in operations:
        assert len(operation.get("tags", [])) == 1, f"{method} {path}"
        assert operation["tags"][0] in declared, f"{method} {path}: undeclared tag {operation['tags']}"
        used.update(operation["tags"])
        ids.append(operation["operationId"])
        assert not DEFAULT_ID.search(operation["operationId"]), f"{method} {path}: {operation['operationId']}"
    assert len(ids) == len(set(ids))
    assert used == set(declared), "no declared tag without operations"
    assert {"screen", "screen_batch", "get_screening", "screen_order", "register_monitored"} <= set(ids)


def test_every_error_answer_is_the_error_model_with_an_example_of_it(document: dict[str, Any]) -> None:
    validator = _validator(document, "#/components/schemas/ErrorOut")
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if not status.startswith(("4", "5")) or path == "/readyz":  # /readyz answers 503 with its checks
                    continue
                content = response["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, f"{method} {path} {status}"
                assert list(validator.iter_errors(content["example"])) == [], f"{method} {path} {status}"
                assert set(content["example"]) >= {"detail", "code"}
                checked += 1
    assert checked > 50


def test_the_limits_served_are_the_limits_enforced(engine: Engine, settings: Settings) -> None:
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, BASE_ROWS)
    limited = settings.model_copy(update={"max_name_length": 40, "max_batch": 3})
    with TestClient(create_app(limited)) as client:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        name_limit = schemas["PartyIn"]["properties"]["name"]["maxLength"]
        batch_limit = schemas["BatchRequest"]["properties"]["parties"]["maxItems"]
        assert (name_limit, batch_limit) == (40, 3)
        assert schemas["MonitoredBatchIn"]["properties"]["parties"]["maxItems"] == 3

        assert client.post("/v1/screen", json={"name": "x" * name_limit}).status_code == 200
        refused = client.post("/v1/screen", json={"name": "x" * (name_limit + 1)})
        assert refused.status_code == 422
        assert refused.json()["detail"].startswith("name:")
        parties = [{"name": f"Party {number}"} for number in range(batch_limit + 1)]
        assert client.post("/v1/screen/batch", json={"parties": parties[:batch_limit]}).status_code == 200
        assert client.post("/v1/screen/batch", json={"parties": parties}).status_code == 413
        monitored = [{"reference": f"C-{n}", "name": f"Party {n}"} for n in range(batch_limit + 1)]
        assert client.post("/v1/monitored", json={"parties": monitored}).status_code == 413
        # Limits of the model itself are the server's too: one identifier over the maximum is refused.
        most = schemas["PartyIn"]["properties"]["identifiers"]["maxItems"]
        identifiers = [{"value": str(n)} for n in range(most + 1)]
        assert client.post("/v1/screen", json={"name": "Hans", "identifiers": identifiers}).status_code == 422
