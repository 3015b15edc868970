"""compose.yaml, read as YAML (no Docker engine here): the API starts on PostgreSQL once it is healthy, with a
key the user must give, on the port the image serves, and can take its lists from a mounted mirror."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from tests.dockerfile import image_command, parse_dockerfile

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert set(compose["volumes"]) == {"db-data"}
    services: dict[str, Any] = compose["services"]
    return services


def test_the_api_starts_once_postgresql_is_healthy_and_uses_it(services: dict[str, Any]) -> None:
    api, db = services["api"], services["db"]
    url = make_url(api["environment"]["SCREENING_DATABASE_URL"])

    assert set(services) == {"api", "db"}
    assert api["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    assert api["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port) == ("db", 5432)
    assert (url.username, url.database) == (db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_DB"])
    assert url.password == db["environment"]["POSTGRES_PASSWORD"]  # the same ${POSTGRES_PASSWORD:-...}
    assert any(volume.startswith("db-data:") for volume in db["volumes"])


def test_the_key_is_required_and_the_lists_refresh_in_the_api(services: dict[str, Any]) -> None:
    env = services["api"]["environment"]

    # ${VAR:?message}: compose refuses to start without it, naming the variable.
    assert re.fullmatch(
        r"compose:admin:\$\{SCREENING_API_KEY:\?set SCREENING_API_KEY [^}]+\}", env["SCREENING_API_KEYS"]
    )
    assert env["SCREENING_SCHEDULER_ENABLED"] == "true"
    assert "SCREENING_ALLOW_OPEN" not in env


def test_the_port_published_is_the_one_the_image_serves(services: dict[str, Any]) -> None:
    command = image_command(parse_dockerfile())
    [published] = services["api"]["ports"]

    host, _, container_port = published.rpartition(":")
    assert container_port == command[command.index("--port") + 1]
    assert host.startswith("127.0.0.1:")  # the host's loopback unless the user publishes wider on purpose


def test_a_mirror_folder_is_mounted_read_only_and_named_to_the_service(services: dict[str, Any]) -> None:
    api = services["api"]
    [mount] = api["volumes"]

    assert mount["type"] == "bind"
    assert mount["source"].startswith("${SCREENING_LISTS_MIRROR_DIR:-")
    assert (mount["target"], mount["read_only"]) == ("/mirror", True)
    # An explicit SCREENING_LISTS_MIRROR (an HTTP mirror) wins; else /mirror when a folder is given.
    assert api["environment"]["SCREENING_LISTS_MIRROR"] == (
        "${SCREENING_LISTS_MIRROR:-${SCREENING_LISTS_MIRROR_DIR:+" + mount["target"] + "}}"
    )
