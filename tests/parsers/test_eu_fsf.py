"""The EU FSF XML 1.1 parser, on the two real 2020 excerpts and on hand-made edge cases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from service.sources.model import Address, Alias, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers import SourceFile
from service.sources.parsers.eu_fsf import parse_eu_fsf_xml
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

EXCERPT_A = "eu_fsf/xmlFullSanctionsList_1_1_EXCERPT_A_2020-04-15.xml"
EXCERPT_B = "eu_fsf/xmlFullSanctionsList_1_1_EXCERPT_B_2020-04-15.xml"
NS = "http://eu.europa.ec/fpi/fsd/export"


def _by_id(parsed: ParsedList) -> dict[str, ParsedEntry]:
    return {entry.entity_id: entry for entry in parsed.entries}


@pytest.fixture(scope="module")
def excerpt_b(lists_data_dir: Path) -> ParsedList:
    return parse_eu_fsf_xml([read(lists_data_dir / EXCERPT_B)])


def test_real_excerpts_counts_and_generation_date(lists_data_dir: Path, excerpt_b: ParsedList) -> None:
    excerpt_a = parse_eu_fsf_xml([read(lists_data_dir / EXCERPT_A)])
    assert len(excerpt_b.entries) == 7
    # Excerpt A has 7 sanctionEntity records, two with logicalId 5468 (the fixture author's
    # "TestOneWord" copy): one entity, its names merged, and the merge reported.
    assert excerpt_a.stats == {"sanction_entities": 7, "duplicate_ids_merged": 1}
    assert len(excerpt_a.entries) == 6
    assert [alias.name for alias in _by_id(excerpt_a)["5468"].aliases] == ["TestOneWord"]
    assert excerpt_b.published_at == datetime(2020, 4, 15, 13, 29, 22, 497000, tzinfo=UTC)
    assert {entry.type for entry in excerpt_a.entries + excerpt_b.entries} == {"person"}


def test_real_person_with_dob_citizenship_and_designated_name(excerpt_b: ParsedList) -> None:
    saddam = _by_id(excerpt_b)["13"]
    # The alias given with first/last name parts is primary, not the first one in the file ("Abou Ali").
    assert saddam.name == "Saddam Hussein Al-Tikriti"
    assert [alias.name for alias in saddam.aliases] == ["Abou Ali", "Abu Ali"]
    assert saddam.birth_dates == [BirthDate("1937-04-28", "day")]
    assert saddam.countries == ["IQ"]
    assert saddam.programs == ["IRQ"]
    assert saddam.identifiers == [Identifier("EU Reference Number", "EU.27.28")]
    # No designationDate: the regulation that listed him (published 2003-07-08) dates the listing.
    assert saddam.listed_on == date(2003, 7, 8)
    assert saddam.remarks == "UNSC RESOLUTION 1483"


def test_real_person_with_documents_address_and_several_birth_dates(lists_data_dir: Path) -> None:
    by_id = _by_id(parse_eu_fsf_xml([read(lists_data_dir / EXCERPT_A)]))
    aouadi = by_id["927"]
    assert aouadi.name == "Mohamed Ben Belkacem Aouadi"
    assert Identifier("National passport", "L191609", "TN") in aouadi.identifiers
    assert aouadi.addresses == [Address("23 50th Street, Zehrouni, Tunis, TUNISIA", "TN")]
    hammadou = by_id["5295"]
    # An exact date and a circa year-only date; "00" (UNKNOWN) countries are dropped.
    assert hammadou.birth_dates == [BirthDate("1965-12-12", "day"), BirthDate("1958", "year")]
    assert hammadou.listed_on == date(2008, 7, 3)
    assert Identifier("National passport", "488555", None) in by_id["191"].identifiers


def test_both_excerpts_together(lists_data_dir: Path) -> None:
    parsed = parse_eu_fsf_xml([read(lists_data_dir / EXCERPT_A), read(lists_data_dir / EXCERPT_B)])
    assert len(parsed.entries) == 13


def _export(entity: str) -> SourceFile:
    document = f'<export xmlns="{NS}" generationDate="2024-01-02T03:04:05+01:00">{entity}</export>'
    return SourceFile("fsf.xml", document.encode())


def test_enterprise_weak_alias_script_and_partial_dates() -> None:
    parsed = parse_eu_fsf_xml(
        [
            _export(
                '<sanctionEntity logicalId="9" euReferenceNumber="" designationDate="2022-02-25">'
                '<regulation programme="RUS"/><subjectType code="enterprise"/>'
                '<nameAlias wholeName="Bank Rossiya" strong="true" nameLanguage=""/>'
                '<nameAlias wholeName="Банк Россия" strong="true" nameLanguage="RU"/>'
                '<nameAlias wholeName="BR" strong="false" nameLanguage=""/>'
                '<birthdate year="1990" monthOfYear="5" dayOfMonth="" circa="false"/>'
                '<birthdate yearRangeFrom="1960" yearRangeTo="1962" circa="false"/>'
                '<address street="" city="St Petersburg" countryIso2Code="RU" countryDescription="RUSSIA"/>'
                "</sanctionEntity>"
            )
        ]
    )
    (bank,) = parsed.entries
    assert bank.type == "organization"
    assert bank.aliases == [Alias("Банк Россия", "strong", "Cyrl"), Alias("BR", "weak")]
    assert bank.birth_dates == [BirthDate("1990-05", "month"), *(BirthDate(str(y), "year") for y in (1960, 1961, 1962))]
    assert bank.countries == ["RU"]
    assert bank.identifiers == []  # an empty euReferenceNumber is no identifier
    assert parsed.published_at == datetime(2024, 1, 2, 2, 4, 5, tzinfo=UTC)
