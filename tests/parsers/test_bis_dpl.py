"""BIS Denied Persons List (dpl.txt) on the real file and on hand-made edge cases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Address, ParsedEntry, ParsedList
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.bis_dpl import COLUMNS, parse_bis_dpl
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

DPL = "bis_dpl/dpl.txt"
HEADER = "\t".join(f'"{column}"' for column in COLUMNS)


def _row(
    name: str,
    *,
    street: str = "1 MAIN ST",
    city: str = "EL PASO",
    state: str = "TX",
    country: str = "",
    effective: str = "08/24/2022",
    last_update: str = "2022-08-29",
) -> str:
    values = [name, street, city, state, country, "79905", effective, "01/14/2026", "Y", last_update, "ADDED", "F.R."]
    return "\t".join(f'"{value}"' for value in values)


def _file(*rows: str) -> SourceFile:
    return SourceFile("dpl.txt", ("\n".join([HEADER, *rows]) + "\n").encode())


@pytest.fixture(scope="module")
def dpl(lists_data_dir: Path) -> ParsedList:
    return parse_bis_dpl([read(lists_data_dir / DPL)])


@pytest.fixture(scope="module")
def by_name(dpl: ParsedList) -> dict[str, ParsedEntry]:
    return {entry.name: entry for entry in dpl.entries}


def test_registered_as_bis_dpl_txt() -> None:
    assert PARSERS["bis_dpl_txt"] is parse_bis_dpl


def test_real_file_counts(dpl: ParsedList) -> None:
    # 665 rows of 545 distinct parties (SOURCES.md counts 546 names: " I. ASH" with its leading space).
    assert dpl.stats["rows"] == 665
    assert len(dpl.entries) == 545
    assert len({entry.entity_id for entry in dpl.entries}) == 545
    assert all(entry.programs == ["DPL"] and entry.type == "unknown" for entry in dpl.entries)
    # The newest plausible Last_Update; "3033-09-30" and "1023-11-01" are typos and are ignored.
    assert dpl.published_at == datetime(2023, 11, 28, tzinfo=UTC)
    assert dpl.stats["ignored_dates"] == 3
    assert dpl.warnings == ["dpl.txt: 3 unreadable or implausible dates ignored"]


def test_one_party_on_several_rows_and_orders(by_name: dict[str, ParsedEntry]) -> None:
    ash = by_name["I. ASH"]  # written " I. ASH" in the file
    assert [address.text for address in ash.addresses] == [
        "UPON THE DATE OF THE ORDER INCARCERATED AT USM NO: 26265-177, FCI SEAGOVILLE, 2113 NORTH HIGHWAY 175,"
        " SEAGOVILLE, TX, 75159, US",
        "605 TRAIL LAKE DRIVE, RICHARDSON, TX, 75081, US",
        "908 AUDELIA ROAD, SUITE 200 #245, RICHARDSON, TX, 75081, US",
    ]
    assert ash.countries == ["US"]
    assert ash.listed_on == date(2002, 3, 4)  # the earliest of its orders
    assert (ash.remarks or "").count("Denied from") == 3


def test_company_with_addresses_in_three_countries(by_name: dict[str, ParsedEntry]) -> None:
    air_freight = by_name["AIR FREIGHT LTD"]
    assert air_freight.countries == ["IQ", "AE", "JO"]
    assert Address(text="P.O. BOX 911399, AMMAN, 11191, JO", country="JO") in air_freight.addresses
    assert len(air_freight.addresses) == 4
    assert air_freight.listed_on == date(2023, 10, 31)


def test_typo_date_does_not_break_the_entry(by_name: dict[str, ParsedEntry]) -> None:
    garcia = by_name["JOSE ERNESTO GARCIA"]  # Last_Update "3033-09-30"
    assert garcia.addresses == [Address(text="1502 HOLBROOK ROAD, #20, SAN ANTONIO, TX, 78218", country="US")]
    assert garcia.listed_on == date(2022, 9, 26)
    assert "until 2030-02-03" in (garcia.remarks or "")


def test_us_rows_without_country_get_us_from_the_state() -> None:
    [entry] = parse_bis_dpl([_file(_row("AARON VILLA"))]).entries
    assert entry.countries == ["US"]
    assert entry.addresses == [Address(text="1 MAIN ST, EL PASO, TX, 79905", country="US")]


def test_grouping_ignores_case_and_spacing_and_keeps_a_stable_id() -> None:
    parsed = parse_bis_dpl([_file(_row(" Jane  Roe"), _row("JANE ROE", city="DUBAI", state="", country="AE"))])
    [entry] = parsed.entries
    assert entry.name == "Jane Roe"
    assert entry.countries == ["US", "AE"]
    again = parse_bis_dpl([_file(_row("JANE ROE", street="2 OTHER RD"))]).entries[0]
    assert again.entity_id == entry.entity_id  # a new address does not change the id


@pytest.mark.parametrize(
    ("effective", "last_update"),
    [("13/45/2022", "2022-08-29"), ("08/24/2022", "3033-09-30"), ("08/24/2022", "2022-02-30"), ("", "")],
)
def test_invalid_dates_are_ignored(effective: str, last_update: str) -> None:
    parsed = parse_bis_dpl([_file(_row("X", effective=effective, last_update=last_update))])
    [entry] = parsed.entries
    assert entry.listed_on == (date(2022, 8, 24) if effective == "08/24/2022" else None)
    assert parsed.published_at == (datetime(2022, 8, 29, tzinfo=UTC) if last_update == "2022-08-29" else None)


def test_truncated_real_file_is_refused(lists_data_dir: Path) -> None:
    file = read(lists_data_dir / DPL)
    half = SourceFile(file.name, file.content[: len(file.content) // 2])
    with pytest.raises(ListFileError, match=r"dpl\.txt: line \d+.*corrupt or truncated"):
        parse_bis_dpl([half])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a Denied Persons List file"),
        (b"Name,Street\nA,B\n", "not a Denied Persons List file"),
        ((HEADER + '\n"A"\t"B"\n').encode(), "line 2 has 2 fields, expected 12"),
        ((HEADER + '\n"A\t"B"\n').encode(), "corrupt or truncated"),
        ((HEADER + "\n" + _row("")).encode(), "a row has no name"),
    ],
    ids=["empty", "other_csv", "short_row", "open_quote", "no_name"],
)
def test_invalid_files_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(ListFileError, match=rf"dpl\.txt: .*{message}"):
        parse_bis_dpl([SourceFile("dpl.txt", content)])
