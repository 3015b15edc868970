"""The UN consolidated list XML parser, on the real 2026-02-27 file and on hand-made edge cases."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers import SourceFile
from service.sources.parsers.un_xml import parse_un_xml, un_country
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


@pytest.fixture(scope="module")
def un(lists_data_dir: Path) -> tuple[ParsedList, dict[str, ParsedEntry]]:
    parsed = parse_un_xml([read(lists_data_dir / "un_consolidated" / "consolidated.xml")])
    return parsed, {entry.entity_id: entry for entry in parsed.entries}


def test_real_counts_programs_and_date(un: tuple[ParsedList, dict[str, ParsedEntry]]) -> None:
    parsed, by_id = un
    assert len(parsed.entries) == len(by_id) == 1003
    assert parsed.stats == {"individuals": 730, "entities": 273}
    assert parsed.published_at == datetime(2026, 2, 27, 0, 0, 9, 554000, tzinfo=UTC)
    programs = Counter(program for entry in parsed.entries for program in entry.programs)
    assert programs["Al-Qaida"] == 341
    assert programs["DPRK"] == 155
    assert programs["SouthSudan"] == 8
    assert sum(programs.values()) == 1003


def test_real_individual_with_arabic_original_name(un: tuple[ParsedList, dict[str, ParsedEntry]]) -> None:
    _, by_id = un
    zidane = by_id["QDi.001"]
    assert zidane.type == "person"
    assert zidane.name == "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"
    assert zidane.aliases[0] == Alias("محمد صلاح الدين عبدالحليم زيدان", "strong", "Arab", "original")
    assert Alias("Sayf-Al Adl", "strong") in zidane.aliases
    assert Alias("Ibrahim al-Madani", "weak") in zidane.aliases  # QUALITY Low
    assert zidane.birth_dates == [BirthDate("1963-04-11", "day"), BirthDate("1960-04-11", "day")]
    assert zidane.countries == ["EG"]
    assert zidane.listed_on == date(2001, 1, 25)
    assert Identifier("UN DATAID", "113219") in zidane.identifiers


@pytest.mark.parametrize(
    ("reference", "script", "original"),
    [
        ("QDi.290", "Cyrl", "Умаров Доку Хаматович"),
        ("QDe.004", "Arab", "القاعدة"),
    ],
)
def test_real_original_script_names(
    un: tuple[ParsedList, dict[str, ParsedEntry]], reference: str, script: str, original: str
) -> None:
    _, by_id = un
    assert Alias(original, "strong", script, "original") in by_id[reference].aliases


def test_real_entity_documents_and_date_shapes(un: tuple[ParsedList, dict[str, ParsedEntry]]) -> None:
    _, by_id = un
    assert by_id["QDe.004"].type == "organization"
    assert by_id["QDe.004"].name == "AL-QAIDA"
    assert Alias("朝鲜联合机械贸易会社", "strong", "Hani") in by_id["KPe.016"].aliases
    ngabu = by_id["CDi.021"]
    assert Identifier("Passport", "OB 0243318", "CD") in ngabu.identifiers
    assert by_id["CDi.001"].addresses == [Address("Rwanda", "RW")]
    assert by_id["CDi.001"].countries == ["CD", "RW"]
    # BETWEEN 1977 AND 1982 -> one year-precision date per year; "Nov. 1973" in a NOTE -> month precision.
    assert by_id["QDi.314"].birth_dates == [BirthDate(str(year), "year") for year in range(1977, 1983)]
    assert by_id["CDi.004"].birth_dates == [BirthDate("1973-11", "month")]
    assert [a.name for a in by_id["CDe.001"].aliases if a.kind == "fka"][:2] == [
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
        "ADF/NALU",
    ]


def _doc(individual: str) -> SourceFile:
    document = (
        '<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">'
        f"<INDIVIDUALS>{individual}</INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    return SourceFile("consolidated.xml", document.encode())


def test_empty_placeholders_wide_ranges_and_missing_reference() -> None:
    (entry,) = parse_un_xml(
        [
            _doc(
                "<INDIVIDUAL><DATAID>42</DATAID><FIRST_NAME>A</FIRST_NAME><SECOND_NAME> B </SECOND_NAME>"
                "<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS><INDIVIDUAL_DOCUMENT/>"
                "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1940</FROM_YEAR>"
                "<TO_YEAR>1970</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
                "<NATIONALITY><VALUE>China, Hong Kong Special Administrative Region</VALUE></NATIONALITY>"
                "</INDIVIDUAL>"
            )
        ]
    ).entries
    assert entry.entity_id == "42"  # no REFERENCE_NUMBER: DATAID stands in
    assert entry.name == "A B"
    assert entry.aliases == []
    assert entry.birth_dates == []  # a 31-year range says too little
    assert entry.countries == ["HK"]


def test_record_without_name_fails_the_file() -> None:
    with pytest.raises(ListFileError, match=r"consolidated\.xml: QDi\.9 has no name"):
        parse_un_xml([_doc("<INDIVIDUAL><REFERENCE_NUMBER>QDi.9</REFERENCE_NUMBER></INDIVIDUAL>")])


@pytest.mark.parametrize(
    ("text", "code"),
    [("Iran (Islamic Republic of)", "IR"), ("State of Palestine", "PS"), ("Russian Federation", "RU"), ("", None)],
)
def test_un_country_names(text: str, code: str | None) -> None:
    assert un_country(text) == code
