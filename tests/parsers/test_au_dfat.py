"""Australia DFAT consolidated list (regulation8_consolidated.xlsx), read in place, plus small workbooks."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from service.errors import ListFileError
from service.sources.model import Alias, BirthDate, ParsedEntry, ParsedList
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.au_dfat import COLUMNS, parse_au_dfat_xlsx
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

DFAT_XLSX = "australia_dfat/regulation8_consolidated.xlsx"
HUMAN_RIGHTS = "Autonomous (Thematic - Human Rights)"


@pytest.fixture(scope="module")
def dfat(lists_data_dir: Path) -> ParsedList:
    return parse_au_dfat_xlsx([read(lists_data_dir / DFAT_XLSX)])


@pytest.fixture(scope="module")
def by_reference(dfat: ParsedList) -> dict[str, ParsedEntry]:
    return {entry.entity_id: entry for entry in dfat.entries}


def _workbook(rows: list[list[object]], header: tuple[str, ...] = COLUMNS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_registered_under_the_catalogue_format() -> None:
    assert PARSERS["au_dfat_xlsx"] is parse_au_dfat_xlsx


def test_one_entry_per_base_reference(dfat: ParsedList) -> None:
    types = [entry.type for entry in dfat.entries]

    assert dfat.stats == {"rows": 9553, "skipped_without_name": 0}
    assert len(dfat.entries) == 3062
    assert len({entry.entity_id for entry in dfat.entries}) == 3062
    assert (types.count("person"), types.count("organization")) == (2316, 746)


def test_primary_name_aliases_original_script_and_year_ranges(by_reference: dict[str, ParsedEntry]) -> None:
    entry = by_reference["2"]  # rows "2" and "2a"

    assert entry.name == "MOHAMMAD HASSAN AKHUND"
    assert entry.aliases == [Alias(name="محمد حسن أخوند", script="Arab", kind="original")]
    # "a) Approximately 1955- 1958 b) Approximately 1945-1950"
    assert [birth_date.value for birth_date in entry.birth_dates] == [
        *map(str, range(1955, 1959)),
        *map(str, range(1945, 1951)),
    ]
    assert entry.countries == ["AF"]
    assert entry.programs == ["1988 (Taliban)"]
    assert entry.listed_on == date(2014, 12, 15)


def test_lowercase_aka_rows_become_aliases(by_reference: dict[str, ParsedEntry]) -> None:
    entry = by_reference["3"]

    assert entry.name == "Abdul Kabir Mohammad Jan"
    assert Alias(name="A. Kabir") in entry.aliases
    assert entry.birth_dates == [BirthDate("1963", "year")]  # "Approximately 1963"


def test_human_rights_committee_entry(dfat: ParsedList, by_reference: dict[str, ParsedEntry]) -> None:
    entry = by_reference["6830"]

    assert entry.type == "person"
    assert entry.name == "Aleksey Vasilyevich ANICHIN"
    assert entry.aliases == [Alias(name="Alexei Vasilyevich ANICHIN")]
    assert entry.programs == [HUMAN_RIGHTS]
    assert entry.birth_dates == [BirthDate("1949-12-01", "day")]
    assert entry.countries == ["RU"]
    assert entry.listed_on == date(2022, 3, 30)
    assert sum(HUMAN_RIGHTS in e.programs for e in dfat.entries) == 103


def _row(reference: str, name: str, name_type: str, **fields: object) -> list[object]:
    values: dict[str, object] = {"Reference": reference, "Name of Individual or Entity": name, "Name Type": name_type}
    values |= {"Type": "Individual", "Committees": "Autonomous (Russia)", "Control Date": 44621}
    values |= {column.replace("_", " "): value for column, value in fields.items()}
    return [values.get(column) for column in COLUMNS]


def test_small_workbook_with_the_publishers_quirks() -> None:
    content = _workbook(
        [
            _row(
                "7",
                "Ivan PETROV",
                "Primary Name ",
                Type="Individual ",
                Date_of_Birth="a) 12 Jul. 1961 b) 1962",
                Citizenship="Russian and Ukrainian",
                Address="a) 1 Main St, Moscow, Russia b) NA",
            ),
            _row("7a", "Ivan PETROFF", "Aka ", Type="individual"),
            _row("7b", "Иван ПЕТРОВ", "original Script", Committees=HUMAN_RIGHTS),
        ]
    )

    (entry,) = parse_au_dfat_xlsx([SourceFile("regulation8_consolidated.xlsx", content)]).entries

    assert entry.entity_id == "7"
    assert entry.type == "person"
    assert entry.aliases == [Alias(name="Ivan PETROFF"), Alias(name="Иван ПЕТРОВ", script="Cyrl", kind="original")]
    assert entry.birth_dates == [BirthDate("1961-07-12", "day"), BirthDate("1962", "year")]
    assert entry.countries == ["RU", "UA"]
    assert [address.text for address in entry.addresses] == ["1 Main St, Moscow, Russia"]
    assert entry.programs == ["Autonomous (Russia)", HUMAN_RIGHTS]
    assert entry.listed_on == date(2022, 3, 1)  # Excel serial 44621


def test_missing_column_is_named() -> None:
    header = tuple(column for column in COLUMNS if column != "Committees")

    with pytest.raises(ListFileError, match="'Committees'"):
        parse_au_dfat_xlsx([SourceFile("regulation8_consolidated.xlsx", _workbook([], header=header))])


def test_row_without_a_reference_is_refused() -> None:
    content = _workbook([["", "Someone", "Individual", "Primary Name", *[None] * 8]])

    with pytest.raises(ListFileError, match="row 2 has no numeric Reference"):
        parse_au_dfat_xlsx([SourceFile("regulation8_consolidated.xlsx", content)])


def test_truncated_file_is_refused(lists_data_dir: Path) -> None:
    content = (lists_data_dir / DFAT_XLSX).read_bytes()

    with pytest.raises(ListFileError, match=r"regulation8_consolidated\.xlsx: not a readable zip archive"):
        parse_au_dfat_xlsx([SourceFile("regulation8_consolidated.xlsx", content[: len(content) // 2])])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda xml: xml[: len(xml) // 2], "the worksheet is damaged"),
        (lambda xml: xml.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet', 1), "not a readable XLSX"),
    ],
    ids=["cut-sheet-xml", "dtd-entity"],
)
def test_damaged_worksheet_inside_a_whole_zip_is_refused(damage: Callable[[bytes], bytes], message: str) -> None:
    source = zipfile.ZipFile(io.BytesIO(_workbook([_row("1", "Someone", "Primary Name")])))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            archive.writestr(name, damage(data) if name == "xl/worksheets/sheet1.xml" else data)

    with pytest.raises(ListFileError, match=message):
        parse_au_dfat_xlsx([SourceFile("regulation8_consolidated.xlsx", damaged.getvalue())])
