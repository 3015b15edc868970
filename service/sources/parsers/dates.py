"""Birth dates and listing dates as the XML/JSON publishers write them (ISO-like, partial, ranges)."""

from __future__ import annotations

import re
from datetime import date

from service.sources.model import BirthDate

# A range of birth years ("BETWEEN 1960 AND 1975") becomes one year-precision date per year so the
# matcher can compare years; a wider range says too little to be worth that many dates.
MAX_YEAR_RANGE = 10
_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_iso_partial(text: str | None) -> BirthDate | None:
    """`1962`, `1962-11` or `1962-11-23` (a time part after "T" or a space is ignored); None otherwise."""
    if not text:
        return None
    match = _ISO_PARTIAL.match(text.strip().split("T", 1)[0].split(" ", 1)[0])
    if match is None:
        return None
    year, month, day = match.groups()
    return BirthDate.of(int(year), int(month) if month else None, int(day) if day else None)


def year_range(first: int, last: int) -> list[BirthDate]:
    """Year-precision dates for each year of an inclusive range; empty when reversed or wider than the cap."""
    if last < first or last - first + 1 > MAX_YEAR_RANGE:
        return []
    return [bd for year in range(first, last + 1) if (bd := BirthDate.of(year)) is not None]


def parse_iso_date(text: str | None) -> date | None:
    """The date part of an ISO date or timestamp (`2012-12-31`, `2023-07-26T20:01:14`); None if unreadable."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def add_unique(target: list[BirthDate], dates: list[BirthDate]) -> None:
    """Append the dates not already in `target`, keeping the publisher's order."""
    for value in dates:
        if value not in target:
            target.append(value)
