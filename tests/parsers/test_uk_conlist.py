"""OFSI ConList: the 2020 CSV (Windows-1252) and the 2022-format XLSX, read in place, plus small CSVs."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from service.errors import ListFileError
from service.sources.model import Alias, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.uk_conlist import COLUMNS_2022, parse_uk_conlist
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

CSV_2020 = "uk_ofsi_conlist/ConList_2020-04-27.csv"
XLSX_2025 = "uk_ofsi_conlist/ConList_2025-04-10.xlsx"


@pytest.fixture(scope="module")
def conlist_2020(lists_data_dir: Path) -> dict[str, ParsedEntry]:
    parsed = parse_uk_conlist([read(lists_data_dir / CSV_2020)])
    return {entry.entity_id: entry for entry in parsed.entries}


@pytest.fixture(scope="module")
def conlist_2025(lists_data_dir: Path) -> ParsedList:
    return parse_uk_conlist([read(lists_data_dir / XLSX_2025)])


@pytest.fixture(scope="module")
def by_group_2025(conlist_2025: ParsedList) -> dict[str, ParsedEntry]:
    return {entry.entity_id: entry for entry in conlist_2025.entries}


def test_registered_under_the_catalogue_format() -> None:
    assert PARSERS["uk_conlist"] is parse_uk_conlist


@pytest.mark.parametrize(
    ("path", "groups", "rows", "published"),
    [
        (CSV_2020, 2114, 9492, datetime(2020, 4, 27, tzinfo=UTC)),
        (XLSX_2025, 4686, 18796, datetime(2025, 4, 10, tzinfo=UTC)),
    ],
)
def test_one_entry_per_group_id(lists_data_dir: Path, path: str, groups: int, rows: int, published: datetime) -> None:
    parsed = parse_uk_conlist([read(lists_data_dir / path)])

    assert len(parsed.entries) == groups
    assert len({entry.entity_id for entry in parsed.entries}) == groups
    assert parsed.stats["rows"] == rows
    assert parsed.published_at == published
    assert all(entry.name for entry in parsed.entries)


def test_2020_csv_entry_with_aliases_year_only_dates_and_passport(conlist_2020: dict[str, ParsedEntry]) -> None:
    entry = conlist_2020["13349"]

    assert entry.type == "person"
    assert entry.name == "Nayef Salam Muhammad Ujaym AL-HABABI"
    assert Alias(name="Sheikh Farooq AL-QAHTANI") in entry.aliases
    assert entry.birth_dates == [BirthDate("1980", "year"), BirthDate("1981", "year")]
    assert entry.countries[:2] == ["SA", "QA"]  # "1) Saudi Arabia 2) Qatar"
    assert Identifier(type="Passport", value="592667") in entry.identifiers
    assert entry.programs == ["The ISIL (Da'esh) and Al-Qaida organisations"]
    assert entry.listed_on == date(2016, 4, 1)


def test_2020_csv_is_decoded_as_windows_1252(conlist_2020: dict[str, ParsedEntry]) -> None:
    remarks = conlist_2020["13222"].remarks or ""

    assert "so-called \u20192nd Army Corps\u2019 of the \u2018Lugansk People\u00b4s Republic\u2019" in remarks


def test_2020_csv_vessel_keeps_its_imo_number(conlist_2020: dict[str, ParsedEntry]) -> None:
    assert Identifier(type="IMO", value="8937675") in conlist_2020["13556"].identifiers


def test_2020_csv_has_the_iran_human_rights_regime(conlist_2020: dict[str, ParsedEntry]) -> None:
    assert sum("Iran (human rights)" in entry.programs for entry in conlist_2020.values()) == 83


def test_xlsx_cyrillic_name_becomes_an_original_script_alias(by_group_2025: dict[str, ParsedEntry]) -> None:
    entry = by_group_2025["15890"]

    assert entry.name == "Andrey Andreevich ZADACHIN"
    assert Alias(name="ЗАДАЧИН Андрей Андреевич", script="Cyrl", kind="original") in entry.aliases
    assert Alias(name="Andrei Andreevich ZADACHIN") in entry.aliases
    assert entry.birth_dates == [BirthDate("1990-08-22", "day")]
    assert entry.countries == ["RU"]
    assert Identifier(type="UK Sanctions List Ref", value="RUS1831", country="GB") in entry.identifiers
    assert entry.programs == ["Russia"]


def test_xlsx_global_human_rights_entry(conlist_2025: ParsedList, by_group_2025: dict[str, ParsedEntry]) -> None:
    entry = by_group_2025["15672"]

    assert entry.name == "Mian Abdul HAQ"
    assert entry.programs == ["Global Human Rights"]
    assert [alias.name for alias in entry.aliases] == ["Mian MITHOO", "Mian MITHU", "Mian MITTO", "Mian MITTU"]
    assert entry.addresses[0].text == "Hafizabad Taluka Daharki, District Ghotki, Pakistan"
    assert entry.addresses[0].country == "PK"
    assert entry.listed_on == date(2022, 12, 9)
    assert sum("Global Human Rights" in e.programs for e in conlist_2025.entries) == 143


def test_xlsx_low_quality_aliases_are_weak_and_00_days_give_month_precision(
    by_group_2025: dict[str, ParsedEntry],
) -> None:
    entry = by_group_2025["12629"]

    assert Alias(name="ABU-SHAIMA", strength="weak") in entry.aliases
    assert Alias(name="Hassan GHUL", strength="strong") in entry.aliases
    assert entry.birth_dates == [
        BirthDate("1977-08", "month"),
        BirthDate("1977-09", "month"),
        BirthDate("1976", "year"),
    ]


def test_xlsx_ship_and_former_names(by_group_2025: dict[str, ParsedEntry]) -> None:
    ship = by_group_2025["13651"]
    assert ship.type == "vessel"
    assert ship.name == "SAM JONG 2"
    assert Identifier(type="IMO", value="7408873") in ship.identifiers
    assert Alias(name="AKTIVA") in ship.aliases

    assert Alias(name="NALU", kind="fka") in by_group_2025["13189"].aliases


def test_xlsx_numbered_passports_pair_with_their_details(by_group_2025: dict[str, ParsedEntry]) -> None:
    identifiers = by_group_2025["13130"].identifiers

    assert Identifier(type="Passport", value="G557170", country="TN") in identifiers
    assert Identifier(type="National ID", value="05054425", country="TN") in identifiers


def _csv_2022(rows: list[dict[str, str]], header: tuple[str, ...] = COLUMNS_2022) -> bytes:
    lines = ["Last Updated,01/02/2024", ",".join(header)]
    lines += [",".join(f'"{row.get(column, "")}"' for column in header) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_2022_format_as_utf8_csv() -> None:
    base = {"Group Type": "Individual", "Regime": "Russia", "Listed On": "15/03/2022", "Group ID": "99"}
    content = _csv_2022(
        [
            {**base, "Name 1": "Ivan", "Name 6": "PETROV", "Alias Type": "Primary name", "DOB": "00/00/1970"},
            {**base, "Name 1": "Ivan", "Name 6": "PETROFF", "Alias Type": "AKA", "Alias Quality": "Low quality"},
            {**base, "Name 6": "x", "Alias Type": "AKA", "Name Non-Latin Script": "Иван ПЕТРОВ", "Country": "Russia"},
        ]
    )

    parsed = parse_uk_conlist([SourceFile("ConList.csv", content)])

    (entry,) = parsed.entries
    assert parsed.published_at == datetime(2024, 2, 1, tzinfo=UTC)
    assert entry.name == "Ivan PETROV"
    assert Alias(name="Ivan PETROFF", strength="weak") in entry.aliases
    assert Alias(name="Иван ПЕТРОВ", script="Cyrl", kind="original") in entry.aliases
    assert entry.birth_dates == [BirthDate("1970", "year")]


def test_missing_column_is_named() -> None:
    header = tuple(column for column in COLUMNS_2022 if column != "Group ID")

    with pytest.raises(ListFileError, match="'Group ID'"):
        parse_uk_conlist([SourceFile("ConList.csv", _csv_2022([], header=header))])


def test_missing_column_in_xlsx_is_named() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Last Updated", "01/02/2024"])
    sheet.append([column for column in COLUMNS_2022 if column != "Regime"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(ListFileError, match="'Regime'"):
        parse_uk_conlist([SourceFile("ConList.xlsx", buffer.getvalue())])


@pytest.mark.parametrize("path", [CSV_2020, XLSX_2025])
def test_truncated_file_is_refused(lists_data_dir: Path, path: str) -> None:
    content = (lists_data_dir / path).read_bytes()
    name = Path(path).name

    with pytest.raises(ListFileError, match=name):
        parse_uk_conlist([SourceFile(name, content[: len(content) // 2])])


def test_short_row_is_refused_even_when_the_file_ends_with_a_line_break(lists_data_dir: Path) -> None:
    lines = (lists_data_dir / CSV_2020).read_bytes().split(b"\r\n")
    content = b"\r\n".join([*lines[:5], lines[5][:40]]) + b"\r\n"

    with pytest.raises(ListFileError, match=r"ConList.csv: line 6 has \d+ fields, expected 29"):
        parse_uk_conlist([SourceFile("ConList.csv", content)])
