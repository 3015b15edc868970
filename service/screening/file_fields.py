"""From an ERP export's row to a party to screen: which column is what, and what its values mean.

ERP systems name their columns in the user's language (`Name1`, `Kundenname`, `Land`, `Geburtsdatum`)
and write dates their country's way (`23.11.1962`). A value that cannot be read (a country nobody knows,
a date such as `31.02.1980`) is left out and named in the row's warnings, so the row is still screened on
its name; a row whose name cannot be screened is an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from service.countries import country_in_any_language
from service.errors import InvalidInput
from service.screening.file_input import json_kind
from service.screening.schemas import PartyIn
from service.timeutil import utc_now

PARTY_FIELDS = ("reference", "name", "type", "country", "date_of_birth")
# A value in a column that is only passed through may be long (a note), but not without bound.
MAX_OTHER_FIELD = 10_000

# Header names, folded (lower case, no accents, no spaces or punctuation), in English, German, French, Spanish.
_HEADER_NAMES: dict[str, frozenset[str]] = {
    "reference": frozenset(
        "reference ref id customerid customerno customernumber accountnumber partnerid kundennummer kundennr"
        " kdnr debitor debitorennummer kunnr partnernummer referenz numeroclient noclient idclient referencia"
        " idcliente numerocliente codigocliente".split()
    ),
    "name": frozenset(
        "name name1 fullname customername companyname partyname accountname legalname kundenname firmenname"
        " firma nom nomclient raisonsociale nombre nombrecliente razonsocial nombrecompleto".split()
    ),
    "type": frozenset("type partytype customertype typ kundentyp partnertyp art tipo typeclient".split()),
    "country": frozenset(
        "country countrycode countryname land landcode laenderschluessel landerschlussel staat pays codepays"
        " pais codigopais nation".split()
    ),
    "date_of_birth": frozenset(
        "dateofbirth dob birthdate birthday geburtsdatum gebdatum geboren geburtstag datedenaissance"
        " datenaissance fechadenacimiento fechanacimiento nacimiento".split()
    ),
}
# Party types as ERP systems write them, folded as the header names are.
_TYPES: dict[str, str] = {
    **dict.fromkeys(
        "person individual naturalperson private privatperson naturlicheperson personne particulier"
        " personnephysique persona personafisica p".split(),
        "person",
    ),
    **dict.fromkeys(
        "organization organisation company entity business corporation firma unternehmen gesellschaft"
        " juristischeperson societe entreprise personnemorale empresa sociedad personajuridica o org".split(),
        "organization",
    ),
    **dict.fromkeys("vessel ship schiff navire buque".split(), "vessel"),
    **dict.fromkeys("aircraft flugzeug avion aeronave".split(), "aircraft"),
    **dict.fromkeys(("any", ""), "any"),
}

_DOTTED = re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})$")  # 23.11.1962 (German, Swiss, Austrian ...)
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")  # 23/11/1962 or 11/23/1962
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # 19621123 (SAP's internal form)
_YEAR = re.compile(r"^(\d{4})$")
# What decoding made of a byte the file's encoding cannot read (U+DC00 + byte), or a JSON "\ud800" escape.
_SURROGATE = re.compile("[\ud800-\udfff]")
_MIDNIGHT = re.compile(r"[T ]00:00(?::00(?:\.0+)?)?Z?$")  # a date exported as a timestamp


def fold_header(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def map_columns(header: list[str], overrides: list[str]) -> dict[str, str]:
    """Party field -> the header's column: `--column field=Header` first, then the known header names."""
    columns: dict[str, str] = {}
    for override in overrides:
        field_name, _, column = override.partition("=")
        field_name, column = field_name.strip(), column.strip()
        if field_name not in PARTY_FIELDS or not column:
            raise InvalidInput(f"--column {override!r}: use FIELD=HEADER with FIELD one of {', '.join(PARTY_FIELDS)}")
        if column not in header:
            raise InvalidInput(f"--column {override!r}: the file has no column '{column}' (found: {', '.join(header)})")
        columns[field_name] = column
    for field_name, names in _HEADER_NAMES.items():
        if field_name in columns:
            continue
        exact = [column for column in header if column == field_name]
        found = exact or [column for column in header if fold_header(column) in names]
        if len(found) > 1:
            raise InvalidInput(
                f"columns {', '.join(repr(c) for c in found)} could each be the {field_name}; choose one with"
                f" --column {field_name}=HEADER"
            )
        if found:
            columns[field_name] = found[0]
    if "name" not in columns:
        raise InvalidInput(
            f"no name column in the header (found: {', '.join(header) or 'nothing'}); name it with"
            " --column name=HEADER, or pass --delimiter if the columns are not split"
        )
    return columns


def parse_erp_date(text: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD from the forms ERP exports use; ValueError says why not."""
    value = _MIDNIGHT.sub("", text.strip())
    if match := _DOTTED.match(value):
        day, month, year = match.groups()
    elif match := _SLASHED.match(value):
        first, second, year = match.groups()
        if int(first) > 12:
            day, month = first, second
        elif int(second) > 12:
            month, day = first, second
        elif first == second:
            day = month = first
        else:
            raise ValueError(f"'{text}' could be day/month or month/day; write it as YYYY-MM-DD")
    elif match := _ISO.match(value):
        year, month, day = match.groups()
    elif match := _COMPACT.match(value):
        year, month, day = match.groups()
    elif match := _YEAR.match(value):
        return _in_range(value, value)
    else:
        raise ValueError(f"'{text}' is not a date in a form such as 23.11.1962, 1962-11-23, 19621123 or 1962")
    if day is None:
        return _in_range(f"{year}-{int(month):02d}", year, month)
    try:
        parsed = date(int(year), int(month), int(day))
    except ValueError as error:
        raise ValueError(f"'{text}' is not a calendar date ({error})") from None
    return _in_range(parsed.isoformat(), year)


def _in_range(value: str, year: str, month: str = "1") -> str:
    if not 1 <= int(month) <= 12:
        raise ValueError(f"'{value}' has no month {month}")
    if not 1800 <= int(year) <= utc_now().year:
        raise ValueError(f"year {year} is out of range")
    return value


@dataclass(slots=True)
class PartyDraft:
    """A row read as a party: the party to screen, or the error that keeps it from being screened."""

    party: dict[str, Any] | None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def party_from_row(values: dict[str, Any], columns: dict[str, str], *, max_name_length: int, limit: int) -> PartyDraft:
    """The row's party; its unreadable optional values become warnings, its unscreenable name an error."""
    for column, value in values.items():
        problem = _value_problem(value, column, limit=max_name_length if column == columns["name"] else None)
        if problem:
            return PartyDraft(None, problem)
    raw = {name: values.get(column) for name, column in columns.items()}
    if not isinstance(raw["name"], str):
        found = "nothing" if raw["name"] is None else json_kind(raw["name"])
        return PartyDraft(None, f"{_label('name', columns)}: expected text, found {found}")
    party: dict[str, Any] = {"name": raw["name"], "limit": limit}
    warnings: list[str] = []
    for name in ("reference", "type", "country", "date_of_birth"):
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return PartyDraft(None, f"{_label(name, columns)}: expected text, found {json_kind(value)}")
        text = str(value).strip()
        if name == "reference":
            party["reference"] = text
        elif name == "type":
            kind = _TYPES.get(fold_header(text))
            if kind is None:
                warnings.append(f"{_label(name, columns)}: '{text[:40]}' is not a party type; screened as any")
            else:
                party["type"] = kind
        elif name == "country":
            code = country_in_any_language(text)
            if code is None:
                warnings.append(f"{_label(name, columns)}: '{text[:40]}' is not a country; screened without it")
            else:
                party["country"] = code
        else:
            try:
                party["date_of_birth"] = parse_erp_date(text)
            except ValueError as error:
                warnings.append(f"{_label(name, columns)}: {error}; screened without it")
    try:
        PartyIn.model_validate(party)
    except ValidationError as error:
        problems = "; ".join(
            f"{_label(str(problem['loc'][0]), columns) if problem['loc'] else 'row'}: {problem['msg']}"
            for problem in error.errors()
        )
        return PartyDraft(None, problems, warnings)
    return PartyDraft(party, None, warnings)


def _label(name: str, columns: dict[str, str]) -> str:
    column = columns.get(name, name)
    return name if column == name else f"{name} (column '{column}')"


def _value_problem(value: Any, column: str, *, limit: int | None) -> str | None:
    texts = [value] if isinstance(value, str) else []
    if isinstance(value, dict | list):
        texts = [text for text in _strings(value) if text]
    for text in texts:
        found = _SURROGATE.search(text)
        if found is not None:
            bad = found.group()
            if 0xDC00 <= ord(bad) <= 0xDCFF:
                return (
                    f"column '{column}': byte 0x{ord(bad) - 0xDC00:02x} is not valid in the file's encoding;"
                    " pass --encoding if the file is in another one"
                )
            return f"column '{column}': a lone surrogate (U+{ord(bad):04X}) is not text"
    length = sum(len(text) for text in texts)
    cap = limit if limit is not None else MAX_OTHER_FIELD
    if length > cap:
        return f"column '{column}': {length} characters; the limit is {cap}"
    return None


def _strings(value: Any, depth: int = 0) -> list[str]:
    if isinstance(value, str):
        return [value]
    if depth > 50:
        return []
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (str(key), *_strings(item, depth + 1))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item, depth + 1)]
    return []
