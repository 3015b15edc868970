"""OFAC legacy XML (SDN.XML / CONSOLIDATED.XML) on the real files and on hand-made edge cases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, Identifier, ParsedList
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.ofac_csv import parse_ofac_csv
from service.sources.parsers.ofac_xml import parse_ofac_xml
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

SDN_EXCERPT = "ofac_sdn/xml_formats/sdn_xml_legacy_namespace_EXCERPT_2020-04-22.xml"
CONSOLIDATED = "ofac_consolidated_non_sdn/consolidated.xml"
OLD_NS = "http://tempuri.org/sdnList.xsd"
NEW_NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"


@pytest.fixture(scope="module")
def consolidated(lists_data_dir: Path) -> ParsedList:
    return parse_ofac_xml([read(lists_data_dir / CONSOLIDATED)])


def test_registered_as_ofac_xml() -> None:
    assert PARSERS["ofac_xml"] is parse_ofac_xml


def test_sdn_excerpt_old_namespace(lists_data_dir: Path) -> None:
    parsed = parse_ofac_xml([read(lists_data_dir / SDN_EXCERPT)])
    assert len(parsed.entries) == 8
    assert parsed.published_at == datetime(2020, 4, 22, tzinfo=UTC)
    # The excerpt keeps the full list's header (8,197 records): worth a warning, not an error.
    assert any("Record_Count is 8197" in warning for warning in parsed.warnings)

    saeed = next(entry for entry in parsed.entries if entry.entity_id == "10689")
    assert (saeed.name, saeed.type, saeed.programs) == ("SAEED, Muhammad", "person", ["SDGT"])
    assert Alias(name="SAEED, Hafiz Muhammad", strength="strong") in saeed.aliases
    assert {alias.name for alias in saeed.aliases if alias.strength == "weak"} == {"HAFIZ SAHIB", "TATA JI"}
    assert saeed.birth_dates == [BirthDate("1950-06-05", "day")]
    assert saeed.countries == ["PK"]
    assert Identifier(type="Passport", value="BE5978421", country="PK") in saeed.identifiers
    assert Identifier(type="National ID No.", value="3520025509842-7", country="PK") in saeed.identifiers
    assert saeed.addresses == [
        Address(
            text="House No. 116 E, Mohalla Johar, Town: Lahore, Tehsil:, Lahore City, Lahore District, Pakistan",
            country="PK",
        )
    ]
    assert saeed.source_url == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=10689"


def test_consolidated_new_namespace_counts(consolidated: ParsedList) -> None:
    assert len(consolidated.entries) == 442
    assert consolidated.published_at == datetime(2026, 1, 8, tzinfo=UTC)
    assert consolidated.warnings == []
    types = {t: sum(1 for e in consolidated.entries if e.type == t) for t in ("person", "organization")}
    assert sum(types.values()) == 442


def test_consolidated_matches_the_csv_set(consolidated: ParsedList, lists_data_dir: Path) -> None:
    """Same list, two formats: the same ent_nums, names and types, so versions stay comparable."""
    csv = parse_ofac_csv([read(lists_data_dir / "ofac_consolidated_non_sdn" / "cons_prim.csv")])
    from_xml = {entry.entity_id: (entry.name, entry.type) for entry in consolidated.entries}
    from_csv = {entry.entity_id: (entry.name, entry.type) for entry in csv.entries}
    assert len(from_xml) == len(from_csv) == 442
    assert from_xml == from_csv


def test_consolidated_known_entries(consolidated: ParsedList) -> None:
    by_id = {entry.entity_id: entry for entry in consolidated.entries}
    zahhar = by_id["9647"]
    assert zahhar.name == "ZAHHAR, Mahmoud Khaled"
    assert Alias(name="ZAHAR, Mahmoud", strength="weak") in zahhar.aliases
    assert zahhar.birth_dates == [BirthDate("1945", "year")]
    assert zahhar.programs == ["NS-PLC", "SDGT"]
    assert zahhar.countries == ["PS"]

    dji = by_id["33111"]
    assert (dji.name, dji.type) == ("SZ DJI TECHNOLOGY CO., LTD.", "organization")
    assert dji.identifiers == [
        Identifier(type="Unified Social Credit Code (USCC)", value="914403007954257495", country="CN")
    ]
    assert dji.addresses[0].country == "CN"
    assert dji.addresses[0].text.startswith("14 F, West Block of Skyworth Semiconductor Design Building")


def test_sanctions_metadata_is_not_an_identifier(consolidated: ParsedList) -> None:
    labels = {identifier.type for entry in consolidated.entries for identifier in entry.identifiers}
    assert {"Registration ID", "SWIFT/BIC", "Email Address"} <= labels
    assert not labels & {"Secondary sanctions risk", "Gender", "Nationality of Registration", "Listing Date (CMIC)"}
    # "Nationality of Registration: Russia" becomes a country of the entry instead.
    assert "RU" in next(entry for entry in consolidated.entries if entry.entity_id == "23552").countries


def _document(namespace: str | None) -> bytes:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return f"""<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"{xmlns}>
  <publshInformation><Publish_Date>12/31/2024</Publish_Date><Record_Count>1</Record_Count></publshInformation>
  <sdnEntry>
    <uid>36</uid><lastName>AEROCARIBBEAN AIRLINES</lastName><sdnType>Entity</sdnType>
    <programList><program>CUBA</program></programList>
    <idList><id><uid>1</uid><idType>Gender</idType><idNumber>Male</idNumber></id></idList>
    <akaList><aka><uid>12</uid><type>a.k.a.</type><category>strong</category><lastName>AERO-CARIBBEAN</lastName></aka></akaList>
    <addressList><address><uid>25</uid><city>Havana</city><country>Cuba</country></address></addressList>
  </sdnEntry>
</sdnList>""".encode()


@pytest.mark.parametrize("namespace", [OLD_NS, NEW_NS, None], ids=["tempuri", "sls", "none"])
def test_every_namespace_reads_the_same(namespace: str | None) -> None:
    parsed = parse_ofac_xml([SourceFile("SDN.XML", _document(namespace))])
    assert parsed.published_at == datetime(2024, 12, 31, tzinfo=UTC)
    [entry] = parsed.entries
    assert (entry.entity_id, entry.name, entry.type) == ("36", "AEROCARIBBEAN AIRLINES", "organization")
    assert entry.aliases == [Alias(name="AERO-CARIBBEAN")]
    assert entry.addresses == [Address(text="Havana, Cuba", country="CU")]
    assert entry.countries == ["CU"]
    assert entry.identifiers == []


@pytest.mark.parametrize("path", [SDN_EXCERPT, CONSOLIDATED])
def test_truncated_file_is_refused(path: str, lists_data_dir: Path) -> None:
    file = read(lists_data_dir / path)
    half = SourceFile(file.name, file.content[: len(file.content) // 2])
    with pytest.raises(ListFileError, match=rf"{file.name}: not well-formed XML.*truncated"):
        parse_ofac_xml([half])


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<sdnList><sdnEntry><uid>1</uid><lastName>&b;</lastName></sdnEntry></sdnList>",
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<sdnList><sdnEntry><uid>1</uid><lastName>&x;</lastName></sdnEntry></sdnList>",
    ],
    ids=["entity_bomb", "external_entity"],
)
def test_unsafe_xml_is_refused(payload: bytes) -> None:
    with pytest.raises(ListFileError, match=r"SDN\.XML: unsafe XML refused"):
        parse_ofac_xml([SourceFile("SDN.XML", payload)])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<CONSOLIDATED_LIST/>", r"root element is <CONSOLIDATED_LIST>, expected <sdnList>"),
        (b"<sdnList><sdnEntry><lastName>X</lastName></sdnEntry></sdnList>", r"an sdnEntry has no numeric uid"),
        (b"<sdnList><sdnEntry><uid>7</uid></sdnEntry></sdnList>", r"uid 7 has no name"),
        (
            b"<sdnList><sdnEntry><uid>7</uid><lastName>A</lastName></sdnEntry>"
            b"<sdnEntry><uid>7</uid><lastName>B</lastName></sdnEntry></sdnList>",
            r"uid 7 appears twice",
        ),
        (b"", r"not well-formed XML"),
    ],
    ids=["wrong_root", "no_uid", "no_name", "duplicate_uid", "empty"],
)
def test_invalid_documents_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(ListFileError, match=rf"SDN\.XML: {message}"):
        parse_ofac_xml([SourceFile("SDN.XML", content)])


def test_exactly_one_file_is_expected() -> None:
    document = SourceFile("SDN.XML", _document(None))
    with pytest.raises(ListFileError, match="is one file, got 2"):
        parse_ofac_xml([document, document])
