"""Screening ERP exports: formats, column names, local values, and every kind of malformed file.

The file-level tables run in-process against one tiny store (the four-entry OFAC fixture, built once
for the module); the console script is run once end to end on a German customer master.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.config import Settings
from service.db import make_engine, upgrade
from service.errors import InvalidInput
from service.matching import build_index
from service.metrics import Metrics
from service.screening.file_fields import map_columns, parse_erp_date
from service.screening.file_progress import ProgressLines
from service.screening.filescreen import drafts, inspect_file, screen_file
from service.screening.index_state import IndexHolder
from service.screening.pipeline import ScreeningContext, local_context
from service.sources.catalogue import load_catalogue
from tests.conftest import fresh_database
from tests.factories import BASE_ROWS, ingest_rows

METRICS = Metrics(multiprocess=False)  # the counters these calls update, apart from the process's registry

HEADER = "reference,name,country\n"


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScreeningContext]:
    directory = tmp_path_factory.mktemp("store")
    with fresh_database(directory) as url:
        settings = Settings(data_dir=directory, database_url=url)
        engine = make_engine(settings.effective_database_url)
        upgrade(engine)
        catalogue = load_catalogue(settings.lists_dir)
        sdn = catalogue.get("us_ofac_sdn")
        ingest_rows(engine, sdn, BASE_ROWS)
        holder = IndexHolder(engine, build_index)
        holder.refresh()
        yield local_context(engine, settings, holder.snapshot, "test", METRICS)
        engine.dispose()


def _file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _read_output(path: Path, delimiter: str = ",") -> list[dict[str, object]]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


# (file name, bytes, encoding and delimiter found, the first row's name)
FORMATS = [
    ("cp1252.csv", "Name1;Land\nJosé Núñez;España\n".encode("cp1252"), "cp1252", ";", "José Núñez"),
    ("bom.csv", b"\xef\xbb\xbfname,country\nAnna,DE\n", "utf-8-sig", ",", "Anna"),
    ("utf16.csv", "name\tcountry\nJürgen\tDE\n".encode("utf-16"), "utf-16", "\t", "Jürgen"),
    (
        "utf16le.csv",
        "name|country\nJürgen Weiß|DE\nAnna Berg|AT\n".encode("utf-16-le"),
        "utf_16_le",
        "|",
        "Jürgen Weiß",
    ),
    ("utf8.csv", "name;country\nJürgen Weiß;DE\n".encode(), "utf-8", ";", "Jürgen Weiß"),
    ("one_column.csv", b"name\nAnna Berg\n", "utf-8", ",", "Anna Berg"),
    ("quoted.csv", b'ref,name\n1,"Weber; Anna"\n2,"B; C"\n', "utf-8", ",", "Weber; Anna"),
    ("parties.jsonl", '{"name": "Jürgen"}\n'.encode("utf-16"), "utf-16", ",", "Jürgen"),
]


@pytest.mark.parametrize(("name", "content", "encoding", "delimiter", "first"), FORMATS)
def test_encoding_and_delimiter_are_detected(
    tmp_path: Path, name: str, content: bytes, encoding: str, delimiter: str, first: str
) -> None:
    settings = Settings(data_dir=tmp_path)
    plan = inspect_file(_file(tmp_path, name, content), settings=settings)
    assert (plan.format.encoding, plan.format.delimiter, plan.row_errors) == (encoding, delimiter, 0)
    draft = next(drafts(plan, settings))[1]
    assert draft.party is not None and draft.party["name"] == first


# (header, overrides, expected mapping)
COLUMNS = [
    (["Kundennummer", "Name1", "Land", "Geburtsdatum"], [], {"reference": "Kundennummer", "name": "Name1",
                                                          "country": "Land", "date_of_birth": "Geburtsdatum"}),
    (["Numéro client", "Raison sociale", "Pays"], [], {"reference": "Numéro client", "name": "Raison sociale",
                                                      "country": "Pays"}),
    (["ID Cliente", "Nombre", "País", "Fecha de nacimiento"], [],
     {"reference": "ID Cliente", "name": "Nombre", "country": "País", "date_of_birth": "Fecha de nacimiento"}),
    (["Customer Name", "Country Code", "Date of Birth"], [], {"name": "Customer Name", "country": "Country Code",
                                                             "date_of_birth": "Date of Birth"}),
    (["name", "Kundenname"], [], {"name": "name"}),  # the service's own column name wins
    (["Debitor", "Bezeichnung", "Staat"], ["name=Bezeichnung"], {"reference": "Debitor", "name": "Bezeichnung",
                                                                 "country": "Staat"}),
]  # fmt: skip


@pytest.mark.parametrize(("header", "overrides", "expected"), COLUMNS)
def test_columns_are_mapped(header: list[str], overrides: list[str], expected: dict[str, str]) -> None:
    assert map_columns(header, overrides) == expected


# (text, date or the start of the reason it is not one)
DATES = [
    ("23.11.1962", "1962-11-23"),
    ("1.2.1970", "1970-02-01"),
    ("23/11/1962", "1962-11-23"),
    ("11/23/1962", "1962-11-23"),
    ("05/05/1962", "1962-05-05"),
    ("1962-11-23", "1962-11-23"),
    ("1962-11", "1962-11"),
    ("19621123", "1962-11-23"),
    ("1962", "1962"),
    ("1962-11-23 00:00:00", "1962-11-23"),
    ("03/04/1962", "could be day/month"),
    ("31.02.1980", "is not a calendar date"),
    ("1962-13", "has no month"),
    ("1700", "out of range"),
    ("unknown", "is not a date"),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_erp_dates(text: str, expected: str) -> None:
    try:
        assert parse_erp_date(text) == expected
    except ValueError as error:
        assert expected in str(error)


# Files that cannot be read as a whole: (file name, bytes, option overrides, message)
BROKEN_FILES = [
    ("open_quote.csv", (HEADER + 'C1,"Anna Weber,DE\nC2,Jan Novak,CZ\nC3,Maria Berg,SE\n').encode(), {},
     "line 2: a quote opened in this row is never closed"),
    ("late_close.csv", (HEADER + 'C1,"Anna\n' + "C,Jan,CZ\n" * 12 + 'x",DE\nC9,Eva,SE\n').encode(), {},
     "line 2: a quoted value runs over 14 lines, to line 15"),
    ("break.csv", (HEADER + 'C1,"Anna\nWeber"x,DE\n').encode(), {}, "line 2: a quoted value runs to line 3"),
    ("empty.csv", b"", {}, "the file is empty"),
    ("blank.csv", b"\n\n", {}, "the file is empty"),
    ("no_name.csv", b"reference,country\nC1,DE\n", {}, "no name column in the header (found: reference, country)"),
    ("semicolon.csv", b"reference;name\nC1;Anna\n", {"delimiter": ","}, "pass --delimiter"),
    ("two_names.csv", b"Name1,Kundenname\nA,B\n", {}, "could each be the name; choose one with --column name="),
    ("bad_column.csv", b"name\nA\n", {"columns": ["nam=name"]}, "FIELD one of reference, name"),
    ("missing_column.csv", b"name\nA\n", {"columns": ["name=Kundenname"]}, "the file has no column 'Kundenname'"),
    ("encoding.csv", b"name\nA\n", {"encoding": "klingon"}, "--encoding: unknown encoding 'klingon'"),
    ("delimiter.csv", b"name\nA\n", {"delimiter": ";;"}, "--delimiter: ';;' is not one character"),
    ("workbook.csv", b"PK\x03\x04\x14\x00\x06\x00", {}, "a workbook or archive, not text"),
    ("binary.csv", bytes(range(256)) * 40, {}, "cannot tell the file's encoding"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "options", "message"), BROKEN_FILES)
def test_a_broken_file_is_refused_with_its_line(
    tmp_path: Path, name: str, content: bytes, options: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        inspect_file(_file(tmp_path, name, content), settings=Settings(data_dir=tmp_path), **options)  # type: ignore[arg-type]
    assert message in raised.value.detail


LONG = "A" * 200_000
# Rows that cannot be screened, each between two good rows: (file name, bytes, error of line 3)
BAD_ROWS = [
    ("bad_utf8.csv", HEADER.encode() + b"C1,Anna,DE\nC2,M\xfcller \xc3\xbc,DE\nC3,Jan,CZ\n",
     "column 'name': byte 0xfc is not valid in the file's encoding; pass --encoding"),
    ("long_field.csv", (HEADER + f"C1,Anna,DE\nC2,Jan,{LONG}\nC3,Eva,SE\n").encode(),
     "column 'country': 200000 characters; the limit is 10000"),
    ("long_name.csv", (HEADER + f"C1,Anna,DE\nC2,{'Ab ' * 101},DE\nC3,Eva,SE\n").encode(),
     "column 'name': 303 characters; the limit is 300"),
    ("extra_field.csv", (HEADER + "C1,Anna,DE\nC2,Weber, Anna,DE\nC3,Eva,SE\n").encode(),
     "4 fields where the header has 3; is a ',' inside a value not quoted?"),
    ("stray_quote.csv", (HEADER + 'C1,Anna,DE\nC2,"Weber" GmbH,DE\nC3,Eva,SE\n').encode(),
     "not valid CSV (',' expected after '\"')"),
    ("empty_name.csv", (HEADER + "C1,Anna,DE\nC2,,DE\nC3,Eva,SE\n").encode(), "name: String should have at least 1"),
    ("deep.jsonl", b'{"name": "Anna"}\n{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b'}\n{"name": "Eva"}\n',
     "JSON nested too deeply"),
    ("surrogate.jsonl", b'{"name": "Anna"}\n{"name": "Ann\\ud800a"}\n{"name": "Eva"}\n',
     "column 'name': a lone surrogate (U+D800) is not text"),
    ("object.jsonl", b'{"name": "Anna"}\n{"name": {"a": 1}}\n{"name": "Eva"}\n',
     "name: expected text, found an object"),
    ("array.jsonl", b'{"name": "Anna"}\n{"name": ["Nicolas Maduro Moros"]}\n{"name": "Eva"}\n',
     "name: expected text, found an array"),
    ("number.jsonl", b'{"name": "Anna"}\n{"name": 12345}\n{"name": "Eva"}\n', "name: expected text, found a number"),
    ("true.jsonl", b'{"name": "Anna"}\n{"name": true}\n{"name": "Eva"}\n', "name: expected text, found true/false"),
    ("missing.jsonl", b'{"name": "Anna"}\n{"ref": "x"}\n{"name": "Eva"}\n', "name: expected text, found nothing"),
    ("country.jsonl", b'{"name": "Anna"}\n{"name": "Jan", "country": ["DE"]}\n{"name": "Eva"}\n',
     "country: expected text, found an array"),
    ("not_json.jsonl", b'{"name": "Anna"}\n{"name": "Jan"\n{"name": "Eva"}\n', "not JSON (Expecting ',' delimiter"),
    ("list.jsonl", b'{"name": "Anna"}\n["Jan"]\n{"name": "Eva"}\n', "expected a JSON object, found an array"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "error"), BAD_ROWS)
def test_a_bad_row_is_reported_by_its_line_and_the_rest_is_screened(
    context: ScreeningContext, tmp_path: Path, name: str, content: bytes, error: str
) -> None:
    # JSON lines have no header: the bad row is on line 2, in a CSV file on line 3.
    line = 2 if name.endswith(".jsonl") else 3
    source = _file(tmp_path, name, content)
    output = tmp_path / f"out{source.suffix}"
    summary = screen_file(context, inspect_file(source, settings=context.settings), output, resume=False)
    rows = _read_output(output)
    assert (summary.rows, summary.errors, len(rows)) == (3, 1, 3)
    assert [row["decision"] for row in rows] == ["clear", "", "clear"]
    assert str(rows[1]["error"]).startswith(f"line {line}: ") and error in str(rows[1]["error"])


def test_a_bad_row_past_the_first_chunk_is_reported_by_its_line(context: ScreeningContext, tmp_path: Path) -> None:
    names = [f"Person {index}" for index in range(1, 601)]
    names[501] = ""  # data row 502, the second of the second chunk: line 503
    lines = [f"C{index},{name}" for index, name in enumerate(names, start=1)]
    source = _file(tmp_path, "many.csv", ("reference,name\n" + "\n".join(lines) + "\n").encode())
    output = tmp_path / "out.csv"
    screen_file(context, inspect_file(source, settings=context.settings), output, resume=False)
    errors = [row["error"] for row in _read_output(output) if row["error"]]
    assert errors == ["line 503: name: String should have at least 1 character"]


def test_unreadable_country_date_or_type_is_a_warning_and_the_row_is_screened(
    context: ScreeningContext, tmp_path: Path
) -> None:
    source = _file(
        tmp_path,
        "kunden.csv",
        (
            "Kundennummer;Name1;Typ;Land;Geburtsdatum\n"
            "1;Nicolas Maduro Moros;Person;Venezuela;23.11.1962\n"
            "2;Ivan Sergeyevich Petrov;natürliche Person;Atlantis;01.02.1970\n"
            "3;Nicolas Maduro Moros;Kunde;VE;31.02.1962\n"
        ).encode("cp1252"),
    )
    output = tmp_path / "out.csv"
    screen_file(context, inspect_file(source, settings=context.settings), output, resume=False)
    rows = _read_output(output, ";")
    assert [row["decision"] for row in rows] == ["block", "block", "block"]
    assert [row["warnings"] for row in rows] == [
        "",
        "country (column 'Land'): 'Atlantis' is not a country; screened without it",
        "type (column 'Typ'): 'Kunde' is not a party type; screened as any; date_of_birth (column 'Geburtsdatum'):"
        " '31.02.1962' is not a calendar date (day is out of range for month); screened without it",
    ]
    matches = json.loads(str(rows[0]["matches"]))
    assert matches[0]["programs"] == ["VENEZUELA"] and matches[0]["entity_id"] == "22790"
    assert {item["feature"] for item in matches[0]["explanation"]} >= {"birth_date"}


def test_progress_lines_every_n_rows_or_seconds() -> None:
    lines: list[str] = []
    now = [0.0]
    progress = ProgressLines(10, write=lines.append, every_rows=4, every_seconds=30, clock=lambda: now[0])
    now[0] = 2.0
    progress.advance(5)
    now[0] = 40.0
    progress.advance(1)  # 30 s since the last line
    progress.advance(4)
    progress.finish()
    assert lines == [
        "screened 4/10 rows (40%), 2 rows/s, about 3s left",
        "screened 6/10 rows (60%), 0 rows/s, about 27s left",
        "screened 10/10 rows (100%), 0 rows/s",
    ]


SCREENING = [sys.executable, "-m", "service.cli"]
# A German customer master as SAP exports it: semicolons, Windows-1252, CRLF, German header, country
# names and dates, and three malformed rows (an unquoted ';' in a name, a name of 400 characters, no name).
KUNDEN = [
    "Kundennummer;Name1;Land;Geburtsdatum;Ort",
    "1001;Nicolas Maduro Moros;Venezuela;23.11.1962;Caracas",
    "1002;Müller GmbH;Deutschland;;München",
    "1003;Jürgen Weiß;Österreich;01.02.1970;Wien",
    "1004;Weber; Anna;Deutschland;;Köln",
    "1005;Banco Nacional de Cuba;Kuba;;Havanna",
    "1006;" + "X" * 400 + ";Frankreich;;Paris",
    "1007;Zürcher Handels AG;Schweiz;;Zürich",
    "1008;;Deutschland;;Berlin",
    "1009;José Núñez;España;1975;Madrid",
    "1010;Ivan Sergeyevich Petrov;Russland;01.02.1970;Moskau",
]


def test_a_german_customer_master_screens_every_row(tmp_path: Path, database_url: str) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    sdn = load_catalogue(settings.lists_dir).get("us_ofac_sdn")
    ingest_rows(engine, sdn, BASE_ROWS)
    engine.dispose()
    env = {**os.environ, "SCREENING_DATA_DIR": str(tmp_path), "SCREENING_DATABASE_URL": database_url}
    source = _file(tmp_path, "kunden.csv", ("\r\n".join(KUNDEN) + "\r\n").encode("cp1252"))
    result = subprocess.run(
        [*SCREENING, "screen-file", str(source), "--progress-every", "4"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "screened 10 rows (clear 4, review 0, block 3, errors 3" in result.stdout
    assert "encoding cp1252, delimiter ';'" in result.stderr
    # Every 4 rows; a slow machine may add a line for the 10 seconds.
    progress = {line.split()[1] for line in result.stderr.splitlines() if line.startswith("screened ")}
    assert progress >= {"4/10", "8/10", "10/10"}
    rows = _read_output(tmp_path / "kunden.screened.csv", ";")
    assert [row["Kundennummer"] for row in rows] == [f"10{n:02d}" for n in range(1, 11)]
    assert {row["Kundennummer"]: str(row["error"]).split(":")[0] for row in rows if row["error"]} == {
        "1004": "line 5",
        "1006": "line 7",
        "1008": "line 9",
    }
    assert all(row["decision"] or row["error"] for row in rows) and not any(row["warnings"] for row in rows)
    blocked = {row["Kundennummer"]: row["best_match_entity_id"] for row in rows if row["decision"] == "block"}
    assert blocked == {"1001": "22790", "1005": "306", "1010": "12345"}
    assert "Traceback" not in result.stderr


def test_the_console_script_refuses_a_broken_file_before_the_index(tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, "SCREENING_DATA_DIR": str(tmp_path), "SCREENING_DATABASE_URL": database_url}
    source = _file(tmp_path, "kunden.csv", (HEADER + 'C1,"Anna Weber,DE\nC2,Jan Novak,CZ\n').encode())
    result = subprocess.run(
        [*SCREENING, "screen-file", str(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    # No list is loaded: the file's error rather than "no list is loaded" shows the file was checked first.
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: kunden.csv line 2: a quote opened in this row is never closed; the rest of the file (to line 3)"
        " would be read as one value"
    ]
