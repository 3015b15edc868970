"""OFAC's Enhanced XML: SDN_ENHANCED.XML / CONS_ENHANCED.XML (root `sanctionsData`), or its .ZIP.

The most structured OFAC format: every entity has typed names with translations in other
scripts, addresses split into parts, and typed features (birthdate, nationality, IMO number,
digital currency address ...). Wire-format quirks handled here:
- the namespace (`.../exports/ENHANCED_XML`) is matched on local names only, as OFAC has
  changed namespaces before;
- `referenceValues` (before the entities) map country refIds to ISO codes, which are more
  reliable than country names such as "Bahamas, The";
- an `identityDocument` has a `name` child pointing back at a name; only `names/name` are names;
- the ZIP holds one XML file and is unpacked with a size and member limit (zip bombs).
Entities are streamed one at a time, so memory stays flat on the full SDN file (about 100 MB).
"""

from __future__ import annotations

import calendar
import zipfile
import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element

from service.countries import to_iso_country
from service.errors import ListFileError
from service.sources.model import Address, Alias, AliasStrength, BirthDate, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.archive import is_zip, open_zip
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.dates import add_unique, parse_iso_date, year_range
from service.sources.parsers.ofac_csv import OFAC_ENTRY_URL
from service.sources.parsers.ofac_features import (
    alias_kind,
    clean_label,
    is_country_label,
    is_identifier_label,
    ofac_entity_type,
)
from service.sources.parsers.ofac_remarks import parse_ofac_date
from service.sources.parsers.ofac_xml import child_text, localize_tags
from service.sources.parsers.xmlutil import iter_xml, strip_ns
from service.unicode_scripts import alias_script

ROOT_TAG = "sanctionsData"
MAX_XML_BYTES = 500 * 1024 * 1024
"""The unpacked XML may not exceed this (SDN_ENHANCED.XML is about 100 MB); more is a zip bomb."""
MAX_ZIP_MEMBERS = 16
"""OFAC's ZIPs hold one file; a handful of extra members is tolerated, hundreds is not a list."""

# OFAC's script names -> ISO 15924 codes as service.unicode_scripts spells them; Latin is None, as
# Alias.script wants. Both Chinese variants become "Hani" (the Han script), as detection does.
_SCRIPTS: dict[str, str | None] = {
    "latin": None,
    "arabic": "Arab",
    "cyrillic": "Cyrl",
    "chinese simplified": "Hani",
    "chinese traditional": "Hani",
    "chinese": "Hani",
    "korean": "Hang",
    "japanese": "Jpan",
    "hebrew": "Hebr",
    "greek": "Grek",
    "georgian": "Geor",
    "armenian": "Armn",
    "thai": "Thai",
}
# OFAC wraps right-to-left names in bidi embedding marks (U+202B ... U+202C); they are invisible
# formatting, not part of the name, and would spoil exact comparisons.
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_ADDRESS_PART_ORDER = ("ADDRESS1", "ADDRESS2", "ADDRESS3", "CITY", "STATE/PROVINCE", "POSTAL CODE", "REGION")


def parse_ofac_enhanced_xml(files: Sequence[SourceFile]) -> ParsedList:
    file = single_file(files, "OFAC Enhanced XML (SDN_ENHANCED / CONS_ENHANCED, .XML or .ZIP)")
    if is_zip(file):
        file = _unzip(file)
    stream = iter_xml(file, {"dataAsOf", "referenceValue", "entity"})
    root = next(stream)
    if strip_ns(root.tag) != ROOT_TAG:
        raise ListFileError(f"{file.name}: root element is <{strip_ns(root.tag)}>, expected <{ROOT_TAG}>")

    countries_by_ref: dict[str, str] = {}
    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    warnings: list[str] = []
    published_at: datetime | None = None
    for element in stream:
        localize_tags(element)
        if element.tag == "dataAsOf":
            as_of = parse_iso_date(element.text)
            published_at = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC) if as_of else None
            if published_at is None:
                warnings.append(f"{file.name}: unreadable dataAsOf {element.text!r} ignored")
        elif element.tag == "referenceValue":
            iso = child_text(element, "isoCode")
            if child_text(element, "type") == "COUNTRY" and iso and element.get("refId"):
                countries_by_ref[element.get("refId", "")] = iso.upper()
        else:
            entry = _Entity(file, element, countries_by_ref).build()
            if entry.entity_id in seen:
                raise ListFileError(f"{file.name}: entity id {entry.entity_id} appears twice")
            seen.add(entry.entity_id)
            entries.append(entry)
    return ParsedList(entries=entries, published_at=published_at, warnings=warnings)


def _unzip(file: SourceFile) -> SourceFile:
    archive = open_zip(file, max_uncompressed=MAX_XML_BYTES)
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ListFileError(f"{file.name}: the archive has {len(members)} members, expected one XML file")
        xml_members = [m for m in members if not m.is_dir() and m.filename.lower().endswith(".xml")]
        if len(xml_members) != 1:
            raise ListFileError(f"{file.name}: expected one XML file in the archive, found {len(xml_members)}")
        member = xml_members[0]
        try:
            content = archive.read(member)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError) as error:
            # RuntimeError: encrypted member; NotImplementedError: unknown compression method.
            raise ListFileError(
                f"{file.name}: cannot unpack {member.filename} ({error}); the archive is corrupt"
            ) from error
    return SourceFile(name=f"{file.name}/{member.filename}", content=content)


class _Entity:
    """One `entity` element -> ParsedEntry; a class only to share the file and country table."""

    __slots__ = ("countries", "countries_by_ref", "element", "file")

    def __init__(self, file: SourceFile, element: Element, countries_by_ref: dict[str, str]) -> None:
        self.file = file
        self.element = element
        self.countries_by_ref = countries_by_ref
        self.countries: list[str] = []

    def country(self, ref: str | None, name: str | None) -> str | None:
        """ISO code from a country refId or, failing that, from the country name."""
        if ref and ref.strip() in self.countries_by_ref:
            return self.countries_by_ref[ref.strip()]
        return to_iso_country(name)

    def country_of(self, element: Element | None) -> str | None:
        """ISO code of a `<country refId="11065">China</country>`-style element."""
        if element is None:
            return None
        return self.country(element.get("refId"), element.text)

    def add_country(self, code: str | None) -> None:
        if code and code not in self.countries:
            self.countries.append(code)

    def build(self) -> ParsedEntry:
        element = self.element
        entity_id = (element.get("id") or "").strip()
        if not entity_id:
            raise ListFileError(f"{self.file.name}: an entity has no id")
        name, aliases = self._names(entity_id)
        birth_dates, identifiers = self._features()
        identifiers.extend(self._documents())
        addresses = self._addresses()
        published = [
            d
            for item in element.iterfind("sanctionsLists/sanctionsList")
            if (d := parse_iso_date(item.get("datePublished")))
        ]
        return ParsedEntry(
            entity_id=entity_id,
            type=ofac_entity_type(child_text(element, "generalInfo/entityType")),
            name=name,
            aliases=aliases,
            programs=[
                text for p in element.iterfind("sanctionsPrograms/sanctionsProgram") if (text := (p.text or "").strip())
            ],
            countries=self.countries,
            birth_dates=birth_dates,
            identifiers=identifiers,
            addresses=addresses,
            remarks=child_text(element, "generalInfo/remarks"),
            listed_on=min(published) if published else None,
            source_url=OFAC_ENTRY_URL.format(entity_id),
        )

    def _names(self, entity_id: str) -> tuple[str, list[Alias]]:
        primary: str | None = None
        aliases: list[Alias] = []
        for name in self.element.iterfind("names/name"):
            is_primary_name = child_text(name, "isPrimary") == "true"
            strength: AliasStrength = "weak" if child_text(name, "isLowQuality") == "true" else "strong"
            kind = alias_kind(child_text(name, "aliasType"))
            for translation in name.iterfind("translations/translation"):
                text = child_text(translation, "formattedFullName") or " ".join(
                    value for part in translation.iterfind("nameParts/namePart") if (value := child_text(part, "value"))
                )
                text = " ".join(text.translate(_BIDI_MARKS).split())
                if not text:
                    continue
                script = self._script(child_text(translation, "script"), text)
                if is_primary_name and primary is None and child_text(translation, "isPrimary") == "true":
                    primary = text
                elif is_primary_name:
                    # The primary name in another script: the name as the party writes it.
                    aliases.append(Alias(name=text, strength="strong", script=script, kind="original"))
                else:
                    aliases.append(Alias(name=text, strength=strength, script=script, kind=kind))
        if primary is None:
            raise ListFileError(f"{self.file.name}: entity {entity_id} has no primary name")
        return primary, [alias for alias in aliases if alias.name != primary]

    @staticmethod
    def _script(script_name: str | None, text: str) -> str | None:
        key = (script_name or "").strip().lower()
        return _SCRIPTS[key] if key in _SCRIPTS else alias_script(text)

    def _features(self) -> tuple[list[BirthDate], list[Identifier]]:
        birth_dates: list[BirthDate] = []
        identifiers: list[Identifier] = []
        for feature in self.element.iterfind("features/feature"):
            label = child_text(feature, "type") or ""
            value = child_text(feature, "value")
            if label.lower() == "birthdate":
                add_unique(birth_dates, parse_ofac_date(value or "") or _value_date(feature.find("valueDate")))
            elif is_country_label(label):
                self.add_country(self.country(child_text(feature, "valueRefId"), value))
            elif value and is_identifier_label(label):
                identifiers.append(Identifier(type=clean_label(label), value=value))
        return birth_dates, identifiers

    def _documents(self) -> list[Identifier]:
        identifiers: list[Identifier] = []
        for document in self.element.iterfind("identityDocuments/identityDocument"):
            number = child_text(document, "documentNumber")
            label = child_text(document, "type")
            if number and label:
                country = self.country_of(document.find("issuingCountry"))
                identifiers.append(Identifier(type=clean_label(label), value=number, country=country))
        return identifiers

    def _addresses(self) -> list[Address]:
        addresses: list[Address] = []
        for address in self.element.iterfind("addresses/address"):
            country_name = child_text(address, "country")
            code = self.country_of(address.find("country"))
            self.add_country(code)
            for translation in address.iterfind("translations/translation"):
                parts = {
                    (child_text(part, "type") or "").upper(): child_text(part, "value")
                    for part in translation.iterfind("addressParts/addressPart")
                }
                ordered = [parts[key] for key in _ADDRESS_PART_ORDER if parts.get(key)]
                ordered += [value for key, value in parts.items() if key not in _ADDRESS_PART_ORDER and value]
                text = ", ".join(part for part in [*ordered, country_name] if part)
                if text and all(existing.text != text for existing in addresses):
                    addresses.append(Address(text=text, country=code))
        return addresses


def _value_date(value_date: Element | None) -> list[BirthDate]:
    """Precision from the `valueDate` bounds when the display text is not one OFAC usually writes."""
    if value_date is None:
        return []
    begin = parse_iso_date(child_text(value_date, "fromDateBegin"))
    end = parse_iso_date(child_text(value_date, "toDateEnd"))
    if begin is None or end is None:
        return []
    if begin == end:
        found = BirthDate.of(begin.year, begin.month, begin.day)
        return [found] if found else []
    if begin.year == end.year and begin.month == end.month and begin.day == 1 and _is_month_end(end):
        found = BirthDate.of(begin.year, begin.month)
        return [found] if found else []
    if (begin.month, begin.day, end.month, end.day) == (1, 1, 12, 31):
        return year_range(begin.year, end.year)
    return []


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]
