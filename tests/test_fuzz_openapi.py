"""Schemathesis over the whole OpenAPI document: no 500, and every answer documented (status and body).

Bounded and repeatable: a fixed number of examples per operation, generated deterministically. The
service runs as a real HTTP server on 127.0.0.1 with a list loaded and no key (the open development
mode, so every operation is reachable), on the store of the run: SQLite, or PostgreSQL when
SCREENING_TEST_DATABASE_URL says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from service.config import Settings
from service.main import create_app
from tests.live_server import listed_service

EXAMPLES_PER_OPERATION = 40
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

# The document is the app's own; building it needs no store (the app is not started here).
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with listed_service(tmp_path_factory.mktemp("fuzz"), index_poll_seconds=1.0) as address:
        yield address


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: schemathesis.Case, base_url: str) -> None:
    response = case.call(base_url=base_url)
    if _refused_by_the_http_parser(response.status_code, response.headers, response.text):
        # The fuzzer also sends requests no HTTP client would (a header "content-length: r"): uvicorn
        # refuses them before the application sees them, which is right and not the API's to document.
        return
    case.validate_response(response, checks=CHECKS)


def _refused_by_the_http_parser(status: int, headers: Mapping[str, list[str]], body: str) -> bool:
    content_type = next(
        (values[0] for name, values in headers.items() if name.lower() == "content-type" and values), ""
    )
    return status == 400 and content_type.startswith("text/plain") and body == UVICORN_BAD_REQUEST


UVICORN_BAD_REQUEST = "Invalid HTTP request received."
