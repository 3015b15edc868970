"""OFAC's free-text `Remarks`: dates of birth, nationalities and identifiers.

In the CSV formats everything beyond name, type and programs lives in one text
field, as `;`-separated statements such as
`DOB 23 Nov 1962; POB Caracas, Venezuela; citizen Venezuela; Cedula No. 5892464 (Venezuela)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.countries import to_iso_country
from service.sources.model import Alias, BirthDate, Identifier

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}

_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{4})$")
_YEAR = re.compile(r"^(?:circa )?(\d{4})$")
_YEAR_RANGE = re.compile(r"^(?:circa )?(\d{4}) to (\d{4})$")
_QUOTED_ALIAS = re.compile(r"'([^']+)'")
_COUNTRY_IN_BRACKETS = re.compile(r"\(([^)]+)\)")

# Statements that carry a number but are not identifiers of the party.
_NOT_IDENTIFIERS = (
    "dob",
    "pob",
    "organization established",
    "executive order",
    "secondary sanctions",
    "listing date",
    "effective date",
    "caatsa",
    "aircraft model",
    "aircraft manufacture date",
    "vessel year of build",
    "linked to",
    "a.k.a.",
    "f.k.a.",
    "n.k.a.",
    "phone",
    "telephone",
    "fax",
    "arrested",
    "additional sanctions",
    "transactions prohibited",
    "for more information",
    "ifca determination",
    "member of",
    "title",
    "gender",
    "organization type",
    "target type",
    "vessel type",
    "vessel flag",
    "other vessel",
    "previous aircraft",
    "aircraft construction",
)


@dataclass(slots=True)
class RemarkFacts:
    birth_dates: list[BirthDate] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)


def parse_ofac_date(text: str) -> list[BirthDate]:
    """Dates as OFAC writes them: `23 Nov 1962`, `Nov 1962`, `1962`, `circa 1962`, `1960 to 1962`.

    A range of full dates (`01 Jan 1973 to 31 Dec 1973`) says no more than its years: one
    year-precision date per year it spans, or the month when it starts and ends in one month.
    """
    text = " ".join(text.split()).strip(" .")
    if match := _YEAR_RANGE.match(text):
        first, last = int(match.group(1)), int(match.group(2))
        if 0 <= last - first <= 20:
            return [BirthDate(str(year), "year") for year in range(first, last + 1)]
        return []
    start, separator, end = text.partition(" to ")
    if not separator:
        return _single_date(text)
    first_dates, last_dates = _single_date(start), _single_date(end)
    if len(first_dates) != 1 or len(last_dates) != 1:
        return []
    starts, ends = first_dates[0].value, last_dates[0].value
    if starts[:7] == ends[:7] and len(starts) >= 7:
        return [BirthDate(starts[:7], "month")]
    first_year, last_year = int(starts[:4]), int(ends[:4])
    if not 0 <= last_year - first_year <= 20:
        return []
    return [BirthDate(str(year), "year") for year in range(first_year, last_year + 1)]


def _single_date(text: str) -> list[BirthDate]:
    if match := _DAY_MONTH_YEAR.match(text):
        month = MONTHS.get(match.group(2).lower())
        if month:
            return [BirthDate(f"{match.group(3)}-{month:02d}-{int(match.group(1)):02d}", "day")]
    if match := _MONTH_YEAR.match(text):
        month = MONTHS.get(match.group(1).lower())
        if month:
            return [BirthDate(f"{match.group(2)}-{month:02d}", "month")]
    if match := _YEAR.match(text):
        return [BirthDate(match.group(1), "year")]
    return []


def _parse_identifier(statement: str) -> Identifier | None:
    tokens = statement.split()
    first_value = next((i for i, token in enumerate(tokens) if any(ch.isdigit() for ch in token)), None)
    if first_value is None or first_value == 0:
        return None
    label = " ".join(tokens[:first_value]).rstrip(":")
    rest = " ".join(tokens[first_value:])
    country = None
    if bracket := _COUNTRY_IN_BRACKETS.search(rest):
        country = to_iso_country(bracket.group(1))
        rest = rest[: bracket.start()]
    for stop in (" issued ", " expires ", " Issue Date", " Expire Date"):
        rest = rest.split(stop, 1)[0]
    value = rest.strip(" .,")
    if not value or len(value) > 120:
        return None
    return Identifier(type=label, value=value, country=country)


def parse_remarks(remarks: str | None) -> RemarkFacts:
    facts = RemarkFacts()
    if not remarks:
        return facts
    for raw in remarks.split(";"):
        statement = raw.strip().rstrip(".").strip()
        if statement.lower().startswith("alt. "):
            statement = statement[5:].strip()
        lowered = statement.lower()
        if lowered.startswith("dob "):
            facts.birth_dates.extend(parse_ofac_date(statement[4:]))
        elif lowered.startswith(("nationality ", "citizen ")):
            country = to_iso_country(statement.split(" ", 1)[1])
            if country and country not in facts.countries:
                facts.countries.append(country)
        elif lowered.startswith(("a.k.a.", "f.k.a.", "n.k.a.")):
            kind = lowered[0] + "ka"
            facts.aliases.extend(
                Alias(name=name.strip(), kind=kind) for name in _QUOTED_ALIAS.findall(statement) if name.strip()
            )
        elif not lowered.startswith(_NOT_IDENTIFIERS):
            identifier = _parse_identifier(statement)
            if identifier is not None:
                facts.identifiers.append(identifier)
    return facts
