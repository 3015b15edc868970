"""The US Consolidated Screening List (trade.gov): consolidated.csv and consolidated.json.

The CSL merges 13 lists from Commerce, State and Treasury. The sub-list a row comes from decides
what it means for an export (an Entity List licence requirement is not an SDN block), so it is
kept as the first program of the entry, as a short stable code:

    EL    Entity List (BIS)                       DPL   Denied Persons List (BIS)
    MEU   Military End User List (BIS)            UVL   Unverified List (BIS)
    DTC   ITAR Debarred (State, DDTC)             ISN   Nonproliferation Sanctions (State)
    SDN   Specially Designated Nationals (OFAC)   SSI   Sectoral Sanctions Identifications (OFAC)
    FSE   Foreign Sanctions Evaders (OFAC)        PLC   Palestinian Legislative Council (OFAC)
    CAP   CAPTA List (OFAC)                       CMIC  Chinese Military-Industrial Complex (OFAC)
    MBS   Non-SDN Menu-Based Sanctions (OFAC, "NS-MBS List" in the file)

The code is the abbreviation the `source` column gives in brackets; an unknown sub-list keeps its
bracketed abbreviation (or its whole name), so a new list shows up instead of being dropped.

Wire-format quirks handled here:
- multi-valued cells are joined with "; " (alt_names, addresses, programs, ids, dates_of_birth);
- a few quoted cells hold embedded newlines (names, addresses), so rows are read with the csv
  module and whitespace in values is collapsed;
- `ids` items are "country, [dates,] number, type" in the 2022 export but "type, number, country"
  in the current one (same header); the order is voted per file from where the country codes
  and the "...:"/"... -" labels sit;
- `_id` is the entity_id; Treasury rows use the OFAC ent_num, and an OFAC party on several
  Treasury lists (SDN + SSI + CAPTA) has one row per list with the same `_id`: those rows are
  merged into one entry with the programs of all of them;
- untyped rows (all BIS and State lists) stay type "unknown": guessing "organization" from the
  name would let a type contradiction hide a true match.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Literal

from service.countries import to_iso_country
from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, EntityType, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.dates import add_unique, parse_iso_date, parse_iso_partial
from service.sources.parsers.ofac_features import add_country, clean_label, is_country_label, is_identifier_label
from service.sources.parsers.ofac_remarks import parse_ofac_date
from service.unicode_scripts import alias_script

SOURCE_CODES: dict[str, str] = {
    "EL": "EL",
    "MEU": "MEU",
    "UVL": "UVL",
    "DPL": "DPL",
    "DTC": "DTC",
    "ISN": "ISN",
    "SDN": "SDN",
    "SSI": "SSI",
    "FSE": "FSE",
    "PLC": "PLC",
    "CAP": "CAP",
    "CMIC": "CMIC",
    "NS-MBS LIST": "MBS",
    "NS-MBS": "MBS",
}
REQUIRED_COLUMNS = ("_id", "source", "name")
_TYPES: dict[str, EntityType] = {
    "individual": "person",
    "entity": "organization",
    "vessel": "vessel",
    "aircraft": "aircraft",
}
_SUB_LIST_CODES = frozenset(SOURCE_CODES.values())
# ISN names end with "; and any successor, sub-unit, or subsidiary thereof" or ", and its sub-units
# and successors": a scope of the listing, not part of the name. Kept in the remarks.
_SUCCESSOR_CLAUSE = re.compile(r"[;,]?\s*and (?:any|its) (?:successors?|sub-units?)\b.*$", re.IGNORECASE)
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND"
    " OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split()
)
# BIS and State rows often end a US address with "STATE, ZIP" and no country.
_US_STATE_ZIP = re.compile(r",\s*([A-Z]{2}),?\s+\d{5}(?:-\d{4})?$")
_BRACKETED = re.compile(r"\(([^()]+)\)")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
IdsOrder = Literal["type_first", "type_last"]
Record = Mapping[str, object]


def source_code(source: str) -> str:
    """`Entity List (EL) - Bureau of Industry and Security` -> `EL` (see the module docstring)."""
    match = _BRACKETED.search(source)
    if match is None:
        return " ".join(source.split())
    abbreviation = match.group(1).strip()
    return SOURCE_CODES.get(abbreviation.upper(), abbreviation)


def parse_us_csl_csv(files: Sequence[SourceFile]) -> ParsedList:
    file = single_file(files, "US CSL CSV (consolidated.csv)")
    text = _decode(file)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[dict[str, str]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ListFileError(f"{file.name}: empty file")
        header = [column.strip() for column in header]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise ListFileError(f"{file.name}: not a CSL CSV, the header lacks {', '.join(missing)}")
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise ListFileError(
                    f"{file.name}: line {reader.line_num} has {len(row)} fields, expected {len(header)};"
                    " the file is corrupt or truncated"
                )
            records.append(dict(zip(header, row, strict=True)))
    except csv.Error as error:
        raise ListFileError(
            f"{file.name}: line {reader.line_num}: {error}; the file is corrupt or truncated"
        ) from error
    return _build(file, records, ids_order=_vote_ids_order(records), published_at=None)


def parse_us_csl_json(files: Sequence[SourceFile]) -> ParsedList:
    """The JSON export: `{"results": [...], "sources_used": [...]}` with the CSV's fields as arrays/objects."""
    file = single_file(files, "US CSL JSON (consolidated.json)")
    try:
        document = json.loads(_decode(file))
    except json.JSONDecodeError as error:
        raise ListFileError(f"{file.name}: not valid JSON ({error}); the file is corrupt or truncated") from error
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list) or not all(isinstance(item, dict) for item in results):
        raise ListFileError(f"{file.name}: not a CSL JSON export (expected an object with a results array)")
    records = [{**item, "_id": item.get("_id", item.get("id"))} for item in results]
    return _build(file, records, ids_order="type_first", published_at=_sources_updated(document))


def _decode(file: SourceFile) -> str:
    try:
        return file.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ListFileError(
            f"{file.name}: not UTF-8 at byte {error.start}; the file is corrupt or truncated"
        ) from error


def _sources_updated(document: dict[str, object]) -> datetime | None:
    sources = document.get("sources_used")
    if not isinstance(sources, list):
        return None
    dates = [
        found
        for source in sources
        if isinstance(source, dict)
        and (found := parse_iso_date(str(source.get("source_last_updated") or source.get("last_imported") or "")))
    ]
    latest = max(dates, default=None)
    return datetime(latest.year, latest.month, latest.day, tzinfo=UTC) if latest else None


def _build(
    file: SourceFile, records: Sequence[Record], *, ids_order: IdsOrder, published_at: datetime | None
) -> ParsedList:
    entries: dict[str, ParsedEntry] = {}
    warnings: list[str] = []
    merged = 0
    for number, record in enumerate(records, start=1):
        entity_id = _text(record.get("_id"))
        if not entity_id:
            raise ListFileError(f"{file.name}: record {number} has no _id")
        entry = _entry(entity_id, record, ids_order)
        if entry is None:
            warnings.append(f"{file.name}: record {number} (_id {entity_id}) has no name and was skipped")
        elif entity_id in entries:
            _merge(entries[entity_id], entry)
            merged += 1
        else:
            entries[entity_id] = entry
    return ParsedList(
        entries=list(entries.values()),
        published_at=published_at,
        stats={"rows": len(records), "merged_rows": merged},
        warnings=warnings,
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _values(value: object) -> list[str]:
    """A multi-valued field: a JSON array, or a CSV cell joined with "; ".

    The Entity List writes some lists as prose ("a; b; and c"), so a leading "and " is dropped.
    """
    items = value if isinstance(value, list) else str(value or "").split(";")
    texts = [text for item in items if (text := _text(item))]
    if len(texts) > 1:
        texts = [text[4:] if text.lower().startswith("and ") else text for text in texts]
    return texts


def _entry(entity_id: str, record: Record, ids_order: IdsOrder) -> ParsedEntry | None:
    full_name = _text(record.get("name"))
    name = _SUCCESSOR_CLAUSE.sub("", full_name or "").strip(" ;,")
    if not name:
        return None
    countries: list[str] = []
    for code in [*_values(record.get("nationalities")), *_values(record.get("citizenships"))]:
        add_country(countries, code)
    addresses = _addresses(record.get("addresses"))
    for address in addresses:
        add_country(countries, address.country)
    vessel_flag = _text(record.get("vessel_flag"))
    add_country(countries, vessel_flag)
    identifiers = _identifiers(record.get("ids"), ids_order, countries)
    if call_sign := _text(record.get("call_sign")):
        identifiers.append(Identifier(type="Call Sign", value=call_sign, country=to_iso_country(vessel_flag)))

    birth_dates: list[BirthDate] = []
    for value in _values(record.get("dates_of_birth")):
        exact = parse_iso_partial(value)
        add_unique(birth_dates, [exact] if exact else parse_ofac_date(value))

    code = source_code(_text(record.get("source")) or "")
    programs = [code] if code else []
    programs += [program for program in _values(record.get("programs")) if program not in programs]
    return ParsedEntry(
        entity_id=entity_id,
        type=_TYPES.get((_text(record.get("type")) or "").lower(), "unknown"),
        name=name,
        aliases=[
            Alias(name=alias, script=alias_script(alias))
            for alias in dict.fromkeys(_values(record.get("alt_names")))
            if alias != name
        ],
        programs=programs,
        countries=countries,
        birth_dates=birth_dates,
        identifiers=identifiers,
        addresses=addresses,
        remarks=_remarks(record, scope=full_name if full_name != name else None),
        listed_on=parse_iso_date(_text(record.get("start_date"))),
        source_url=_text(record.get("source_list_url")) or _text(record.get("source_information_url")),
    )


def _remarks(record: Record, *, scope: str | None) -> str | None:
    labelled = (
        ("remarks", ""),
        ("title", "Title: "),
        ("license_requirement", "License requirement: "),
        ("license_policy", "License policy: "),
        ("federal_register_notice", "Federal Register: "),
        ("end_date", "Until: "),
    )
    parts = [f"{label}{text}" for key, label in labelled if (text := _text(record.get(key)))]
    if scope:
        parts.append(f"Listed as: {scope}")
    return "\n".join(parts) or None


def _addresses(value: object) -> list[Address]:
    """CSV: "street, city, ..., CN; ..." (the country code last); JSON: objects with named parts."""
    addresses: list[Address] = []
    items: list[object] = value if isinstance(value, list) else list(_values(value))
    for item in items:
        if isinstance(item, dict):
            parts = [_text(item.get(key)) for key in ("address", "city", "state", "postal_code", "country")]
            text = ", ".join(part for part in parts if part)
            country = to_iso_country(_text(item.get("country")))
        else:
            text = _text(item) or ""
            # The country closes the address, as a code ("..., CN") or now and then a name ("..., China").
            country = to_iso_country(text.rsplit(",", 1)[-1].strip()) or _us_by_state(text)
        if text and all(existing.text != text for existing in addresses):
            addresses.append(Address(text=text, country=country))
    return addresses


def _us_by_state(text: str) -> str | None:
    match = _US_STATE_ZIP.search(text)
    return "US" if match and match.group(1) in US_STATES else None


def _vote_ids_order(records: Sequence[Record]) -> IdsOrder:
    """Which end of an `ids` item holds the type label in this file (see the module docstring)."""
    type_last = type_first = 0
    for record in records:
        for item in _values(record.get("ids")):
            parts = [part.strip() for part in item.split(",")]
            if len(parts) < 2:
                continue
            type_last += bool(_COUNTRY_CODE.match(parts[0])) + parts[-1].endswith((":", " -"))
            type_first += bool(_COUNTRY_CODE.match(parts[-1])) + parts[0].endswith((":", " -"))
    return "type_last" if type_last > type_first else "type_first"


def _identifiers(value: object, order: IdsOrder, countries: list[str]) -> list[Identifier]:
    identifiers: list[Identifier] = []
    items: list[object] = value if isinstance(value, list) else list(_values(value))
    for item in items:
        if isinstance(item, dict):
            label = _text(item.get("type")) or ""
            number = _text(item.get("number"))
            country = _text(item.get("country"))
        else:
            label, number, country = _split_id(_text(item) or "", order)
        if is_country_label(label):
            add_country(countries, number or country)
        elif number and is_identifier_label(label):
            identifier = Identifier(type=clean_label(label), value=number, country=to_iso_country(country))
            if identifier not in identifiers:
                identifiers.append(identifier)
    return identifiers


def _split_id(item: str, order: IdsOrder) -> tuple[str, str | None, str | None]:
    """(type, number, country) of one CSV `ids` item in the file's order."""
    parts = [part.strip() for part in item.split(",")]
    if len(parts) < 2:
        return "", None, None
    if order == "type_last":
        # "JO, 2014-08-30, 2009-08-31, K475336, Passport": country first, dates, then the number.
        country = parts[0] if len(parts) > 2 and _COUNTRY_CODE.match(parts[0]) else None
        return parts[-1], parts[-2], country
    # "Passport, 836238033, KP": type, number, then the country (and any dates) after it.
    country = next((part for part in parts[2:] if _COUNTRY_CODE.match(part)), None)
    return parts[0], parts[1], country


def _merge(target: ParsedEntry, other: ParsedEntry) -> None:
    """Fold a second row of the same party (another Treasury sub-list) into the first."""
    # The other row's sub-list code goes with the codes at the front, before the row programs.
    codes = next(
        (i for i, program in enumerate(target.programs) if program not in _SUB_LIST_CODES), len(target.programs)
    )
    if other.programs and other.programs[0] in _SUB_LIST_CODES and other.programs[0] not in target.programs:
        target.programs.insert(codes, other.programs[0])
    for field in ("aliases", "programs", "countries", "birth_dates", "identifiers", "addresses"):
        values: list[object] = getattr(target, field)
        values.extend(value for value in getattr(other, field) if value not in values)
    if target.type == "unknown":
        target.type = other.type
    if other.listed_on and (target.listed_on is None or other.listed_on < target.listed_on):
        target.listed_on = other.listed_on
    if other.remarks and other.remarks != target.remarks:
        target.remarks = f"{target.remarks}\n{other.remarks}" if target.remarks else other.remarks
