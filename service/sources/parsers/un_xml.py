"""UN Security Council Consolidated List, XML (https://scsanctions.un.org/resources/xml/en/consolidated.xml).

Wire-format quirks handled here:
- no namespace; root `CONSOLIDATED_LIST@dateGenerated`, records `INDIVIDUALS/INDIVIDUAL` and
  `ENTITIES/ENTITY`; entities put their whole name in `FIRST_NAME`;
- empty placeholder elements are everywhere (`<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/>`,
  `<INDIVIDUAL_DOCUMENT/>`): they are skipped, not turned into empty aliases or documents;
- `NAME_ORIGINAL_SCRIPT` is the name in Arabic, Cyrillic, Hangul ... script; it becomes an alias
  of kind "original" whose script is read from its characters;
- alias QUALITY "Good" and "a.k.a." are strong, "Low" is weak, "f.k.a." is a strong former name;
- dates of birth come as EXACT/APPROXIMATELY with a DATE or a YEAR, or BETWEEN with
  FROM_YEAR/TO_YEAR (expanded to one year-precision date per year, capped), and sometimes only
  as a NOTE ("April 1973");
- nationalities and countries are UN-style names ("Iran (Islamic Republic of)", "China, Hong
  Kong Special Administrative Region").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from service.countries import to_iso_country
from service.errors import ListFileError
from service.sources.model import (
    Address,
    Alias,
    AliasStrength,
    BirthDate,
    EntityType,
    Identifier,
    ParsedEntry,
    ParsedList,
)
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.dates import add_unique, parse_iso_date, parse_iso_partial, year_range
from service.sources.parsers.xmlutil import parse_xml
from service.unicode_scripts import alias_script

# UN names the generic country lookup does not resolve.
_UN_COUNTRIES: dict[str, str] = {
    "china, hong kong special administrative region": "HK",
    "china, macao special administrative region": "MO",
    "state of palestine": "PS",
}
_ALIAS_QUALITY: dict[str, tuple[AliasStrength, str]] = {  # QUALITY -> (strength, kind)
    "good": ("strong", "aka"),
    "a.k.a.": ("strong", "aka"),
    "low": ("weak", "aka"),
    "f.k.a.": ("strong", "fka"),
}
_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
UN_LIST_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"


def un_country(text: str | None) -> str | None:
    """The ISO alpha-2 code of a UN country name."""
    if not text or not text.strip():
        return None
    return _UN_COUNTRIES.get(" ".join(text.lower().split())) or to_iso_country(text)


def _text(element: Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value or None


def _values(record: Element, path: str) -> list[str]:
    return [value for node in record.findall(path) if node.text and (value := " ".join(node.text.split()))]


def parse_un_xml(files: Sequence[SourceFile]) -> ParsedList:
    """Every INDIVIDUAL and ENTITY of the consolidated list, keyed by REFERENCE_NUMBER (QDi.001)."""
    file = single_file(files, "the UN consolidated list")
    root = parse_xml(file)
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFileError(f"{file.name}: root element is <{root.tag}>, not the UN <CONSOLIDATED_LIST>")
    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    kinds: tuple[tuple[EntityType, str], ...] = (
        ("person", "INDIVIDUALS/INDIVIDUAL"),
        ("organization", "ENTITIES/ENTITY"),
    )
    for entry_type, path in kinds:
        for record in root.findall(path):
            entry = _entry(record, entry_type, file)
            if entry.entity_id in seen:
                raise ListFileError(f"{file.name}: reference number {entry.entity_id} appears twice")
            seen.add(entry.entity_id)
            entries.append(entry)
    return ParsedList(
        entries=entries,
        published_at=_published_at(root.get("dateGenerated")),
        stats={
            "individuals": sum(1 for e in entries if e.type == "person"),
            "entities": sum(1 for e in entries if e.type == "organization"),
        },
    )


def _published_at(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _entry(record: Element, entry_type: EntityType, file: SourceFile) -> ParsedEntry:
    data_id = _text(record, "DATAID")
    entity_id = _text(record, "REFERENCE_NUMBER") or data_id
    if not entity_id:
        raise ListFileError(f"{file.name}: a {record.tag} has neither REFERENCE_NUMBER nor DATAID")
    name = " ".join(
        part
        for part in (_text(record, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"))
        if part
    )
    if not name:
        raise ListFileError(f"{file.name}: {entity_id} has no name")
    prefix = "INDIVIDUAL" if entry_type == "person" else "ENTITY"

    aliases: list[Alias] = []
    known = {name.casefold()}
    if original := _text(record, "NAME_ORIGINAL_SCRIPT"):
        known.add(original.casefold())
        aliases.append(Alias(name=original, script=alias_script(original), kind="original"))
    for alias in record.findall(f"{prefix}_ALIAS"):
        alias_name = _text(alias, "ALIAS_NAME")
        if not alias_name or alias_name.casefold() in known:
            continue
        known.add(alias_name.casefold())
        strength, kind = _ALIAS_QUALITY.get((_text(alias, "QUALITY") or "").lower(), ("strong", "aka"))
        aliases.append(Alias(name=alias_name, strength=strength, script=alias_script(alias_name), kind=kind))

    countries: list[str] = []
    for value in _values(record, "NATIONALITY/VALUE"):
        if (code := un_country(value)) and code not in countries:
            countries.append(code)
    addresses = [address for node in record.findall(f"{prefix}_ADDRESS") if (address := _address(node))]
    for address in addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)

    birth_dates: list[BirthDate] = []
    for node in record.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        add_unique(birth_dates, _birth_dates(node))

    identifiers = [ident for node in record.findall("INDIVIDUAL_DOCUMENT") if (ident := _document(node))]
    if data_id:
        identifiers.append(Identifier(type="UN DATAID", value=data_id))

    remarks = [text for text in (_text(record, "COMMENTS1"),) if text]
    remarks.extend(f"Title: {value}" for value in _values(record, "TITLE/VALUE"))
    remarks.extend(f"Designation: {value}" for value in _values(record, "DESIGNATION/VALUE"))
    for node in record.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
        place = ", ".join(p for p in (_text(node, t) for t in ("CITY", "STATE_PROVINCE", "COUNTRY")) if p)
        if place:
            remarks.append(f"Place of birth: {place}")

    return ParsedEntry(
        entity_id=entity_id,
        type=entry_type,
        name=name,
        aliases=aliases,
        programs=[program] if (program := _text(record, "UN_LIST_TYPE")) else [],
        countries=countries,
        birth_dates=birth_dates,
        identifiers=identifiers,
        addresses=addresses,
        remarks="\n".join(remarks) or None,
        listed_on=parse_iso_date(_text(record, "LISTED_ON")),
        source_url=UN_LIST_URL,
    )


def _birth_dates(node: Element) -> list[BirthDate]:
    kind = (_text(node, "TYPE_OF_DATE") or "").upper()
    if kind == "BETWEEN":
        first, last = _text(node, "FROM_YEAR"), _text(node, "TO_YEAR")
        if first and last and first.isdigit() and last.isdigit():
            return year_range(int(first), int(last))
        return []
    found = parse_iso_partial(_text(node, "DATE")) or parse_iso_partial(_text(node, "YEAR"))
    if found is None and (note := _text(node, "NOTE")) and (match := _MONTH_YEAR.match(note)):
        month = _MONTHS.get(match.group(1).lower())
        found = BirthDate.of(int(match.group(2)), month) if month else None
    return [found] if found else []


def _document(node: Element) -> Identifier | None:
    number = _text(node, "NUMBER")
    if not number:
        return None
    kind = _text(node, "TYPE_OF_DOCUMENT") or _text(node, "TYPE_OF_DOCUMENT2") or "Document"
    country = un_country(_text(node, "ISSUING_COUNTRY") or _text(node, "COUNTRY_OF_ISSUE"))
    return Identifier(type=kind, value=number, country=country)


def _address(node: Element) -> Address | None:
    country_name = _text(node, "COUNTRY")
    parts = [_text(node, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE")]
    parts.append(country_name)
    text = ", ".join(part for part in parts if part)
    if not text:
        return None
    return Address(text=text, country=un_country(country_name))
