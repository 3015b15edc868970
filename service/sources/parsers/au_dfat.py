"""Australia's DFAT Consolidated List (regulation8_consolidated.xlsx).

Wire-format quirks handled here:
- one row per name: alias rows reuse the base reference with a letter suffix (`2`, `2a`, `2b`,
  even `34c1` or `1140g `), so rows are grouped on the numeric base, which is the entity id;
- category cells carry trailing spaces and mixed case (`"Entity "`, `"Primary Name "`, `Aka`,
  `original Script`); `Original Script` rows are the name in its own script;
- `Control Date` is an Excel date (a serial number, or a date when the cell is formatted);
- `Date of Birth` is a date cell, a year number, or free text such as
  `a) Approximately 1955- 1958 b) Approximately 1945-1950`, `Between 1955 and 1958`, `12 Jul. 1961`;
- `NA`/`na` stands for an empty cell; multi-valued cells use `a) ... b) ...`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, EntityType, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.fields import clean, country_code, country_codes, split_enumerated
from service.sources.parsers.xlsx import xlsx_rows
from service.unicode_scripts import alias_script

COLUMNS = (
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
)
_TYPES: dict[str, EntityType] = {"individual": "person", "entity": "organization", "vessel": "vessel"}
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, counting its phantom 29 Feb 1900
_BASE_REFERENCE = re.compile(r"^\s*(\d+)")
_EMPTY = {"na", "n/a", "-", "none", "unknown"}
_MAX_RANGE_YEARS = 10
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# Most specific first: a full date must not be read as a bare year.
_DOB_PART = re.compile(
    r"\b(?P<iso>(\d{4})-(\d{2})-(\d{2}))\b"
    r"|\b(?P<dmy>(\d{1,2})[/.](\d{1,2})[/.](\d{4}))\b"
    rf"|\b(?P<dmony>(\d{{1,2}})\s+{_MONTH}\s*,?\s*(\d{{4}}))\b"
    rf"|\b(?P<mony>{_MONTH}\s+(\d{{4}}))\b"
    r"|\b(?P<range>(\d{4})\s*(?:-|–|to|and)\s*(\d{4}))\b"
    r"|\b(?P<year>(\d{4}))\b",
    re.IGNORECASE,
)
_IMO = re.compile(r"\bIMO(?:\s*(?:number|no\.?))?\s*[:.]?\s*(\d{7})\b", re.IGNORECASE)

Row = dict[str, object]


def parse_au_dfat_xlsx(files: Sequence[SourceFile]) -> ParsedList:
    file = single_file(files, "the DFAT consolidated list")
    rows = xlsx_rows(file)
    if not rows:
        raise ListFileError(f"{file.name}: the worksheet is empty")
    header = [str(value).strip() if value is not None else "" for value in rows[0][1]]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ListFileError(f"{file.name}: the header lacks column(s) {', '.join(repr(c) for c in missing)}")
    index = {column: header.index(column) for column in COLUMNS}

    groups: dict[str, list[Row]] = {}
    for number, values in rows[1:]:
        row = {column: values[i] if i < len(values) else None for column, i in index.items()}
        match = _BASE_REFERENCE.match(str(row["Reference"] or ""))
        if not match:
            raise ListFileError(f"{file.name}: row {number} has no numeric Reference ({row['Reference']!r})")
        groups.setdefault(str(int(match.group(1))), []).append(row)
    if not groups:
        raise ListFileError(f"{file.name}: no rows after the header")

    entries: list[ParsedEntry] = []
    warnings: list[str] = []
    for reference, group in groups.items():
        entry = _entry(reference, group)
        if entry is None:
            warnings.append(f"reference {reference} has no name and was skipped")
        else:
            entries.append(entry)
    return ParsedList(
        entries=entries,
        stats={"rows": len(rows) - 1, "skipped_without_name": len(warnings)},
        warnings=warnings,
    )


def _category(value: object) -> str:
    return " ".join(str(value or "").split()).lower()


def _text(value: object) -> str | None:
    text = clean(value)
    if text is None or text.lower() in _EMPTY:
        return None
    return " ".join(text.split())


def _entry(reference: str, rows: list[Row]) -> ParsedEntry | None:
    primary: str | None = None
    aliases: list[Alias] = []
    seen: set[str] = set()
    ordered = sorted(rows, key=lambda row: _category(row["Name Type"]) != "primary name")  # stable: primary first
    for row in ordered:
        name = _text(row["Name of Individual or Entity"])
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        name_type = _category(row["Name Type"])
        if primary is None and name_type != "original script":
            primary = name
        elif name_type == "original script":
            aliases.append(Alias(name=name, script=alias_script(name), kind="original"))
        else:
            aliases.append(Alias(name=name))
    if primary is None:
        if not aliases:
            return None
        primary = aliases.pop(0).name
    types = {_category(row["Type"]) for row in rows}
    entry_type: EntityType = next((_TYPES[t] for t in types if t in _TYPES), "unknown")
    addresses = _addresses(row["Address"] for row in rows)
    countries = country_codes(_text(row["Citizenship"]) for row in rows)
    for address in addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)
    remarks = _distinct(
        _text(row[column]) for row in rows for column in ("Additional Information", "Listing Information")
    )
    return ParsedEntry(
        entity_id=reference,
        type=entry_type,
        name=primary,
        aliases=aliases,
        programs=_distinct(_text(row["Committees"]) for row in rows),
        countries=countries,
        birth_dates=_birth_dates(row["Date of Birth"] for row in rows),
        identifiers=[Identifier(type="IMO", value=imo) for imo in _distinct(m.group(1) for m in _imo_numbers(remarks))],
        addresses=addresses,
        remarks="\n".join(remarks) or None,
        listed_on=min((d for d in (_excel_date(row["Control Date"]) for row in rows) if d), default=None),
    )


def _imo_numbers(texts: list[str]) -> Iterable[re.Match[str]]:
    for text in texts:
        yield from _IMO.finditer(text)


def _distinct(values: Iterable[str | None]) -> list[str]:
    result: list[str] = []
    for value in values:
        if value and value not in result:
            result.append(value)
    return result


def _excel_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and 1 <= value < 2_958_466:  # Excel's last day is 9999-12-31
        return _EXCEL_EPOCH + timedelta(days=int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return _excel_date(int(value.strip()))
    return None


def _addresses(values: Iterable[object]) -> list[Address]:
    addresses: list[Address] = []
    for value in values:
        for part in split_enumerated(_text(value)):
            text = part.rstrip(";,")
            if text and all(existing.text != text for existing in addresses):
                addresses.append(Address(text=text, country=country_code(text.rsplit(",", 1)[-1])))
    return addresses


def _birth_dates(values: Iterable[object]) -> list[BirthDate]:
    dates: list[BirthDate] = []
    for value in values:
        for birth_date in _parse_dob(value):
            if birth_date not in dates:
                dates.append(birth_date)
    return dates


def _parse_dob(value: object) -> list[BirthDate]:
    """Every date a DOB cell states; year ranges of up to ten years give each year in them."""
    if isinstance(value, datetime | date):
        return [BirthDate(value=value.strftime("%Y-%m-%d"), precision="day")]
    if isinstance(value, int | float) and 1800 <= value <= 2100:
        return [BirthDate(value=f"{int(value):04d}", precision="year")]
    text = _text(value)
    if not text:
        return []
    found: list[BirthDate] = []
    for match in _DOB_PART.finditer(text):
        groups = match.groups()
        if match.group("iso"):
            found += _valid(int(groups[1]), int(groups[2]), int(groups[3]))
        elif match.group("dmy"):
            found += _valid(int(groups[7]), int(groups[6]), int(groups[5]))
        elif match.group("dmony"):
            found += _valid(int(groups[11]), _MONTHS.index(groups[10][:3].lower()) + 1, int(groups[9]))
        elif match.group("mony"):
            found += _valid(int(groups[14]), _MONTHS.index(groups[13][:3].lower()) + 1, None)
        elif match.group("range"):
            start, end = int(groups[16]), int(groups[17])
            years = range(start, end + 1) if 0 <= end - start <= _MAX_RANGE_YEARS else (start, end)
            for year in years:
                found += _valid(year, None, None)
        else:
            found += _valid(int(groups[19]), None, None)
    return found


def _valid(year: int, month: int | None, day: int | None) -> list[BirthDate]:
    # A zero month or day in a DFAT cell makes the date unreadable; `BirthDate.of` would read it as unknown.
    if month is not None and 0 in (month, day):
        return []
    found = BirthDate.of(year, month, day)
    return [found] if found is not None else []
