"""UK Sanctions List (FCDO): the real 8-column summary ODS and a hand-written XML sample."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.uk_sanctions_list import parse_uk_sanctions_list
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

SUMMARY_ODS = "uk_sanctions_list_fcdo/FCDO_SL_2025-08-11_summary.ods"
SAMPLE_XML = Path(__file__).resolve().parent.parent / "fixtures" / "uk_sanctions_list_sample.xml"


@pytest.fixture(scope="module")
def summary(lists_data_dir: Path) -> ParsedList:
    return parse_uk_sanctions_list([read(lists_data_dir / SUMMARY_ODS)])


@pytest.fixture(scope="module")
def sample() -> dict[str, ParsedEntry]:
    parsed = parse_uk_sanctions_list([read(SAMPLE_XML)])
    return {entry.entity_id: entry for entry in parsed.entries}


def test_registered_under_the_catalogue_format() -> None:
    assert PARSERS["uk_sanctions_list"] is parse_uk_sanctions_list


def test_summary_ods_counts(summary: ParsedList) -> None:
    types = [entry.type for entry in summary.entries]

    assert summary.stats == {"rows": 5302, "skipped_without_name": 2}
    assert len(summary.entries) == 5300  # BEL0174 and RUS1467 have an empty Name cell
    assert summary.warnings == [
        "BEL0174 (row 649) has an empty Name and was skipped",
        "RUS1467 (row 3524) has an empty Name and was skipped",
    ]
    assert (types.count("person"), types.count("organization"), types.count("vessel")) == (3752, 1087, 461)
    assert sum("Global Human Rights" in entry.programs for entry in summary.entries) == 152


def test_summary_ods_entry(summary: ParsedList) -> None:
    entry = next(entry for entry in summary.entries if entry.entity_id == "GHR0086")

    assert entry.name == "Haq Mian Abdul"
    assert entry.type == "person"
    assert entry.programs == ["Global Human Rights"]
    assert entry.listed_on == date(2022, 12, 8)
    assert entry.identifiers == [Identifier(type="OFSI Group ID", value="15672", country="GB")]
    assert "Sanctions imposed: Asset freeze, Director Disqualification Sanction, Travel Ban" in (entry.remarks or "")


def test_xml_generation_date_and_count() -> None:
    parsed = parse_uk_sanctions_list([read(SAMPLE_XML)])

    assert parsed.published_at == datetime(2025, 8, 11, tzinfo=UTC)
    assert [entry.entity_id for entry in parsed.entries] == ["RUS9901", "GHR9902", "AFG9903", "DPR9904"]


def test_xml_individual_with_cyrillic_name(sample: dict[str, ParsedEntry]) -> None:
    entry = sample["RUS9901"]

    assert entry.type == "person"
    assert entry.name == "Pavel Sergeyevich KORNILOV"
    assert entry.aliases == [
        Alias(name="Pavel Sergeevich KORNILOV"),
        Alias(name="Pasha KORNILOV", strength="weak"),
        Alias(name="Павел Сергеевич КОРНИЛОВ", script="Cyrl", kind="original"),
    ]
    assert entry.birth_dates == [BirthDate("1962-07-14", "day"), BirthDate("1963", "year")]  # "dd/mm/1963"
    assert entry.countries == ["RU"]
    assert Identifier(type="Passport", value="720011223", country="RU") in entry.identifiers
    assert Identifier(type="National ID", value="771234567890", country="RU") in entry.identifiers
    assert entry.addresses == [Address(text="1 Okhotny Ryad str, Moscow, 103265, Russia", country="RU")]
    assert entry.listed_on == date(2022, 3, 11)


def test_xml_global_human_rights_individual(sample: dict[str, ParsedEntry]) -> None:
    entry = sample["GHR9902"]

    assert entry.programs == ["Global Human Rights"]
    assert Alias(name="Kareem RASHIDI") in entry.aliases  # NameType "ALias"
    assert Alias(name="كريم عبد الرشيدي", script="Arab", kind="original") in entry.aliases
    assert entry.birth_dates == [BirthDate("1971-04", "month")]  # "dd/04/1971"
    assert entry.countries == ["CD"]  # "Congo (Democratic Republic)", not the Republic of the Congo


def test_xml_entity(sample: dict[str, ParsedEntry]) -> None:
    entry = sample["AFG9903"]

    assert entry.type == "organization"
    assert entry.aliases == [Alias(name="Silver Crescent Hawala"), Alias(name="Crescent Exchange", strength="weak")]
    assert entry.countries == ["AF", "PK"]
    assert [address.text for address in entry.addresses] == [
        "Shop 12, Sarai Shahzada, Kabul, Afghanistan",
        "Chaman, Baluchistan Province, Pakistan",
    ]
    assert Identifier(type="Registration Number", value="MSB-04417") in entry.identifiers
    assert Identifier(type="UN Reference Number", value="TAe.999") in entry.identifiers


def test_xml_ship(sample: dict[str, ParsedEntry]) -> None:
    entry = sample["DPR9904"]

    assert entry.type == "vessel"
    assert entry.name == "NORTHERN STAR 3"
    assert entry.aliases == [Alias(name="Polar Light")]
    assert entry.identifiers == [Identifier(type="IMO", value="9000015")]
    assert entry.countries == ["SL"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Unique ID,Name\r\n", "neither the UK Sanctions List XML nor its ODS"),
        (b"<Designations><DateGenerated>01/01/2025</DateGenerated></Designations>", "no Designation elements"),
        (b"<CONSOLIDATED_LIST/>", "root element is <CONSOLIDATED_LIST>"),
        (b"<Designations><Designation><Names/></Designation></Designations>", "has no UniqueID"),
        (
            b'<!DOCTYPE d [<!ENTITY x "boom">]><Designations>&x;</Designations>',
            "malformed, truncated or unsafe XML",
        ),
    ],
)
def test_bad_files_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(ListFileError, match=message):
        parse_uk_sanctions_list([SourceFile("UK-Sanctions-List.xml", content)])


@pytest.mark.parametrize("path", [SUMMARY_ODS, str(SAMPLE_XML)])
def test_truncated_file_is_refused(lists_data_dir: Path, path: str) -> None:
    content = (lists_data_dir / path).read_bytes()
    name = Path(path).name

    with pytest.raises(ListFileError, match=name):
        parse_uk_sanctions_list([SourceFile(name, content[: len(content) // 2])])
