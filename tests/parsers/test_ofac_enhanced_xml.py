"""OFAC Enhanced XML (SDN_ENHANCED / CONS_ENHANCED, .XML and .ZIP) on the real files and edge cases."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, Identifier, ParsedList
from service.sources.parsers import PARSERS, SourceFile, ofac_enhanced_xml
from service.sources.parsers.ofac_csv import parse_ofac_csv
from service.sources.parsers.ofac_enhanced_xml import parse_ofac_enhanced_xml
from tests.parsers.conftest import read

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

CONS_XML = "ofac_consolidated_non_sdn/CONS_ENHANCED.XML"
CONS_ZIP = "ofac_consolidated_non_sdn/CONS_ENHANCED.ZIP"
IRGC = "ofac_sdn/xml_formats/sdn_enhanced_xml_custom_export_IRGC_EXCERPT_2024-08-28.xml"


@pytest.fixture(scope="module")
def cons(lists_data_dir: Path) -> ParsedList:
    return parse_ofac_enhanced_xml([read(lists_data_dir / CONS_XML)])


@pytest.fixture(scope="module")
def irgc(lists_data_dir: Path) -> ParsedList:
    return parse_ofac_enhanced_xml([read(lists_data_dir / IRGC)])


def test_registered_as_ofac_enhanced_xml() -> None:
    assert PARSERS["ofac_enhanced_xml"] is parse_ofac_enhanced_xml


def test_cons_enhanced_counts(cons: ParsedList) -> None:
    assert len(cons.entries) == 443
    assert cons.published_at == datetime(2025, 1, 10, tzinfo=UTC)
    assert sum(1 for e in cons.entries if e.type == "person") == 80
    assert sum(1 for e in cons.entries if e.type == "organization") == 363


def test_zip_gives_the_same_entries_as_the_xml(cons: ParsedList, lists_data_dir: Path) -> None:
    from_zip = parse_ofac_enhanced_xml([read(lists_data_dir / CONS_ZIP)])
    assert [e.to_document() for e in from_zip.entries] == [e.to_document() for e in cons.entries]
    assert from_zip.published_at == cons.published_at


def test_same_ids_and_names_as_the_csv(cons: ParsedList, lists_data_dir: Path) -> None:
    csv = parse_ofac_csv([read(lists_data_dir / "ofac_consolidated_non_sdn" / "cons_prim.csv")])
    enhanced = {entry.entity_id: entry.name for entry in cons.entries}
    assert {entry.entity_id for entry in csv.entries} <= set(enhanced)
    # The files are eleven months apart; OFAC renamed one entry in between ("RN KOMSOMOLSKIY ...").
    renamed = {entry.entity_id for entry in csv.entries if enhanced[entry.entity_id] != entry.name}
    assert renamed == {"18284"}


def test_chinese_name_translation_address_and_document(cons: ParsedList) -> None:
    dji = next(entry for entry in cons.entries if entry.entity_id == "33111")
    assert (dji.name, dji.type, dji.programs) == ("SZ DJI TECHNOLOGY CO., LTD.", "organization", ["CMIC-EO13959"])
    assert dji.aliases == [Alias(name="深圳市大疆创新科技有限公司", script="Hani", kind="original")]
    assert dji.identifiers == [
        Identifier(type="Unified Social Credit Code (USCC)", value="914403007954257495", country="CN")
    ]
    assert dji.addresses == [
        Address(
            text="14 F, West Block of Skyworth Semiconductor Design Building, No. 18 Gaoxin South 4th Road,"
            " Nanshan District, Shenzhen, Guangdong, 518057, China",
            country="CN",
        )
    ]
    assert dji.countries == ["CN"]
    assert dji.listed_on == date(2021, 12, 16)


def test_metadata_features_are_not_identifiers(cons: ParsedList) -> None:
    labels = {identifier.type for entry in cons.entries for identifier in entry.identifiers}
    assert {"ISIN", "SWIFT/BIC", "Website", "Tax ID No."} <= labels
    assert not labels & {
        "Secondary sanctions risk",
        "Listing Date (CMIC)",
        "Executive Order 13662 Directive Determination",
    }


def test_irgc_excerpt_counts(irgc: ParsedList) -> None:
    assert len(irgc.entries) == 293
    assert irgc.published_at == datetime(2024, 8, 28, tzinfo=UTC)
    types = {t: sum(1 for e in irgc.entries if e.type == t) for t in ("person", "organization", "aircraft")}
    assert types == {"person": 165, "organization": 84, "aircraft": 44}
    assert all("IRGC" in entry.programs for entry in irgc.entries)


def test_person_with_birthdate_nationality_and_digital_currency(irgc: ParsedList) -> None:
    person = next(entry for entry in irgc.entries if entry.entity_id == "38420")
    assert person.name == "NIKAEEN RAVARI, Amir Hossein"
    assert person.type == "person"
    assert Alias(name="NICKAEIN RAVARI, Amir Hossein") in person.aliases
    assert person.birth_dates == [BirthDate("1992-04-13", "day")]
    assert person.countries == ["IR"]
    assert Identifier(type="National ID No.", value="4480046429", country="IR") in person.identifiers
    assert (
        Identifier(type="Digital Currency Address - XBT", value="1H939dom7i4WDLCKyGbXUp3fs9CSTNRzgL")
        in person.identifiers
    )
    assert "Gender" not in {identifier.type for identifier in person.identifiers}
    assert person.listed_on == date(2022, 9, 14)


def test_birth_year_ranges_and_months(irgc: ParsedList) -> None:
    naqdi = next(entry for entry in irgc.entries if entry.entity_id == "12057")
    years = [bd.value for bd in naqdi.birth_dates if bd.precision == "year"]
    assert years == ["1951", "1952", "1953", "1960", "1961", "1962"]  # "1951 to 1953", "1960 to 1962"
    assert BirthDate("1961-04", "month") in naqdi.birth_dates
    shahlai = next(entry for entry in irgc.entries if entry.entity_id == "11177")
    assert shahlai.birth_dates == [BirthDate("1957", "year")]  # "circa 1957"


def test_arabic_original_name_without_bidi_marks(irgc: ParsedList) -> None:
    fatemiyoun = next(entry for entry in irgc.entries if entry.entity_id == "26347")
    assert fatemiyoun.aliases[0] == Alias(name="لواء فاطميون", script="Arab", kind="original")
    assert Alias(name="FATEMIOUN BRIGADE") in fatemiyoun.aliases
    assert fatemiyoun.countries == ["SY", "IR"]


def test_aircraft_identifier(irgc: ParsedList) -> None:
    aircraft = next(entry for entry in irgc.entries if entry.entity_id == "24475")
    assert (aircraft.name, aircraft.type) == ("EP-PUL", "aircraft")
    assert aircraft.identifiers == [Identifier(type="Aircraft Manufacturer's Serial Number (MSN)", value="33448393")]


MINIMAL = """<?xml version="1.0" encoding="utf-8"?>
<sanctionsData{xmlns}>
  <publicationInfo><dataAsOf>2025-03-01T00:00:00</dataAsOf></publicationInfo>
  <referenceValues>
    <referenceValue refId="11040"><type>COUNTRY</type><value>Bahamas, The</value><isoCode>BS</isoCode></referenceValue>
  </referenceValues>
  <entities>
    <entity id="501">
      <generalInfo><identityId>1</identityId><entityType refId="600">Individual</entityType></generalInfo>
      <sanctionsPrograms><sanctionsProgram refId="1">SDGT</sanctionsProgram></sanctionsPrograms>
      <names>
        <name id="1"><isPrimary>true</isPrimary><isLowQuality>false</isLowQuality><translations>
          <translation id="1"><isPrimary>true</isPrimary><script refId="20122">Latin</script>
            <formattedFullName>DOE, John</formattedFullName></translation>
        </translations></name>
        <name id="2"><isPrimary>false</isPrimary><aliasType refId="1400">A.K.A.</aliasType>
          <isLowQuality>true</isLowQuality><translations>
          <translation id="2"><isPrimary>true</isPrimary><script refId="20122">Latin</script>
            <formattedFullName>JD</formattedFullName></translation>
        </translations></name>
      </names>
      <features>
        <feature id="9"><type featureTypeId="10">Nationality Country</type><value>Bahamas, The</value>
          <valueRefId>11040</valueRefId><isPrimary>true</isPrimary></feature>
        <feature id="10"><type featureTypeId="8">Birthdate</type><value>Jun 1970</value>
          <isPrimary>true</isPrimary></feature>
      </features>
      <identityDocuments>
        <identityDocument id="3"><type refId="1571">Passport</type>
          <name nameId="1" nameTranslationId="1">DOE, John</name>
          <documentNumber>X123</documentNumber><issuingCountry refId="11040">Bahamas, The</issuingCountry>
        </identityDocument>
      </identityDocuments>
    </entity>
  </entities>
</sanctionsData>"""


@pytest.mark.parametrize(
    "namespace",
    [None, "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML", "urn:other"],
    ids=["none", "sls", "other"],
)
def test_minimal_document_in_any_namespace(namespace: str | None) -> None:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    parsed = parse_ofac_enhanced_xml([SourceFile("SDN_ENHANCED.XML", MINIMAL.format(xmlns=xmlns).encode())])
    assert parsed.published_at == datetime(2025, 3, 1, tzinfo=UTC)
    [entry] = parsed.entries
    assert (entry.entity_id, entry.name, entry.type, entry.programs) == ("501", "DOE, John", "person", ["SDGT"])
    assert entry.aliases == [Alias(name="JD", strength="weak")]
    assert entry.countries == ["BS"]  # from the reference table's isoCode, not the name "Bahamas, The"
    assert entry.birth_dates == [BirthDate("1970-06", "month")]
    assert entry.identifiers == [Identifier(type="Passport", value="X123", country="BS")]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_must_hold_one_xml() -> None:
    document = MINIMAL.format(xmlns="").encode()
    content = _zip({"a.xml": document, "b.xml": document})
    with pytest.raises(ListFileError, match=r"SDN_ENHANCED\.ZIP: expected one XML file in the archive, found 2"):
        parse_ofac_enhanced_xml([SourceFile("SDN_ENHANCED.ZIP", content)])


def test_zip_with_many_members_is_refused() -> None:
    content = _zip({f"part{i}.txt": b"x" for i in range(40)})
    with pytest.raises(ListFileError, match=r"the archive has 40 members"):
        parse_ofac_enhanced_xml([SourceFile("SDN_ENHANCED.ZIP", content)])


def test_zip_bomb_is_refused(lists_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real archive (3.4 MB unpacked) stands in for a bomb against a lowered limit.
    monkeypatch.setattr(ofac_enhanced_xml, "MAX_XML_BYTES", 1_000_000)
    with pytest.raises(ListFileError, match=r"CONS_ENHANCED\.ZIP: the archive would unpack to .* zip bomb"):
        parse_ofac_enhanced_xml([read(lists_data_dir / CONS_ZIP)])


@pytest.mark.parametrize(
    ("path", "message"), [(CONS_XML, "not well-formed XML"), (CONS_ZIP, "not a readable zip archive")]
)
def test_truncated_file_is_refused(path: str, message: str, lists_data_dir: Path) -> None:
    file = read(lists_data_dir / path)
    half = SourceFile(file.name, file.content[: len(file.content) // 2])
    with pytest.raises(ListFileError, match=rf"{file.name}: {message}.*truncated"):
        parse_ofac_enhanced_xml([half])


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<sanctionsData><entities><entity id='1'>&b;</entity></entities></sanctionsData>",
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<sanctionsData><entities><entity id='1'>&x;</entity></entities></sanctionsData>",
    ],
    ids=["entity_bomb", "external_entity"],
)
def test_unsafe_xml_is_refused(payload: bytes) -> None:
    with pytest.raises(ListFileError, match=r"SDN_ENHANCED\.XML: unsafe XML refused"):
        parse_ofac_enhanced_xml([SourceFile("SDN_ENHANCED.XML", payload)])


def test_unsafe_xml_inside_a_zip_is_refused() -> None:
    payload = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]><sanctionsData>&x;</sanctionsData>'
    )
    with pytest.raises(ListFileError, match=r"SDN_ENHANCED\.ZIP/SDN_ENHANCED\.XML: unsafe XML refused"):
        parse_ofac_enhanced_xml([SourceFile("SDN_ENHANCED.ZIP", _zip({"SDN_ENHANCED.XML": payload}))])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<sdnList/>", "root element is <sdnList>, expected <sanctionsData>"),
        (b"<sanctionsData><entities><entity/></entities></sanctionsData>", "an entity has no id"),
        (b"<sanctionsData><entities><entity id='4'/></entities></sanctionsData>", "entity 4 has no primary name"),
    ],
    ids=["wrong_root", "no_id", "no_name"],
)
def test_invalid_documents_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(ListFileError, match=rf"SDN_ENHANCED\.XML: {message}"):
        parse_ofac_enhanced_xml([SourceFile("SDN_ENHANCED.XML", content)])
