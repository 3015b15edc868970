"""`screening monitor ...` commands, run through typer's runner with environment settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from service.config import Settings, get_settings
from service.monitoring.cli import monitor_app
from service.sources.catalogue import load_catalogue
from tests.factories import BASE_ROWS, OfacRow, ingest_rows

EXPORT = """reference,name,type,country,date_of_birth,segment
C-1,Nicolas Maduro Moros,person,VE,1962-11-23,retail
C-2,Olga Smirnova,person,RU,,retail
C-3,Hans Mueller GmbH,organization,Germany,,wholesale
C-4,Broken Date,person,,1990-02-30,retail
"""


@pytest.fixture
def cli(engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("SCREENING_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.effective_database_url)
    get_settings.cache_clear()
    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, source, BASE_ROWS)
    yield CliRunner()
    get_settings.cache_clear()


def test_import_list_rescreen_and_deliver(cli: CliRunner, engine: Engine, settings: Settings, tmp_path: Path) -> None:
    export = tmp_path / "customers.csv"
    export.write_text(EXPORT, encoding="utf-8")
    imported = cli.invoke(monitor_app, ["import", str(export)])
    assert imported.exit_code == 1  # one row was skipped
    assert "registered 3 parties" in imported.output and "line 5: date_of_birth" in imported.output

    listed = cli.invoke(monitor_app, ["list"])
    assert listed.exit_code == 0
    assert [line.split()[:2] for line in listed.output.splitlines()[:3]] == [
        ["C-1", "block"],
        ["C-2", "clear"],
        ["C-3", "clear"],
    ]

    source = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    new_rows = [*BASE_ROWS, OfacRow(77001, "SMIRNOVA, Olga", "individual", "RUSSIA-EO14024")]
    ingest_rows(engine, source, new_rows)
    rescreened = cli.invoke(monitor_app, ["rescreen", "us_ofac_sdn"])
    assert rescreened.exit_code == 0, rescreened.output
    assert "version 2: 3 parties re-screened" in rescreened.output and "new_match 1" in rescreened.output
    again = cli.invoke(monitor_app, ["rescreen", "us_ofac_sdn"])
    assert "re-screened already" in again.output
    wrong = cli.invoke(monitor_app, ["rescreen", "un_sc_sanctions", "--version", "2"])
    assert wrong.exit_code == 2

    delivered = cli.invoke(monitor_app, ["deliver"])
    assert delivered.exit_code == 0 and "sent 0" in delivered.output
