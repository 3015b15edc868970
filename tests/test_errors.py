"""Every error class renders with its own status and code (read from the class, never a captured default)."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api_errors import install_error_handlers
from service.auth import Forbidden, Unauthorized
from service.errors import (
    Conflict,
    IngestError,
    IngestLocked,
    InvalidInput,
    InvalidSources,
    ListDownloadError,
    ListFileError,
    ListUnavailable,
    ListValidationError,
    NotFound,
    PayloadTooLarge,
    ScreeningError,
    SourcesNotLoaded,
    UnknownSource,
)
from service.metrics import Metrics
from service.observability import ObservabilityMiddleware
from service.orders.policy import PolicyError

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

MAPPING: list[tuple[type[ScreeningError], int, str]] = [
    (ScreeningError, 500, "internal_error"),
    (InvalidInput, 422, "invalid_input"),
    (InvalidSources, 422, "unknown_source"),
    (SourcesNotLoaded, 422, "list_unavailable"),
    (NotFound, 404, "not_found"),
    (UnknownSource, 404, "unknown_source"),
    (PayloadTooLarge, 413, "payload_too_large"),
    (Conflict, 409, "conflict"),
    (IngestLocked, 409, "ingest_locked"),
    (ListUnavailable, 503, "list_unavailable"),
    (IngestError, 422, "ingest_failed"),
    (ListFileError, 422, "invalid_list_file"),
    (ListDownloadError, 502, "download_failed"),
    (ListValidationError, 422, "validation_failed"),
    (Unauthorized, 401, "unauthorized"),
    (Forbidden, 403, "forbidden"),
    (PolicyError, 503, "policy_invalid"),
]


@pytest.mark.parametrize(("error", "status", "code"), MAPPING, ids=[row[0].__name__ for row in MAPPING])
def test_error_renders_its_status_and_code(error: type[ScreeningError], status: int, code: str) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise error("what went wrong")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == status
    assert response.json() == {"detail": "what went wrong", "code": code}


def test_unknown_route_and_method_use_the_same_shape() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/here")
    def here() -> dict[str, str]:
        return {}

    client = TestClient(app)
    assert client.get("/nowhere").json() == {"detail": "Not Found", "code": "not_found"}
    assert client.post("/here").json()["code"] == "method_not_allowed"


def test_an_unexpected_exception_is_a_json_500_with_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(ObservabilityMiddleware, metrics=Metrics())

    party = "Nicolas Maduro Moros"

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"screening {party} broke")

    with caplog.at_level(logging.ERROR):
        response = TestClient(app).get("/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == "req-42"
    assert response.json() == {
        "detail": "internal error; quote the request id to the operator",
        "code": "internal_error",
        "request_id": "req-42",
    }
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged and "req-42" in logged and "in boom" in logged  # the frames, for the operator
    assert "Maduro" not in logged  # the exception's message may hold personal data


def test_settings_never_print_secrets() -> None:
    from service.config import Settings

    settings = Settings(
        api_keys=["erp:screen:a-very-secret-key-1"], webhook_secret="hmac-secret", database_url="postgresql://u:pw@h/db"
    )
    printed = repr(settings) + str(settings)
    assert "a-very-secret-key-1" not in printed and "hmac-secret" not in printed and ":pw@" not in printed
