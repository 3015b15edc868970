"""The UK Sanctions List (FCDO), the single UK list since OFSI's ConList was retired in January 2026.

Two layouts, told apart by content (a zip is an .ods, `<` starts the XML):
- the full XML (FCDO "Format guide for the UK Sanctions List"): root `Designations` with
  `DateGenerated` and one `Designation` per record; `UniqueID` (e.g. RUS0296) is the stable id;
  names are `Name1`..`Name6` with `NameType` Primary Name / Primary Name Variation / Alias in
  inconsistent casing ("ALias"), `AliasStrength` "Good quality a.k.a" or "Low quality a.k.a";
  dates dd/mm/yyyy, DOBs with literal "dd"/"mm" for unknown parts; `SanctionsImposed` `|`-separated;
- the 8-column summary spreadsheet (.ods): `Unique ID`, `OFSI Group ID`, `Name`, `Regime Name`,
  `Type`, `Designation source`, `Date Designated` (dd-mm-yyyy), `Sanctions Imposed`. It has no
  aliases, dates of birth, addresses or identity documents.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, EntityType, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.archive import is_zip
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.fields import (
    country_code,
    parse_dmy_birth_date,
    parse_dmy_date,
)
from service.sources.parsers.ods import ods_rows
from service.unicode_scripts import alias_script

_TYPES: dict[str, EntityType] = {"individual": "person", "entity": "organization", "ship": "vessel"}
SUMMARY_COLUMNS = (
    "Unique ID",
    "OFSI Group ID",
    "Name",
    "Regime Name",
    "Type",
    "Designation source",
    "Date Designated",
    "Sanctions Imposed",
)
ADDRESS_LINES = (*(f"AddressLine{n}" for n in range(1, 7)), "AddressPostalCode")


def parse_uk_sanctions_list(files: Sequence[SourceFile]) -> ParsedList:
    file = single_file(files, "the UK Sanctions List")
    if is_zip(file):
        return _parse_summary_ods(file)
    if file.content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _parse_xml(file)
    raise ListFileError(f"{file.name}: neither the UK Sanctions List XML nor its ODS spreadsheet")


# --- the summary spreadsheet ----------------------------------------------------------------


def _parse_summary_ods(file: SourceFile) -> ParsedList:
    rows = ods_rows(file)
    if not rows:
        raise ListFileError(f"{file.name}: the spreadsheet is empty")
    header = [(cell or "").strip() for cell in rows[0][1]]
    missing = [column for column in SUMMARY_COLUMNS if column not in header]
    if missing:
        raise ListFileError(f"{file.name}: the header lacks column(s) {', '.join(repr(c) for c in missing)}")
    index = {column: header.index(column) for column in SUMMARY_COLUMNS}
    entries: list[ParsedEntry] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for number, cells in rows[1:]:
        row = {column: (cells[i] or "").strip() if i < len(cells) else "" for column, i in index.items()}
        unique_id = row["Unique ID"]
        if not unique_id:
            raise ListFileError(f"{file.name}: row {number} has no Unique ID")
        if unique_id in seen:
            raise ListFileError(f"{file.name}: Unique ID {unique_id} appears twice (row {number})")
        seen.add(unique_id)
        if not row["Name"]:
            # The 2025-08-11 summary has two such rows (BEL0174, RUS1467): nothing to screen against.
            warnings.append(f"{unique_id} (row {number}) has an empty Name and was skipped")
            continue
        identifiers = [Identifier(type="OFSI Group ID", value=row["OFSI Group ID"], country="GB")]
        entries.append(
            ParsedEntry(
                entity_id=unique_id,
                type=_TYPES.get(row["Type"].lower(), "unknown"),
                name=" ".join(row["Name"].split()),
                programs=[row["Regime Name"]] if row["Regime Name"] else [],
                identifiers=identifiers if row["OFSI Group ID"] else [],
                remarks=_remarks(
                    ("Designation source", row["Designation source"]), ("Sanctions imposed", row["Sanctions Imposed"])
                ),
                listed_on=parse_dmy_date(row["Date Designated"]),
            )
        )
    if not entries:
        raise ListFileError(f"{file.name}: no designations after the header")
    # The summary carries no generation date (its meta.xml date is the template's).
    return ParsedList(
        entries=entries, stats={"rows": len(rows) - 1, "skipped_without_name": len(warnings)}, warnings=warnings
    )


def _remarks(*labelled: tuple[str, str | None]) -> str | None:
    parts = [f"{label}: {value}" for label, value in labelled if value]
    return "\n".join(parts) or None


# --- the full XML ---------------------------------------------------------------------------


def _parse_xml(file: SourceFile) -> ParsedList:
    entries: list[ParsedEntry] = []
    warnings: list[str] = []
    published_at: datetime | None = None
    seen: set[str] = set()
    try:
        for element in _designations(file):
            if element.tag == "DateGenerated":
                generated = parse_dmy_date(element.text)
                if generated:
                    published_at = datetime(generated.year, generated.month, generated.day, tzinfo=UTC)
                continue
            unique_id = _text(element.find("UniqueID"))
            if not unique_id:
                raise ListFileError(f"{file.name}: a Designation has no UniqueID")
            if unique_id in seen:
                raise ListFileError(f"{file.name}: UniqueID {unique_id} appears twice")
            seen.add(unique_id)
            entry = _designation(unique_id, element)
            if entry is None:
                warnings.append(f"{unique_id} has no name and was skipped")
            else:
                entries.append(entry)
    except (ParseError, DefusedXmlException) as error:
        raise ListFileError(f"{file.name}: malformed, truncated or unsafe XML ({error})") from error
    if not entries:
        raise ListFileError(f"{file.name}: no Designation elements")
    return ParsedList(
        entries=entries,
        published_at=published_at,
        stats={"designations": len(seen), "skipped_without_name": len(warnings)},
        warnings=warnings,
    )


def _designations(file: SourceFile) -> Iterator[Element]:
    """Each `DateGenerated` and `Designation` under the root, namespaces dropped, as it completes."""
    depth = 0
    events = iterparse(io.BytesIO(file.content), events=("start", "end"), forbid_dtd=True)
    for event, element in events:
        element.tag = element.tag.rsplit("}", 1)[-1]
        if event == "start":
            depth += 1
            if depth == 1 and element.tag != "Designations":
                raise ListFileError(f"{file.name}: root element is <{element.tag}>, expected <Designations>")
            continue
        depth -= 1
        if depth == 1 and element.tag in ("Designation", "DateGenerated"):
            yield element
            element.clear()  # the list is about 20 MB: keep one designation in memory at a time


def _text(element: Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _texts(element: Element, path: str) -> list[str]:
    values: list[str] = []
    for found in element.findall(path):
        text = _text(found)
        if text and text not in values:
            values.append(text)
    return values


def _designation(unique_id: str, element: Element) -> ParsedEntry | None:
    name, aliases = _names(element)
    if not name:
        return None
    addresses = _addresses(element)
    countries: list[str] = []
    for text in (
        *_texts(element, "IndividualDetails/Individual/Nationalities/Nationality"),
        *(address.country for address in addresses if address.country),
        *_texts(element, "ShipDetails/Ship/CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip"),
    ):
        code = country_code(text)
        if code and code not in countries:
            countries.append(code)
    birth_dates: list[BirthDate] = []
    for text in _texts(element, "IndividualDetails/Individual/DOBs/DOB"):
        birth_date = parse_dmy_birth_date(text)
        if birth_date and birth_date not in birth_dates:
            birth_dates.append(birth_date)
    return ParsedEntry(
        entity_id=unique_id,
        type=_TYPES.get(_text(element.find("IndividualEntityShip")).lower(), "unknown"),
        name=name,
        aliases=aliases,
        programs=_texts(element, "RegimeName"),
        countries=countries,
        birth_dates=birth_dates,
        identifiers=_identifiers(element),
        addresses=addresses,
        remarks=_remarks(
            ("Other information", _text(element.find("OtherInformation"))),
            ("Statement of reasons", _text(element.find("UKStatementofReasons"))),
            ("Sanctions imposed", _text(element.find("SanctionsImposed")).replace("|", ", ")),
        ),
        listed_on=parse_dmy_date(_text(element.find("DateDesignated"))),
    )


def _names(element: Element) -> tuple[str, list[Alias]]:
    primary = ""
    others: list[tuple[str, Alias]] = []
    for name_element in element.findall("Names/Name"):
        parts = [_text(name_element.find(f"Name{n}")) for n in range(1, 7)]
        full = " ".join(part for part in parts if part)
        if not full:
            continue
        name_type = _text(name_element.find("NameType")).lower()
        if name_type == "primary name" and not primary:
            primary = full
            continue
        weak = _text(name_element.find("AliasStrength")).lower().startswith("low")
        others.append((full, Alias(name=full, strength="weak" if weak else "strong")))
    for text in _texts(element, "NonLatinNames/NonLatinName/NameNonLatinScript"):
        others.append((text, Alias(name=text, script=alias_script(text), kind="original")))
    if not primary and others:  # no name marked primary: the first one stands in
        primary = others.pop(0)[0]
    seen = {primary.casefold()}
    aliases: list[Alias] = []
    for text, alias in others:
        if text.casefold() not in seen:
            seen.add(text.casefold())
            aliases.append(alias)
    return primary, aliases


def _addresses(element: Element) -> list[Address]:
    addresses: list[Address] = []
    for address in element.findall("Addresses/Address"):
        country = _text(address.find("AddressCountry"))
        parts = [_text(address.find(line)) for line in ADDRESS_LINES]
        text = ", ".join(part for part in [*parts, country] if part)
        if text and all(existing.text != text for existing in addresses):
            addresses.append(Address(text=text, country=country_code(country)))
    return addresses


def _identifiers(element: Element) -> list[Identifier]:
    identifiers: list[Identifier] = []

    def add(kind: str, value: str, country: str | None = None) -> None:
        if value and all(i.type != kind or i.value != value for i in identifiers):
            identifiers.append(Identifier(type=kind, value=value, country=country))

    for passport in element.findall("IndividualDetails/Individual/PassportDetails/Passport"):
        info = _text(passport.find("PassportAdditionalInformation"))
        add("Passport", _text(passport.find("PassportNumber")), _leading_country(info))
    for national in element.findall("IndividualDetails/Individual/NationalIdentifierDetails/NationalIdentifier"):
        info = _text(national.find("NationalIdentifierAdditionalInformation"))
        add("National ID", _text(national.find("NationalIdentifierNumber")), _leading_country(info))
    for number in _texts(element, "EntityDetails/Entity/BusinessRegistrationNumbers/BusinessRegistrationNumber"):
        add("Registration Number", number)
    for imo in _texts(element, "ShipDetails/Ship/IMONumbers/IMONumber"):
        add("IMO", imo.upper().removeprefix("IMO").strip())
    add("OFSI Group ID", _text(element.find("OFSIGroupID")), "GB")
    add("UN Reference Number", _text(element.find("UNReferenceNumber")))
    return identifiers


def _leading_country(info: str) -> str | None:
    """ "Russian foreign travel passport number" -> RU: the first word, when it names a country."""
    words = info.split()
    for length in (2, 1):
        if len(words) >= length and (code := country_code(" ".join(words[:length]))):
            return code
    return None
