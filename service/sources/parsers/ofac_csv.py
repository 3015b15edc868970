"""OFAC's legacy CSV sets: sdn.csv + add.csv + alt.csv + sdn_comments.csv (and the cons_* twins).

Wire-format quirks handled here (see OFAC's "SDN data file specification"):
- no header row; CRLF line ends; the file ends with one 0x1A (DOS end-of-file) byte;
- `-0-` (often with a trailing space) means null;
- `Remarks` is cut at a fixed length and continues in sdn_comments.csv under the same
  ent_num, often mid-word: the two are joined without a separator;
- aliases and addresses may name an ent_num that is not in the primary file (the
  files are published separately); such orphans are counted and skipped.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence

from service.countries import to_iso_country
from service.errors import ListFileError
from service.sources.model import Address, Alias, EntityType, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.base import SourceFile
from service.sources.parsers.ofac_remarks import parse_remarks

END_OF_FILE = "\x1a"
PRIMARY_COLUMNS = 12
_TYPES: dict[str, EntityType] = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
OFAC_ENTRY_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"


def _role(file_name: str) -> str:
    name = file_name.rsplit("/", 1)[-1].lower()
    if "comments" in name:
        return "comments"
    if "alt" in name:
        return "aliases"
    if "add" in name:
        return "addresses"
    if "sdn" in name or "prim" in name:
        return "primary"
    raise ListFileError(f"{file_name}: not an OFAC CSV file name (expected sdn/cons_prim, add, alt or comments)")


def _null(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "-0-") else value


def _rows(file: SourceFile, *, columns: int, require_end_marker: bool) -> list[list[str]]:
    text = file.content.decode("cp1252", errors="strict") if file.content else ""
    stripped = text.rstrip("\r\n")
    if stripped.endswith(END_OF_FILE):
        stripped = stripped[:-1]
    elif require_end_marker:
        raise ListFileError(f"{file.name}: does not end with OFAC's end-of-file byte 0x1A; the file looks truncated")
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(stripped, newline=""), strict=True)
    try:
        for row in reader:
            if not row or row == [""]:
                continue
            if len(row) != columns:
                raise ListFileError(
                    f"{file.name}: line {reader.line_num} has {len(row)} fields, expected {columns};"
                    " the file is corrupt or truncated"
                )
            if not row[0].strip().isdigit():
                raise ListFileError(f"{file.name}: line {reader.line_num} has no numeric ent_num")
            rows.append(row)
    except csv.Error as error:
        raise ListFileError(f"{file.name}: line {reader.line_num}: {error}") from error
    return rows


def parse_ofac_csv(files: Sequence[SourceFile]) -> ParsedList:
    by_role: dict[str, SourceFile] = {}
    for file in files:
        role = _role(file.name)
        if role in by_role:
            raise ListFileError(f"two {role} files given: {by_role[role].name} and {file.name}")
        by_role[role] = file
    if "primary" not in by_role:
        raise ListFileError("the OFAC CSV set needs its primary file (sdn.csv or cons_prim.csv)")

    primary = _rows(by_role["primary"], columns=PRIMARY_COLUMNS, require_end_marker=True)
    aliases: dict[str, list[Alias]] = defaultdict(list)
    addresses: dict[str, list[Address]] = defaultdict(list)
    comments: dict[str, str] = defaultdict(str)
    address_owners: set[str] = set()
    if "aliases" in by_role:
        for ent_num, _alt_num, alt_type, alt_name, _remarks in _rows(
            by_role["aliases"], columns=5, require_end_marker=False
        ):
            name = _null(alt_name)
            if name:
                kind = (_null(alt_type) or "aka").lower().replace(".", "")
                aliases[ent_num.strip()].append(Alias(name=name, kind=kind))
    if "addresses" in by_role:
        for ent_num, _add_num, street, city, country, _remarks in _rows(
            by_role["addresses"], columns=6, require_end_marker=False
        ):
            address_owners.add(ent_num.strip())
            parts = [part for part in (_null(street), _null(city), _null(country)) if part]
            if parts:
                addresses[ent_num.strip()].append(
                    Address(text=", ".join(parts), country=to_iso_country(_null(country)))
                )
    if "comments" in by_role:
        for ent_num, continuation in _rows(by_role["comments"], columns=2, require_end_marker=False):
            comments[ent_num.strip()] += continuation

    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    for row in primary:
        ent_num = row[0].strip()
        if ent_num in seen:
            raise ListFileError(f"{by_role['primary'].name}: ent_num {ent_num} appears twice")
        seen.add(ent_num)
        entries.append(_entry(row, aliases[ent_num], addresses[ent_num], comments.get(ent_num)))

    return ParsedList(
        entries=entries,
        stats={
            "orphan_aliases": sum(len(v) for k, v in aliases.items() if k not in seen),
            "orphan_alias_entities": sum(1 for k in aliases if k not in seen),
            "orphan_addresses": sum(len(v) for k, v in addresses.items() if k not in seen),
            "orphan_address_entities": len(address_owners - seen),
            "orphan_comments": sum(1 for k in comments if k not in seen),
        },
    )


def _entry(row: list[str], aliases: list[Alias], addresses: list[Address], comment: str | None) -> ParsedEntry:
    ent_num = row[0].strip()
    name = _null(row[1]) or ""
    if not name:
        raise ListFileError(f"ent_num {ent_num} has no name")
    raw_type = (_null(row[2]) or "").lower()
    entry_type: EntityType = _TYPES.get(raw_type, "organization")
    programs = [p.strip() for p in (_null(row[3]) or "").strip("[]").split("] [") if p.strip()]
    remarks = _null(row[11])
    if comment:
        remarks = (remarks or "") + comment
    facts = parse_remarks(remarks)

    countries = list(facts.countries)
    vessel_flag = to_iso_country(_null(row[8]))
    for code in [vessel_flag, *(address.country for address in addresses)]:
        if code and code not in countries:
            countries.append(code)
    identifiers = list(facts.identifiers)
    if call_sign := _null(row[5]):
        identifiers.append(Identifier(type="Call Sign", value=call_sign, country=vessel_flag))

    known_names = {alias.name.upper() for alias in aliases} | {name.upper()}
    all_aliases = list(aliases)
    for alias in facts.aliases:
        if alias.name.upper() not in known_names:
            known_names.add(alias.name.upper())
            all_aliases.append(alias)
    return ParsedEntry(
        entity_id=ent_num,
        type=entry_type,
        name=name,
        aliases=all_aliases,
        programs=programs,
        countries=countries,
        birth_dates=facts.birth_dates,
        identifiers=identifiers,
        addresses=list(addresses),
        remarks=remarks,
        source_url=OFAC_ENTRY_URL.format(ent_num),
    )
