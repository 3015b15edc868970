"""OFAC's legacy XML: SDN.XML and CONSOLIDATED.XML (root `sdnList`).

Wire-format quirks handled here:
- OFAC moved the namespace on 2024-05-07 from `http://tempuri.org/sdnList.xsd` to
  `https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML`; both, and no
  namespace at all, are read alike because every tag is matched on its local name;
- the header element is spelt `publshInformation` (sic); `Publish_Date` is MM/DD/YYYY;
- `Record_Count` is the count of the full list even in cut-down exports, so a mismatch is a
  warning, not an error;
- `idList` mixes real identifiers with sanctions metadata ("Secondary sanctions risk:",
  "Gender", "Nationality of Registration"); see ofac_features.
Names are written "LAST, First" exactly as in sdn.csv, so both formats give the same entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from service.countries import to_iso_country
from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.ofac_csv import OFAC_ENTRY_URL
from service.sources.parsers.ofac_features import (
    add_country,
    alias_kind,
    clean_label,
    is_country_label,
    is_identifier_label,
    ofac_entity_type,
)
from service.sources.parsers.ofac_remarks import parse_ofac_date
from service.sources.parsers.xmlutil import iter_xml, strip_ns

ROOT_TAG = "sdnList"
_ADDRESS_PARTS = ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode", "country")


def localize_tags(record: Element) -> None:
    """Strip the namespace from every tag of a record so lookups work whatever namespace OFAC uses."""
    for element in record.iter():
        element.tag = strip_ns(element.tag)


def child_text(element: Element, path: str) -> str | None:
    """The stripped text of the first element at `path`, or None when it is missing or blank."""
    found = element.find(path)
    if found is None or found.text is None:
        return None
    text = " ".join(found.text.split())
    return text or None


def _full_name(last: str | None, first: str | None) -> str | None:
    if last and first:
        return f"{last}, {first}"
    return last or first


def parse_ofac_xml(files: Sequence[SourceFile]) -> ParsedList:
    file = single_file(files, "OFAC legacy XML (SDN.XML / CONSOLIDATED.XML)")
    stream = iter_xml(file, {"Publish_Date", "Record_Count", "sdnEntry"})
    root = next(stream)
    if strip_ns(root.tag) != ROOT_TAG:
        raise ListFileError(f"{file.name}: root element is <{strip_ns(root.tag)}>, expected <{ROOT_TAG}>")

    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    warnings: list[str] = []
    published_at: datetime | None = None
    record_count: int | None = None
    for element in stream:
        tag = strip_ns(element.tag)
        if tag == "Publish_Date":
            published_at = _publish_date(element.text)
            if published_at is None:
                warnings.append(f"{file.name}: unreadable Publish_Date {element.text!r} ignored")
        elif tag == "Record_Count":
            text = (element.text or "").strip()
            record_count = int(text) if text.isdigit() else None
        else:
            localize_tags(element)
            entry = _entry(file, element)
            if entry.entity_id in seen:
                raise ListFileError(f"{file.name}: uid {entry.entity_id} appears twice")
            seen.add(entry.entity_id)
            entries.append(entry)

    if record_count is not None and record_count != len(entries):
        warnings.append(f"{file.name}: header Record_Count is {record_count}, the file holds {len(entries)} entries")
    return ParsedList(entries=entries, published_at=published_at, warnings=warnings)


def _publish_date(text: str | None) -> datetime | None:
    try:
        return datetime.strptime((text or "").strip(), "%m/%d/%Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def _entry(file: SourceFile, element: Element) -> ParsedEntry:
    uid = child_text(element, "uid")
    if not uid or not uid.isdigit():
        raise ListFileError(f"{file.name}: an sdnEntry has no numeric uid")
    name = _full_name(child_text(element, "lastName"), child_text(element, "firstName"))
    if not name:
        raise ListFileError(f"{file.name}: uid {uid} has no name")

    aliases: list[Alias] = []
    for aka in element.iterfind("akaList/aka"):
        alias_name = _full_name(child_text(aka, "lastName"), child_text(aka, "firstName"))
        if alias_name:
            weak = (child_text(aka, "category") or "").lower() == "weak"
            aliases.append(
                Alias(name=alias_name, strength="weak" if weak else "strong", kind=alias_kind(child_text(aka, "type")))
            )

    countries: list[str] = []
    for path in ("nationalityList/nationality/country", "citizenshipList/citizenship/country"):
        for country in element.iterfind(path):
            add_country(countries, country.text)
    identifiers = _identifiers(element, countries)
    vessel_flag = child_text(element, "vesselInfo/vesselFlag")
    add_country(countries, vessel_flag)
    if call_sign := child_text(element, "vesselInfo/callSign"):
        identifiers.append(Identifier(type="Call Sign", value=call_sign, country=to_iso_country(vessel_flag)))

    addresses: list[Address] = []
    for address in element.iterfind("addressList/address"):
        parts = [part for tag in _ADDRESS_PARTS if (part := child_text(address, tag))]
        if parts:
            code = to_iso_country(child_text(address, "country"))
            addresses.append(Address(text=", ".join(parts), country=code))
            if code and code not in countries:
                countries.append(code)

    birth_dates: list[BirthDate] = []
    for item in element.iterfind("dateOfBirthList/dateOfBirthItem/dateOfBirth"):
        for birth_date in parse_ofac_date(item.text or ""):
            if birth_date not in birth_dates:
                birth_dates.append(birth_date)

    return ParsedEntry(
        entity_id=uid,
        type=ofac_entity_type(child_text(element, "sdnType")),
        name=name,
        aliases=aliases,
        programs=[
            text for program in element.iterfind("programList/program") if (text := (program.text or "").strip())
        ],
        countries=countries,
        birth_dates=birth_dates,
        identifiers=identifiers,
        addresses=addresses,
        remarks=child_text(element, "remarks"),
        source_url=OFAC_ENTRY_URL.format(uid),
    )


def _identifiers(element: Element, countries: list[str]) -> list[Identifier]:
    identifiers: list[Identifier] = []
    for item in element.iterfind("idList/id"):
        label = child_text(item, "idType") or ""
        value = child_text(item, "idNumber")
        if is_country_label(label):
            # "Nationality of Registration" carries the country in idNumber ("Russia").
            add_country(countries, value or child_text(item, "idCountry"))
        elif value and is_identifier_label(label):
            identifiers.append(
                Identifier(type=clean_label(label), value=value, country=to_iso_country(child_text(item, "idCountry")))
            )
    return identifiers
