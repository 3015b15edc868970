"""The console script starts without the heavy stack, and `screening screen` uses a running service.

The start-up cost is asserted by what is imported (a subprocess's sys.modules after every help
screen), not by a stopwatch, so a loaded machine cannot fail it. The service is a real HTTP
server on 127.0.0.1 on its own store; the CLI runs as a user runs it, on another store.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from service.cli import LIST_FORMATS, app
from service.config import Settings
from service.db import make_engine
from service.screening.tables import ScreeningRecord
from service.sources.formats import known_formats
from tests.conftest import fresh_database
from tests.factories import BASE_ROWS
from tests.live_server import live_server, load_sdn_rows
from tests.test_cli import SCREENING, free_port

# What made `screening --help` take seconds: the web stack, the store, the matcher, the parsers.
# rich too: typer's rich help panels are off (they show every flag as `<bool>`).
HEAVY = (
    "uvicorn",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "jellyfish",
    "pypinyin",
    "openpyxl",
    "lxml",
    "httpx",
    "pydantic_settings",
    "rich",
    "service.matching",
    "service.sources",
    "service.screening",
    "service.auth",
    "service.db",
)

# Every help screen of the app, rendered in one fresh interpreter; then the modules it loaded.
HELP_SCREENS = """
import contextlib, io, json, sys
import typer
from service.cli import app

def paths(command, prefix):
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from paths(sub, [*prefix, name])

screens = {}
for path in paths(typer.main.get_command(app), []):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            app([*path, "--help"], prog_name="screening")
        except SystemExit as exit:
            code = exit.code
    screens[" ".join(path)] = [code, out.getvalue()]
print(json.dumps({"screens": screens, "modules": sorted(sys.modules)}))
"""

SERVER_KEY = "sk_cli_test_0123456789abcdef0123456789abcdef"
MADURO = "MADURO MOROS, Nicolas"


def test_no_help_screen_imports_the_heavy_stack() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", HELP_SCREENS], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(shown.stdout)
    screens = report["screens"]
    assert {"", "keys", "monitor", "db", "audit", "screen", "monitor import", "keys create"} <= set(screens)
    assert all(code == 0 and "Usage: screening" in text for code, text in screens.values()), screens
    loaded = [module for module in report["modules"] if any(module == h or module.startswith(h + ".") for h in HEAVY)]
    assert loaded == []


def test_help_shows_flags_as_flags_and_lists_the_formats() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["lists", "--help"], prog_name="screening")
    screen = runner.invoke(app, ["screen", "--help"], prog_name="screening")
    ingest = runner.invoke(app, ["ingest", "--help"], prog_name="screening")
    top = runner.invoke(app, ["--help"], prog_name="screening")
    for shown in (listed, screen, ingest, top):
        assert shown.exit_code == 0 and "<bool>" not in shown.output
    assert "--json " in listed.output and "--local " in screen.output and "--version " in top.output
    assert all(name in ingest.output for name in known_formats())


def test_the_formats_in_the_help_are_the_parsers() -> None:
    assert list(LIST_FORMATS) == known_formats()


def test_shell_completion() -> None:
    # As the shell runs it: `python -m service.cli` names itself `screening`, like the installed script.
    # Without the shell's name typer detects the shell from the parent processes, which a test run in the
    # background may not have; typer's own switch makes `--show-completion` take the name instead.
    named_shell = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    script = subprocess.run(
        [*SCREENING, "--show-completion", "bash"], capture_output=True, text=True, timeout=120, env=named_shell
    )
    assert script.returncode == 0, script.stderr
    assert "_SCREENING_COMPLETE=complete_bash" in script.stdout
    assert "complete -o default -F _screening_completion screening" in script.stdout

    def complete(words: str) -> list[str]:
        env = {"_SCREENING_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        return CliRunner().invoke(app, [], prog_name="screening", env=env).output.split()

    assert complete("screening scr") == ["screen", "screen-file"]
    assert complete("screening ingest --format ofac") == ["ofac_csv", "ofac_enhanced_xml", "ofac_xml"]
    assert complete("screening screen X --type v") == ["vessel"]


def _caller_of(url: str, screening_id: str) -> str | None:
    """Who the store's audit trail says asked for the screening; None when it holds no such screening."""
    engine = make_engine(url)
    with Session(engine) as session:
        record = session.get(ScreeningRecord, screening_id)
        caller = record.caller if record is not None else None
    engine.dispose()
    return caller


@pytest.fixture
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A running service with a key (`cli-test`), on a store of its own: (its URL, its store's URL)."""
    tmp_path = tmp_path_factory.mktemp("service")
    with fresh_database(tmp_path) as store:
        load_sdn_rows(store, BASE_ROWS)
        settings = Settings(data_dir=tmp_path, database_url=store, api_keys=[f"cli-test:screen:{SERVER_KEY}"])
        with live_server(settings) as address:
            yield address, store


@pytest.fixture
def cli(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """`screening` on a local store of its own (with the same list), given the service URL and key."""
    load_sdn_rows(database_url, BASE_ROWS)

    def _run(*args: str, url: str, key: str = "", check: int = 0) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "SCREENING_DATA_DIR": str(tmp_path),
            "SCREENING_DATABASE_URL": database_url,
            "SCREENING_SERVICE_URL": url,
            "SCREENING_API_KEY": key,
        }
        done = subprocess.run([*SCREENING, *args], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert done.returncode == check, done.stdout + done.stderr
        return done

    return _run


def test_screen_uses_the_running_service(service: tuple[str, str], cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    url, service_store = service
    answered = cli("screen", MADURO, "--json", "--verbose", url=url, key=SERVER_KEY)
    screening = json.loads(answered.stdout)
    assert screening["decision"] != "clear" and screening["matches"][0]["entity_id"] == "22790"
    assert f"screening by the service at {url}" in answered.stderr
    # The service screened it under the key's name; the local store never saw it.
    assert _caller_of(service_store, screening["screening_id"]) == "cli-test"
    assert _caller_of(database_url, screening["screening_id"]) is None

    shown = cli("screen", MADURO, url=url, key=SERVER_KEY)
    assert shown.stdout.startswith("decision: ") and "us_ofac_sdn/22790  MADURO MOROS, Nicolas" in shown.stdout
    assert shown.stderr == ""  # which path screened is said only with --verbose

    refused = cli("screen", MADURO, url=url, check=2).stderr
    assert "error: the service at" in refused and "SCREENING_API_KEY" in refused and "--local" in refused
    bad_date = cli("screen", "X", "--dob", "1990-02-30", url=url, key=SERVER_KEY, check=2).stderr
    assert bad_date.startswith("error: date_of_birth")

    forced = json.loads(cli("screen", MADURO, "--json", "--local", url=url, key=SERVER_KEY).stdout)
    assert forced["matches"][0]["entity_id"] == "22790"
    assert _caller_of(database_url, forced["screening_id"]).startswith("cli:")  # type: ignore[union-attr]
    assert _caller_of(service_store, forced["screening_id"]) is None


def test_screen_falls_back_to_this_process_when_no_service_answers(cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    nobody = f"http://127.0.0.1:{free_port()}"
    answered = cli("screen", MADURO, "--json", "--verbose", url=nobody)
    screening = json.loads(answered.stdout)
    assert screening["matches"][0]["entity_id"] == "22790"
    assert f"no service ready at {nobody}" in answered.stderr
    assert _caller_of(database_url, screening["screening_id"]).startswith("cli:")  # type: ignore[union-attr]
