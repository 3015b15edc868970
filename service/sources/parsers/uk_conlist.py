"""OFSI's Consolidated List of Asset Freeze Targets ("ConList"): the 2020 CSV and the 2022 CSV/XLSX.

Retired on 28 January 2026 (the UK Sanctions List replaced it); kept for historic data.

Wire-format quirks handled here (OFSI's "Financial sanctions: consolidated list of targets" guide):
- row 1 is `Last Updated,dd/mm/yyyy`, row 2 the header; the layout is told from the header: the
  pre-2022 format has 29 columns, the 2022 format 36 (adding non-Latin names, alias quality,
  passport and national-id numbers in their own columns);
- the old CSV is Windows-1252 with CRLF line ends, the 2022 one UTF-8 (it carries Cyrillic,
  Arabic and Chinese names); XLSX cells hold the same text;
- one row per (designation x name variant x date of birth x address): rows are grouped on
  `Group ID`, OFSI's stable id, which the UK Sanctions List keeps as `OFSIGroupID`;
- `Alias Type` is Prime Alias / Primary name (the entry's name), Primary name variation, AKA or
  FKA; `Alias Quality` Good quality / Low quality (weak);
- names are `Name 1`..`Name 5` (given names) then `Name 6` (surname, or an entity's whole name);
- dates are dd/mm/yyyy with `00` for an unknown day or month; multi-valued cells are numbered
  `1) ... 2) ...` or `(1) ... (2) ...`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, EntityType, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.archive import is_zip
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.fields import (
    clean,
    country_code,
    country_codes,
    parse_dmy_birth_date,
    parse_dmy_date,
    split_enumerated,
)
from service.sources.parsers.xlsx import xlsx_rows
from service.unicode_scripts import alias_script

NAME_PARTS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
ADDRESS_PARTS = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6", "Post/Zip Code")
_COMMON = (
    *NAME_PARTS,
    "DOB",
    "Nationality",
    "Passport Details",
    *ADDRESS_PARTS,
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Regime",
    "Listed On",
    "Group ID",
)
COLUMNS_2020 = (*_COMMON, "NI Number")
COLUMNS_2022 = (
    *_COMMON,
    "Name Non-Latin Script",
    "Passport Number",
    "National Identification Number",
    "National Identification Details",
    "Alias Quality",
)
_TYPES: dict[str, EntityType] = {"individual": "person", "entity": "organization", "ship": "vessel"}
_PRIMARY = {"prime alias", "primary name"}
_IMO = re.compile(r"IMO(?:\s*(?:number|no\.?))?\)?\s*[:.]?\s*(\d{7})\b", re.IGNORECASE)
_UK_REF = re.compile(r"\(UK Sanctions List Ref\):\s*([A-Z]{3}\d{4})")
_ID_VALUE = re.compile(r"\b([A-Z]{0,3}-?\d[\dA-Z./-]{3,})", re.IGNORECASE)

_DOCUMENT_COLUMNS = (
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
    "NI Number",
    "Other Information",
)
Row = dict[str, str]
AddIdentifier = Callable[[str, str | None, str | None], None]


def parse_uk_conlist(files: Sequence[SourceFile]) -> ParsedList:
    file = single_file(files, "the UK ConList")
    raw_rows = _xlsx_text_rows(file) if is_zip(file) else _csv_rows(file)
    published_at, header_at = _preamble(file, raw_rows)
    header = [value.strip() for value in raw_rows[header_at][1]]
    required = COLUMNS_2022 if "Alias Quality" in header or "Name Non-Latin Script" in header else COLUMNS_2020
    missing = [column for column in required if column not in header]
    if missing:
        raise ListFileError(f"{file.name}: the header lacks column(s) {', '.join(repr(c) for c in missing)}")
    index = {column: header.index(column) for column in required}

    groups: dict[str, list[Row]] = {}
    for line, values in raw_rows[header_at + 1 :]:
        row = {column: values[i].strip() if i < len(values) else "" for column, i in index.items()}
        group_id = row["Group ID"]
        if not group_id:
            raise ListFileError(f"{file.name}: row {line} has no Group ID")
        groups.setdefault(group_id, []).append(row)
    if not groups:
        raise ListFileError(f"{file.name}: no designations after the header")

    entries: list[ParsedEntry] = []
    warnings: list[str] = []
    for group_id, rows in groups.items():
        entry = _entry(group_id, rows)
        if entry is None:
            warnings.append(f"Group ID {group_id} has no name in any of its rows and was skipped")
        else:
            entries.append(entry)
    return ParsedList(
        entries=entries,
        published_at=published_at,
        stats={
            "rows": sum(len(rows) for rows in groups.values()),
            "without_primary_name": sum(1 for rows in groups.values() if not any(_is_primary(r) for r in rows)),
            "skipped_without_name": len(warnings),
        },
        warnings=warnings,
    )


def _csv_rows(file: SourceFile) -> list[tuple[int, list[str]]]:
    content = file.content
    has_bom = content.startswith(b"\xef\xbb\xbf")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if has_bom:  # declared UTF-8, yet not: damaged
            raise ListFileError(f"{file.name}: invalid UTF-8 ({error})") from error
        text = _decode_cp1252(file)
    if not text.endswith("\n"):
        raise ListFileError(f"{file.name}: does not end with a line break; the file looks truncated")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            if any(value.strip() for value in values):
                rows.append((reader.line_num, values))
    except csv.Error as error:
        raise ListFileError(f"{file.name}: line {reader.line_num}: {error}") from error
    header_at = 1 if rows and rows[0][1][0].strip() == "Last Updated" else 0
    if len(rows) > header_at:
        width = len(rows[header_at][1])
        for line, values in rows[header_at + 1 :]:
            if len(values) != width:
                raise ListFileError(
                    f"{file.name}: line {line} has {len(values)} fields, expected {width}; the file is corrupt"
                )
    return rows


def _decode_cp1252(file: SourceFile) -> str:
    """The pre-2022 file is Windows-1252 (0x92 is a curly apostrophe), which is not UTF-8."""
    try:
        return file.content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ListFileError(f"{file.name}: neither UTF-8 nor Windows-1252 text ({error})") from error


def _xlsx_text_rows(file: SourceFile) -> list[tuple[int, list[str]]]:
    return [(number, [_cell_text(value) for value in values]) for number, values in xlsx_rows(file)]


def _cell_text(value: object) -> str:
    """XLSX cells may be typed: dates come back as datetimes, years as numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _preamble(file: SourceFile, rows: list[tuple[int, list[str]]]) -> tuple[datetime | None, int]:
    """published_at from the `Last Updated` row and the position of the header row."""
    if not rows:
        raise ListFileError(f"{file.name}: the file is empty")
    first = rows[0][1]
    if first and first[0].strip() == "Last Updated":
        if len(rows) < 2:
            raise ListFileError(f"{file.name}: no header row after 'Last Updated'")
        day = parse_dmy_date(first[1] if len(first) > 1 else None)
        return (datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None), 1
    return None, 0


def _is_primary(row: Row) -> bool:
    return row["Alias Type"].lower() in _PRIMARY


def _full_name(row: Row) -> str:
    return " ".join(" ".join(row[part] for part in NAME_PARTS if row[part]).split())


def _entry(group_id: str, rows: list[Row]) -> ParsedEntry | None:
    primary_rows = [row for row in rows if _is_primary(row)] or rows
    name = next((_full_name(row) for row in [*primary_rows, *rows] if _full_name(row)), "")
    if not name:
        return None
    return ParsedEntry(
        entity_id=group_id,
        type=_TYPES.get(rows[0]["Group Type"].lower(), "unknown"),
        name=name,
        aliases=_aliases(name, rows),
        programs=_distinct(row["Regime"] for row in rows),
        countries=country_codes([*(row["Nationality"] for row in rows), *(row["Country"] for row in rows)]),
        birth_dates=_birth_dates(rows),
        identifiers=_identifiers(rows),
        addresses=_addresses(rows),
        remarks="\n".join(_distinct(row["Other Information"] for row in rows)) or None,
        listed_on=min((d for d in (parse_dmy_date(row["Listed On"]) for row in rows) if d), default=None),
    )


def _aliases(name: str, rows: list[Row]) -> list[Alias]:
    seen = {name.casefold()}
    aliases: list[Alias] = []
    for row in rows:
        alias_name = _full_name(row)
        if alias_name and alias_name.casefold() not in seen:
            seen.add(alias_name.casefold())
            kind = "fka" if row["Alias Type"].lower() == "fka" else "aka"
            weak = row.get("Alias Quality", "").lower().startswith("low")
            aliases.append(Alias(name=alias_name, strength="weak" if weak else "strong", kind=kind))
    for row in rows:
        original = " ".join(row.get("Name Non-Latin Script", "").split())
        if original and original.casefold() not in seen:
            seen.add(original.casefold())
            aliases.append(Alias(name=original, script=alias_script(original), kind="original"))
    return aliases


def _birth_dates(rows: list[Row]) -> list[BirthDate]:
    dates: list[BirthDate] = []
    for row in rows:
        for part in split_enumerated(row["DOB"]):
            birth_date = parse_dmy_birth_date(part)
            if birth_date and birth_date not in dates:
                dates.append(birth_date)
    return dates


def _identifiers(rows: list[Row]) -> list[Identifier]:
    identifiers: list[Identifier] = []

    def add(kind: str, value: str | None, country: str | None) -> None:
        if value and all(i.type != kind or i.value != value for i in identifiers):
            identifiers.append(Identifier(type=kind, value=value, country=country))

    seen_documents: set[tuple[str, ...]] = set()  # rows repeat the same cells once per name variant
    for row in rows:
        documents = tuple(row.get(column, "") for column in _DOCUMENT_COLUMNS)
        if documents in seen_documents:
            continue
        seen_documents.add(documents)
        if "Passport Number" in row:  # 2022: numbers and details in parallel numbered lists
            _paired(add, "Passport", row["Passport Number"], row["Passport Details"])
            _paired(add, "National ID", row["National Identification Number"], row["National Identification Details"])
        else:  # 2020: free text such as "Passport No: 592667 (Qatari passport issued on 3 May 2007)."
            for kind, text in (("Passport", row["Passport Details"]), ("National ID", row["NI Number"])):
                for part in split_enumerated(text):
                    if match := _ID_VALUE.search(part):
                        add(kind, match.group(1).rstrip("./-"), _country_in(part))
        for match in _IMO.finditer(row["Other Information"]):
            add("IMO", match.group(1), None)
        for match in _UK_REF.finditer(row["Other Information"]):
            add("UK Sanctions List Ref", match.group(1), "GB")
    return identifiers


def _paired(add: AddIdentifier, kind: str, numbers: str, details: str) -> None:
    detail_parts = split_enumerated(details) if split_enumerated(numbers) else []
    for position, number in enumerate(split_enumerated(numbers)):
        detail = detail_parts[position] if position < len(detail_parts) else details
        add(kind, number.rstrip("."), _country_in(detail))


_COUNTRY_LEAD = re.compile(r"^([A-Za-z' ]+?)(?:\s+(?:number|passport|national|diplomatic|no\b)|[,.(]|$)", re.I)
_COUNTRY_BRACKET = re.compile(r"\(([A-Za-z ]+?)(?: passport)?\)", re.IGNORECASE)


def _country_in(detail: str | None) -> str | None:
    """The issuing country when the detail starts with it ("India number, issued ...") or names it in brackets."""
    if not detail:
        return None
    if (lead := _COUNTRY_LEAD.match(detail.strip())) and (code := country_code(lead.group(1))):
        return code
    for bracket in _COUNTRY_BRACKET.finditer(detail):
        if code := country_code(bracket.group(1)):
            return code
    return None


def _addresses(rows: list[Row]) -> list[Address]:
    addresses: list[Address] = []
    seen: set[str] = set()
    for row in rows:
        parts = [row[part] for part in ADDRESS_PARTS if row[part]]
        if row["Country"]:
            parts.append(row["Country"])
        text = ", ".join(parts)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            addresses.append(Address(text=text, country=country_code(row["Country"])))
    return addresses


def _distinct(values: Iterable[str]) -> list[str]:
    result: list[str] = []
    for value in values:
        text = clean(value)
        if text and text not in result:
            result.append(text)
    return result
