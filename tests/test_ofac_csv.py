"""The OFAC CSV set parser, on the real files and on hand-made edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Address, BirthDate, Identifier
from service.sources.parsers import SourceFile
from service.sources.parsers.ofac_csv import parse_ofac_csv
from service.sources.parsers.ofac_remarks import parse_ofac_date, parse_remarks
from tests.factories import BASE_ROWS, ofac_csv_set

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


def _read(directory: Path, *names: str) -> list[SourceFile]:
    return [SourceFile(name, (directory / name).read_bytes()) for name in names]


@pytest.fixture(scope="module")
def sdn(lists_data_dir: Path):  # type: ignore[no-untyped-def]
    directory = lists_data_dir / "ofac_sdn"
    parsed = parse_ofac_csv(_read(directory, "sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"))
    return parsed, {entry.entity_id: entry for entry in parsed.entries}


def test_real_sdn_counts_and_orphans(sdn) -> None:  # type: ignore[no-untyped-def]
    parsed, _ = sdn
    assert len(parsed.entries) == 14965
    types = {t: sum(1 for e in parsed.entries if e.type == t) for t in ("person", "organization", "vessel", "aircraft")}
    assert types == {"person": 6854, "organization": 6884, "vessel": 851, "aircraft": 376}
    # add/alt are 19 months newer than sdn.csv: their orphans are counted, not fatal (SOURCES.md figures).
    assert parsed.stats["orphan_alias_entities"] == 1567
    assert parsed.stats["orphan_address_entities"] == 4253


def test_real_sdn_known_entry_maduro(sdn) -> None:  # type: ignore[no-untyped-def]
    _, by_id = sdn
    maduro = by_id["22790"]
    assert maduro.name == "MADURO MOROS, Nicolas"
    assert maduro.type == "person"
    assert maduro.programs == ["VENEZUELA", "IRAN-CON-ARMS-EO"]
    assert maduro.birth_dates == [BirthDate("1962-11-23", "day")]
    assert maduro.countries == ["VE"]
    assert Identifier("Cedula No.", "5892464", "VE") in maduro.identifiers
    assert maduro.addresses == [Address("Caracas, Capital District, Venezuela", "VE")]


def test_real_sdn_aliases_addresses_and_remark_continuation(sdn) -> None:  # type: ignore[no-untyped-def]
    _, by_id = sdn
    bank = by_id["306"]
    assert "NATIONAL BANK OF CUBA" in [alias.name for alias in bank.aliases]
    assert "BNC" in [alias.name for alias in bank.aliases]  # only in the remarks' a.k.a.
    assert {address.country for address in bank.addresses} >= {"CH", "ES", "JP", "PA"}
    # Remarks cut at a fixed length continue in sdn_comments.csv, joined without a separator.
    sberbank = by_id["17018"]
    assert sberbank.remarks is not None
    assert "(EO 14024 Directive 2): 24 Feb 2022; Effective Date (EO 14024 Directive 2)" in sberbank.remarks
    assert Identifier("Tax ID No.", "7707083893", "RU") in sberbank.identifiers


def test_consistent_2021_set_has_no_orphans(lists_data_dir: Path) -> None:
    directory = lists_data_dir / "ofac_sdn" / "consistent_set_2021-07"
    parsed = parse_ofac_csv(_read(directory, "sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"))
    assert len(parsed.entries) == 8976
    assert parsed.stats["orphan_aliases"] == 0
    assert parsed.stats["orphan_addresses"] == 0


def test_consolidated_non_sdn_set(lists_data_dir: Path) -> None:
    directory = lists_data_dir / "ofac_consolidated_non_sdn"
    parsed = parse_ofac_csv(_read(directory, "cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"))
    assert len(parsed.entries) == 442


def test_truncated_real_file_is_rejected(lists_data_dir: Path) -> None:
    content = (lists_data_dir / "ofac_sdn" / "sdn.csv").read_bytes()
    with pytest.raises(ListFileError, match=r"sdn\.csv"):
        parse_ofac_csv([SourceFile("sdn.csv", content[: len(content) // 2])])


def test_file_cut_at_a_line_end_is_rejected() -> None:
    files = ofac_csv_set(BASE_ROWS, end_marker=False)
    with pytest.raises(ListFileError, match="0x1A"):
        parse_ofac_csv(files)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'1,"A",-0- ,"X"\r\n\x1a', "has 4 fields, expected 12"),
        (b'x,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a', "no numeric ent_num"),
        (b"\x1a", None),
    ],
)
def test_malformed_primary_rows(content: bytes, message: str | None) -> None:
    if message is None:
        assert parse_ofac_csv([SourceFile("sdn.csv", content)]).entries == []
    else:
        with pytest.raises(ListFileError, match=message):
            parse_ofac_csv([SourceFile("sdn.csv", content)])


def test_null_marker_and_types_from_factory() -> None:
    parsed = parse_ofac_csv(ofac_csv_set(BASE_ROWS))
    by_id = {entry.entity_id: entry for entry in parsed.entries}
    assert by_id["306"].type == "organization"
    assert by_id["306"].remarks is None
    assert by_id["9999"].type == "vessel"
    assert Identifier("Vessel Registration Identification IMO", "9187629", None) in by_id["9999"].identifiers


def test_missing_primary_file_is_named() -> None:
    with pytest.raises(ListFileError, match="primary file"):
        parse_ofac_csv([SourceFile("alt.csv", b"\x1a")])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23 Nov 1962", [BirthDate("1962-11-23", "day")]),
        ("Nov 1962", [BirthDate("1962-11", "month")]),
        ("1962", [BirthDate("1962", "year")]),
        ("circa 1962", [BirthDate("1962", "year")]),
        ("1960 to 1962", [BirthDate("1960", "year"), BirthDate("1961", "year"), BirthDate("1962", "year")]),
        ("01 Jan 1973 to 31 Dec 1973", [BirthDate("1973", "year")]),
        ("01 Mar 1966 to 31 Mar 1966.", [BirthDate("1966-03", "month")]),
        ("Mar 1960 to Feb 1961", [BirthDate("1960", "year"), BirthDate("1961", "year")]),
        ("01 Jan 1900 to 31 Dec 1990", []),
        ("01 Jan 1973 to sometime", []),
        ("sometime", []),
    ],
)
def test_ofac_dates(text: str, expected: list[BirthDate]) -> None:
    assert parse_ofac_date(text) == expected


def test_remarks_statements() -> None:
    facts = parse_remarks(
        "DOB 01 Feb 1970; alt. DOB 1971; nationality Russia; citizen Korea, North; "
        "Passport 1234567 (Russia) issued 01 Jan 2000; Linked To: SOMETHING 12; a.k.a. 'PETYA'."
    )
    assert facts.birth_dates == [BirthDate("1970-02-01", "day"), BirthDate("1971", "year")]
    assert facts.countries == ["RU", "KP"]
    assert facts.identifiers == [Identifier("Passport", "1234567", "RU")]
    assert [alias.name for alias in facts.aliases] == ["PETYA"]
