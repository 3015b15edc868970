"""A client generated from the served /openapi.json by openapi-python-client works against the real server.

The client is generated once for the module (a few seconds), into a temporary folder, and imported
from there. The server is a real HTTP server with one list loaded and an API key required; the
client sends the key through its own auth (`AuthenticatedClient`, `Authorization: Bearer`).
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.live_server import listed_service

KEY = "client-test-secret-key-0123456789"
PACKAGE = "screening_test_client"
GENERATOR = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent)) or "openapi-python-client"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with listed_service(tmp_path_factory.mktemp("client-server"), api_keys=[f"erp:admin:{KEY}"]) as address:
        yield address


@pytest.fixture(scope="module")
def client_package(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("generated")
    document = httpx.get(f"{base_url}/openapi.json", timeout=30)
    assert document.status_code == 200
    (folder / "openapi.json").write_bytes(document.content)
    # No post-hooks: formatting the generated code (ruff) is not what is tested, and costs seconds.
    config = {"post_hooks": [], "project_name_override": "client", "package_name_override": PACKAGE}
    (folder / "config.yaml").write_text(json.dumps(config))  # JSON is YAML
    generated = subprocess.run(
        [GENERATOR, "generate", "--path", "openapi.json", "--output-path", "client", "--config", "config.yaml"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # The generator reports what it could not turn into code as warnings; there must be none.
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    sys.path.insert(0, str(folder / "client"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder / "client"))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(package: ModuleType, name: str) -> ModuleType:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_screen_batch_and_audit_record_through_the_generated_client(base_url: str, client_package: ModuleType) -> None:
    models = _module(client_package, "models")
    screen = _module(client_package, "api.screening.screen")
    screen_batch = _module(client_package, "api.screening.screen_batch")
    get_screening = _module(client_package, "api.screening.get_screening")
    client = client_package.AuthenticatedClient(base_url=base_url, token=KEY, raise_on_unexpected_status=True)

    with client:
        screened = screen.sync(client=client, body=models.PartyIn(name="Nicolas Maduro Moros", country="VE"))
        assert isinstance(screened, models.ScreenResponse)
        assert screened.decision in {"block", "review"}
        assert screened.matches[0].entity_id == "22790"
        assert screened.matches[0].explanation

        batch = screen_batch.sync(
            client=client,
            body=models.BatchRequest(parties=[models.PartyIn(name="Banco Nacional de Cuba"), models.PartyIn(name=" ")]),
        )
        assert isinstance(batch, models.BatchResponse)
        assert isinstance(batch.results[0], models.ScreenResponse)
        assert isinstance(batch.results[1], models.BatchItemError)
        assert batch.results[1].index == 1
        assert batch.results[1].error.code == "invalid_input"

        record = get_screening.sync(client=client, screening_id=screened.screening_id)
        assert isinstance(record, models.ScreeningRecordOut)
        assert record.screening_id == screened.screening_id
        assert record.caller == "erp"
        assert record.request["name"] == "Nicolas Maduro Moros"


def test_declared_errors_arrive_as_the_error_model(base_url: str, client_package: ModuleType) -> None:
    models = _module(client_package, "models")
    screen = _module(client_package, "api.screening.screen")
    get_screening = _module(client_package, "api.screening.get_screening")

    with client_package.Client(base_url=base_url, raise_on_unexpected_status=True) as anonymous:
        refused = screen.sync_detailed(client=anonymous, body=models.PartyIn(name="Hans Müller"))
    assert refused.status_code == 401
    assert isinstance(refused.parsed, models.ErrorOut)
    assert refused.parsed.code == "unauthorized"

    with client_package.AuthenticatedClient(base_url=base_url, token=KEY, raise_on_unexpected_status=True) as client:
        invalid = screen.sync_detailed(client=client, body=models.PartyIn(name="x" * 301))
        missing = get_screening.sync_detailed(client=client, screening_id="no-such-screening")
    assert invalid.status_code == 422
    assert isinstance(invalid.parsed, models.ErrorOut)
    assert invalid.parsed.detail.startswith("name:")
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.ErrorOut)
    assert missing.parsed.code == "not_found"
