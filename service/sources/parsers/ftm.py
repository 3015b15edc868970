"""OpenSanctions FollowTheMoney (FtM) JSON lines: `entities.ftm.json` and its `entities.delta.json`.

Wire-format notes:
- one JSON object per line: `id`, `schema`, `properties` (every value a list of strings),
  `target`, `datasets`, `last_change` ...; the file has no header, so `published_at` is the
  newest `last_change` in it;
- only target-like schemas (Person, Organization, Company, LegalEntity, PublicBody, Vessel,
  Airplane) with `target` true become entries; the rest are relations resolved onto them:
  Sanction (`entity` -> target; its programId/program and listingDate/startDate), Address
  (referenced from the target's `addressEntity`), Passport/Identification (`holder` -> target);
  Ownership, Family, Directorship ... are not screening data and are only counted;
- countries are lowercase ISO codes plus non-country codes ("eu", "suhh"), which are dropped;
- `topics` ("sanction", "export.control", "crime") are kept as programs "topic:<topic>".

The delta file (`entities.delta.json`) holds `{"op": "ADD"|"MOD"|"DEL", "entity": {...}}` lines
and needs the previous version to apply, so it is not a plain Parser: see ftm_delta.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

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
from service.sources.parsers.base import SourceFile
from service.sources.parsers.dates import add_unique, parse_iso_date, parse_iso_partial
from service.unicode_scripts import alias_script

TARGET_SCHEMAS: dict[str, EntityType] = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "PublicBody": "organization",
    "LegalEntity": "unknown",  # FtM's "person or organization, we do not know which"
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
# Name properties -> (strength, kind); `name` values after the first are strong aliases too.
_NAME_PROPERTIES: tuple[tuple[str, AliasStrength, str], ...] = (
    ("name", "strong", "aka"),
    ("alias", "strong", "aka"),
    ("previousName", "strong", "fka"),
    ("weakAlias", "weak", "aka"),
)
_ID_PROPERTIES: dict[str, str] = {
    "idNumber": "ID Number",
    "passportNumber": "Passport",
    "taxNumber": "Tax Number",
    "innCode": "INN",
    "ogrnCode": "OGRN",
    "kppCode": "KPP",
    "okpoCode": "OKPO",
    "registrationNumber": "Registration Number",
    "leiCode": "LEI",
    "swiftBic": "SWIFT/BIC",
    "vatCode": "VAT",
    "imoNumber": "IMO Number",
    "mmsi": "MMSI",
    "callSign": "Call Sign",
    "registrationNumberAircraft": "Aircraft Registration",
    "serialNumber": "Serial Number",
    "uniqueEntityId": "Unique Entity ID",
    "permId": "PermID",
}
_COUNTRY_PROPERTIES = ("nationality", "citizenship", "country", "jurisdiction", "flag")
_IDENTITY_DOCUMENTS = {"Passport": "Passport", "Identification": "Identification"}
OPENSANCTIONS_ENTITY_URL = "https://www.opensanctions.org/entities/{}/"


@dataclass(slots=True)
class Relations:
    """What the non-target entities of one file say about each target, by target id."""

    programs: dict[str, list[str]] = field(default_factory=dict)
    listing_dates: dict[str, list[date]] = field(default_factory=dict)
    identifiers: dict[str, list[Identifier]] = field(default_factory=dict)
    addresses: dict[str, Address] = field(default_factory=dict)  # by Address entity id
    skipped: dict[str, int] = field(default_factory=dict)  # relation schemas not used, by schema


def read_json_lines(file: SourceFile) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; any unreadable line fails the whole file."""
    try:
        text = file.content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ListFileError(
            f"{file.name}: not UTF-8 at byte {error.start}; the file is corrupt or truncated"
        ) from error
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise ListFileError(
                f"{file.name}: line {number} is not valid JSON ({error.msg}); corrupt or truncated"
            ) from error
        if not isinstance(value, dict):
            raise ListFileError(f"{file.name}: line {number} is not a JSON object")
        yield number, value


def check_entity(entity: Any, file: SourceFile, line: int) -> dict[str, Any]:
    if not isinstance(entity, dict) or not isinstance(entity.get("id"), str) or not entity["id"]:
        raise ListFileError(f"{file.name}: line {line} has no entity id")
    properties = entity.get("properties", {})
    if not isinstance(entity.get("schema"), str) or not isinstance(properties, dict):
        raise ListFileError(f"{file.name}: line {line} (entity {entity['id']}) has no schema or properties")
    if not all(isinstance(v, list) for v in properties.values()):
        raise ListFileError(f"{file.name}: line {line} (entity {entity['id']}) has a property that is not a list")
    return entity


def is_target(entity: Mapping[str, Any]) -> bool:
    return entity["schema"] in TARGET_SCHEMAS and entity.get("target", True) is not False


def parse_ftm_json(files: Sequence[SourceFile]) -> ParsedList:
    """The target entities of one or more FtM entity files, with their relations resolved."""
    if not files:
        raise ListFileError("no FtM entities file given")
    entities: dict[str, dict[str, Any]] = {}
    for file in files:
        for line, raw in read_json_lines(file):
            entity = check_entity(raw, file, line)
            entities[entity["id"]] = entity  # a later file's copy of an id replaces the earlier one
    relations = collect_relations(entities.values())
    entries = [build_entry(entity, relations) for entity in entities.values() if is_target(entity)]
    stats = {"entities": len(entities), "targets": len(entries)}
    stats.update({f"skipped_{schema}": count for schema, count in sorted(relations.skipped.items())})
    return ParsedList(entries=entries, published_at=newest_change(entities.values()), stats=stats)


def newest_change(entities: Iterable[Mapping[str, Any]]) -> datetime | None:
    stamps = [e["last_change"] for e in entities if isinstance(e.get("last_change"), str)]
    if not stamps:
        return None
    try:
        newest = datetime.fromisoformat(max(stamps))
    except ValueError:
        return None
    return newest.astimezone(UTC) if newest.tzinfo else newest.replace(tzinfo=UTC)


def _values(entity: Mapping[str, Any], prop: str) -> list[str]:
    return [" ".join(v.split()) for v in entity.get("properties", {}).get(prop, []) if isinstance(v, str) and v.strip()]


def _first(entity: Mapping[str, Any], prop: str) -> str | None:
    values = _values(entity, prop)
    return values[0] if values else None


def _append(mapping: dict[str, list[Any]], key: str, values: list[Any]) -> None:
    bucket = mapping.setdefault(key, [])
    bucket.extend(value for value in values if value not in bucket)


def collect_relations(entities: Iterable[Mapping[str, Any]]) -> Relations:
    relations = Relations()
    for entity in entities:
        schema = entity["schema"]
        if schema in TARGET_SCHEMAS:
            continue
        if schema == "Sanction":
            programs = _values(entity, "programId") or _values(entity, "program")
            dates = [
                d for v in _values(entity, "listingDate") + _values(entity, "startDate") if (d := parse_iso_date(v))
            ]
            for target in _values(entity, "entity"):
                _append(relations.programs, target, programs)
                _append(relations.listing_dates, target, dates)
        elif schema == "Address":
            if address := _address(entity):
                relations.addresses[entity["id"]] = address
        elif schema in _IDENTITY_DOCUMENTS:
            number = _first(entity, "number")
            if number:
                kind = _first(entity, "type") or _IDENTITY_DOCUMENTS[schema]
                country = to_iso_country(_first(entity, "country"))
                for holder in _values(entity, "holder"):
                    _append(relations.identifiers, holder, [Identifier(type=kind, value=number, country=country)])
        else:
            relations.skipped[schema] = relations.skipped.get(schema, 0) + 1
    return relations


def _address(entity: Mapping[str, Any]) -> Address | None:
    country = to_iso_country(_first(entity, "country"))
    text = _first(entity, "full") or ", ".join(
        part
        for prop in ("street", "postOfficeBox", "postalCode", "city", "region")
        for part in _values(entity, prop)[:1]
    )
    return Address(text=text, country=country) if text else None


def build_entry(entity: Mapping[str, Any], relations: Relations) -> ParsedEntry:
    """One list entry from a target entity and what its relations say about it."""
    entity_id = entity["id"]
    names = _values(entity, "name")
    # OpenSanctions' caption is its pick of the best display name among the names (the first
    # `name` is often a Ukrainian or Lithuanian spelling); it is primary when it is one of them.
    caption = " ".join(str(entity.get("caption") or "").split())
    name = caption if caption in names else (names[0] if names else caption)
    if not name:
        raise ListFileError(f"FtM entity {entity_id} ({entity['schema']}) has no name")
    aliases: list[Alias] = []
    known = {name.casefold()}
    for prop, strength, kind in _NAME_PROPERTIES:
        for value in _values(entity, prop):
            if value.casefold() not in known:
                known.add(value.casefold())
                aliases.append(Alias(name=value, strength=strength, script=alias_script(value), kind=kind))

    countries: list[str] = []
    for prop in _COUNTRY_PROPERTIES:
        for value in _values(entity, prop):
            if (code := to_iso_country(value)) and code not in countries:
                countries.append(code)
    birth_dates: list[BirthDate] = []
    add_unique(birth_dates, [bd for v in _values(entity, "birthDate") if (bd := parse_iso_partial(v))])

    identifiers: list[Identifier] = []
    for prop, kind in _ID_PROPERTIES.items():
        for value in _values(entity, prop):
            ident = Identifier(type=kind, value=value)
            if ident not in identifiers:
                identifiers.append(ident)
    identifiers.extend(i for i in relations.identifiers.get(entity_id, []) if i not in identifiers)

    addresses = [Address(text=text) for text in _values(entity, "address")]
    for address_id in _values(entity, "addressEntity"):
        if (address := relations.addresses.get(address_id)) and address not in addresses:
            addresses.append(address)

    programs: list[str] = []
    for program in [*relations.programs.get(entity_id, []), *_values(entity, "programId")]:
        if program not in programs:
            programs.append(program)
    programs.extend(f"topic:{topic}" for topic in dict.fromkeys(_values(entity, "topics")))

    listing_dates = relations.listing_dates.get(entity_id) or [
        d for v in _values(entity, "createdAt") if (d := parse_iso_date(v))
    ]
    remarks = [*_values(entity, "notes"), *(f"Position: {p}" for p in _values(entity, "position"))]
    source_urls = _values(entity, "sourceUrl")
    return ParsedEntry(
        entity_id=entity_id,
        type=TARGET_SCHEMAS.get(entity["schema"], "unknown"),
        name=name,
        aliases=aliases,
        programs=programs,
        countries=countries,
        birth_dates=birth_dates,
        identifiers=identifiers,
        addresses=addresses,
        remarks="\n".join(remarks) or None,
        listed_on=min(listing_dates) if listing_dates else None,
        source_url=source_urls[0] if source_urls else OPENSANCTIONS_ENTITY_URL.format(entity_id),
    )
