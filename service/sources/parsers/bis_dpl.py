"""The BIS Denied Persons List as dpl.txt: tab-separated, every field double-quoted, a header row.

Columns: Name, Street_Address, City, State, Country, Postal_Code, Effective_Date (MM/DD/YYYY),
Expiration_Date, Standard_Order (Y/N), Last_Update (YYYY-MM-DD), Action, FR_Citation.

One denied party often has several rows: one per address (AIR FREIGHT LTD has four, in Baghdad,
Dubai and Amman, all under one order) or one per order (I. ASH was denied in 2002 and again in
2003, at two addresses). Rows are grouped by the party's name, case and spacing folded: a DPL
order names one party, so the same full name on two rows is the same party, and that keeps the
entry's id stable when BIS adds or removes an address. Names are not merged further even when
rows share an order: one order often covers several distinct parties (an airline and its agents),
and the DPL writes an alias as a separate row rather than marking it, so those rows stay entries
of their own. The DPL has no ids, so `entity_id` is a digest of the folded name.

Quirks: names can start with a space (" I. ASH"); US rows leave Country empty and give a State;
dates can be mistyped (Last_Update "3033-09-30", "1023-11-01"): implausible dates are ignored and
counted, never fatal. The DPL does not say whether a party is a person or a company, so the type
stays "unknown" (a guess could hide a true match behind a type contradiction).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from service.countries import to_iso_country
from service.errors import ListFileError
from service.sources.model import Address, ParsedEntry, ParsedList
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.us_csl import US_STATES

COLUMNS = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)
PROGRAM = "DPL"
DPL_URL = "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/denied-persons-list"
EARLIEST_PLAUSIBLE_YEAR = 1970
"""The DPL began in the 1970s (its oldest orders date from 1981); an earlier date is a typo."""


@dataclass(slots=True)
class _Party:
    name: str
    addresses: list[Address] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    effective: list[date] = field(default_factory=list)


def parse_bis_dpl(files: Sequence[SourceFile]) -> ParsedList:
    file = single_file(files, "BIS Denied Persons List (dpl.txt)")
    rows = _rows(file)
    parties: dict[str, _Party] = {}
    last_updates: list[date] = []
    ignored_dates = 0
    # A Last_Update after today is a typo too (an expiration date may well be in the future).
    today = datetime.now(UTC).date()
    for row in rows:
        values = {column: " ".join(value.split()) for column, value in zip(COLUMNS, row, strict=True)}
        name = values["Name"]
        if not name:
            raise ListFileError(f"{file.name}: a row has no name")
        party = parties.setdefault(name.upper(), _Party(name=name))
        _add_address(party, values)
        effective = _us_date(values["Effective_Date"])
        expiration = _us_date(values["Expiration_Date"])
        last_update = _iso_date(values["Last_Update"])
        for text, parsed in (
            (values["Effective_Date"], effective),
            (values["Expiration_Date"], expiration),
            (values["Last_Update"], last_update),
        ):
            ignored_dates += bool(text) and parsed is None
        if last_update and last_update > today:
            ignored_dates += 1
            last_update = None
        if last_update:
            last_updates.append(last_update)
        if effective:
            party.effective.append(effective)
        order = _order_text(values, effective, expiration)
        if order and order not in party.orders:
            party.orders.append(order)

    entries = [_entry(party) for party in parties.values()]
    latest = max(last_updates, default=None)
    return ParsedList(
        entries=entries,
        published_at=datetime(latest.year, latest.month, latest.day, tzinfo=UTC) if latest else None,
        stats={"rows": len(rows), "ignored_dates": ignored_dates},
        warnings=[f"{file.name}: {ignored_dates} unreadable or implausible dates ignored"] if ignored_dates else [],
    )


def _rows(file: SourceFile) -> list[list[str]]:
    try:
        text = file.content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # BIS has published Windows-1252 text; every byte decodes, truncation is caught below.
        text = file.content.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"', strict=True)
    rows: list[list[str]] = []
    try:
        header = next(reader, None)
        if header is None or [column.strip() for column in header] != list(COLUMNS):
            raise ListFileError(f"{file.name}: not a Denied Persons List file (unexpected header {header!r:.200})")
        for row in reader:
            if not row or row == [""]:
                continue
            if len(row) != len(COLUMNS):
                raise ListFileError(
                    f"{file.name}: line {reader.line_num} has {len(row)} fields, expected {len(COLUMNS)};"
                    " the file is corrupt or truncated"
                )
            rows.append(row)
    except csv.Error as error:
        raise ListFileError(
            f"{file.name}: line {reader.line_num}: {error}; the file is corrupt or truncated"
        ) from error
    return rows


def _plausible(value: date) -> date | None:
    return value if value.year >= EARLIEST_PLAUSIBLE_YEAR else None


def _us_date(text: str) -> date | None:
    """MM/DD/YYYY; None for an empty, unreadable or implausible date."""
    try:
        return _plausible(datetime.strptime(text, "%m/%d/%Y").replace(tzinfo=UTC).date())
    except ValueError:
        return None


def _iso_date(text: str) -> date | None:
    try:
        return _plausible(date.fromisoformat(text))
    except ValueError:
        return None


def _add_address(party: _Party, values: dict[str, str]) -> None:
    country = to_iso_country(values["Country"])
    if not values["Country"] and values["State"].upper() in US_STATES:
        country = "US"
    parts = [
        values[column] for column in ("Street_Address", "City", "State", "Postal_Code", "Country") if values[column]
    ]
    if parts:
        address = Address(text=", ".join(parts), country=country)
        if address not in party.addresses:
            party.addresses.append(address)
    if country and country not in party.countries:
        party.countries.append(country)


def _order_text(values: dict[str, str], effective: date | None, expiration: date | None) -> str:
    """One line per denial order: its dates, whether it is a standard order, and its Federal Register citations."""
    parts = []
    if effective:
        parts.append(f"Denied from {effective.isoformat()}")
    if expiration:
        parts.append(f"until {expiration.isoformat()}")
    if values["Standard_Order"]:
        parts.append(f"standard order: {values['Standard_Order']}")
    if values["FR_Citation"]:
        parts.append(f"Federal Register: {values['FR_Citation']}")
    return ", ".join(parts)


def _entry(party: _Party) -> ParsedEntry:
    folded = " ".join(party.name.upper().split())
    return ParsedEntry(
        entity_id="dpl-" + hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16],
        type="unknown",
        name=party.name,
        programs=[PROGRAM],
        countries=party.countries,
        addresses=party.addresses,
        remarks="\n".join(party.orders) or None,
        listed_on=min(party.effective, default=None),
        source_url=DPL_URL,
    )
