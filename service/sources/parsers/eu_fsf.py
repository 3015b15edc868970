"""EU Consolidated Financial Sanctions List, XML 1.1 ("xmlFullSanctionsList_1_1").

Wire-format quirks handled here:
- everything is in the namespace http://eu.europa.ec/fpi/fsd/export and nearly all data is in
  attributes; an empty attribute ("") means "not given", and country code "00" means UNKNOWN;
- the full file is about 24 MB, so it is streamed record by record (`iter_xml`), never held
  as one tree;
- `nameAlias@nameLanguage` is a language (EN, FR, RU ...), not a script: a Russian name may be
  written in Latin letters. The alias script is therefore read from the characters of
  `wholeName`; the language only says which script to expect;
- `designationDate` is missing on older entries; the earliest regulation publication date
  (the Official Journal act that listed them) stands in for it;
- a birth date may be exact (`birthdate="1965-12-12"`), partial (`year` with optional
  `monthOfYear`/`dayOfMonth`), marked `circa`, or a `yearRangeFrom`/`yearRangeTo` range.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element

from service.errors import ListFileError
from service.sources.model import Address, Alias, BirthDate, EntityType, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.base import SourceFile
from service.sources.parsers.dates import add_unique, parse_iso_date, parse_iso_partial, year_range
from service.sources.parsers.xmlutil import iter_xml, strip_ns
from service.unicode_scripts import alias_script

_TYPES: dict[str, EntityType] = {"person": "person", "enterprise": "organization"}
_UNKNOWN_COUNTRY = "00"


def _attr(element: Element, name: str) -> str | None:
    value = element.get(name, "").strip()
    return value or None


def _country(element: Element) -> str | None:
    code = (_attr(element, "countryIso2Code") or "").upper()
    return code if len(code) == 2 and code != _UNKNOWN_COUNTRY and code.isalpha() else None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _published_at(root: Element, file: SourceFile) -> datetime | None:
    if strip_ns(root.tag) != "export":
        raise ListFileError(f"{file.name}: root element is <{strip_ns(root.tag)}>, not an EU FSF <export>")
    raw = _attr(root, "generationDate")
    if raw is None:
        return None
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def parse_eu_fsf_xml(files: Sequence[SourceFile]) -> ParsedList:
    """Every `sanctionEntity` of one (or more) FSF XML 1.1 exports, keyed by its `logicalId`."""
    if not files:
        raise ListFileError("no EU FSF XML file given")
    by_id: dict[str, ParsedEntry] = {}
    published: list[datetime] = []
    duplicates = 0
    warnings: list[str] = []
    for file in files:
        records = iter_xml(file, {"sanctionEntity"})
        if (stamp := _published_at(next(records), file)) is not None:
            published.append(stamp)
        for element in records:
            entry = _entry(element, file)
            if entry.entity_id in by_id:
                # One logicalId is one entity: a repeated record (seen in the published test
                # excerpt) adds its names and facts to the first instead of failing the whole list.
                duplicates += 1
                warnings.append(f"{file.name}: logicalId {entry.entity_id} appears again; records merged")
                _merge(by_id[entry.entity_id], entry)
            else:
                by_id[entry.entity_id] = entry
    return ParsedList(
        entries=list(by_id.values()),
        published_at=max(published) if published else None,
        stats={"sanction_entities": len(by_id) + duplicates, "duplicate_ids_merged": duplicates},
        warnings=warnings,
    )


def _merge(first: ParsedEntry, again: ParsedEntry) -> None:
    known = {first.name.casefold()} | {alias.name.casefold() for alias in first.aliases}
    for alias in [Alias(name=again.name, script=alias_script(again.name)), *again.aliases]:
        if alias.name.casefold() not in known:
            known.add(alias.name.casefold())
            first.aliases.append(alias)
    first.programs.extend(p for p in again.programs if p not in first.programs)
    first.countries.extend(c for c in again.countries if c not in first.countries)
    first.identifiers.extend(i for i in again.identifiers if i not in first.identifiers)
    first.addresses.extend(a for a in again.addresses if a not in first.addresses)
    add_unique(first.birth_dates, again.birth_dates)
    if again.remarks and again.remarks != first.remarks:
        first.remarks = "\n".join(filter(None, (first.remarks, again.remarks)))


def _entry(element: Element, file: SourceFile) -> ParsedEntry:
    logical_id = _attr(element, "logicalId")
    if logical_id is None:
        raise ListFileError(f"{file.name}: a sanctionEntity has no logicalId")
    children: dict[str, list[Element]] = {}
    for child in element:
        children.setdefault(strip_ns(child.tag), []).append(child)

    subject = children.get("subjectType", [])
    entry_type = _TYPES.get(_attr(subject[0], "code") or "", "unknown") if subject else "unknown"
    name, aliases, functions = _names(children.get("nameAlias", []))
    if not name:
        raise ListFileError(f"{file.name}: sanctionEntity {logical_id} has no name")

    programs: list[str] = []
    regulation_dates: list[date] = []
    source_url: str | None = None
    for regulation in children.get("regulation", []):
        programme = _attr(regulation, "programme")
        if programme and programme not in programs:
            programs.append(programme)
        if published := parse_iso_date(_attr(regulation, "publicationDate")):
            regulation_dates.append(published)
        for url in regulation:
            if strip_ns(url.tag) == "publicationUrl" and url.text and url.text.strip():
                source_url = url.text.strip()  # the latest act listed last is the most useful link

    countries: list[str] = []
    for code in [_country(c) for c in children.get("citizenship", [])]:
        if code and code not in countries:
            countries.append(code)
    addresses = [_address(a) for a in children.get("address", [])]
    for address in addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)

    birth_dates: list[BirthDate] = []
    for birth in children.get("birthdate", []):
        add_unique(birth_dates, _birth_dates(birth))

    identifiers = [ident for ident in map(_identifier, children.get("identification", [])) if ident]
    if reference := _attr(element, "euReferenceNumber"):
        identifiers.insert(0, Identifier(type="EU Reference Number", value=reference))
    if un_id := _attr(element, "unitedNationId"):
        identifiers.append(Identifier(type="UN Reference Number", value=un_id))

    remark_texts = [r.text.strip() for r in children.get("remark", []) if r.text and r.text.strip()]
    if details := _attr(element, "designationDetails"):
        remark_texts.append(details)
    remark_texts.extend(f"Function: {function}" for function in functions)

    listed_on = parse_iso_date(_attr(element, "designationDate")) or (
        min(regulation_dates) if regulation_dates else None
    )
    return ParsedEntry(
        entity_id=logical_id,
        type=entry_type,
        name=name,
        aliases=aliases,
        programs=programs,
        countries=countries,
        birth_dates=birth_dates,
        identifiers=identifiers,
        addresses=[a for a in addresses if a.text],
        remarks="\n".join(remark_texts) or None,
        listed_on=listed_on,
        source_url=source_url,
    )


def _names(name_aliases: list[Element]) -> tuple[str, list[Alias], list[str]]:
    """The primary name, the other aliases, and the functions named.

    The EU orders aliases arbitrarily ("Abou Ali" before "Saddam Hussein Al-Tikriti"); the alias
    given with its parts (first/last name) is the designated name, so it is the primary one.
    """
    named: list[tuple[str, bool]] = []
    structured: list[str] = []
    functions: list[str] = []
    for alias in name_aliases:
        whole = _attr(alias, "wholeName") or " ".join(
            part for part in (_attr(alias, k) for k in ("firstName", "middleName", "lastName")) if part
        )
        if whole:
            strong = _attr(alias, "strong") != "false"
            named.append((" ".join(whole.split()), strong))
            if strong and (_attr(alias, "firstName") or _attr(alias, "lastName")):
                structured.append(" ".join(whole.split()))
        if (function := _attr(alias, "function")) and function not in functions:
            functions.append(function)
    if not named:
        return "", [], functions
    primary = structured[0] if structured else next((text for text, strong in named if strong), named[0][0])
    seen = {primary.casefold()}
    aliases: list[Alias] = []
    for text, strong in named:
        if text.casefold() in seen:
            continue
        seen.add(text.casefold())
        aliases.append(Alias(name=text, strength="strong" if strong else "weak", script=alias_script(text)))
    return primary, aliases, functions


def _birth_dates(element: Element) -> list[BirthDate]:
    exact = parse_iso_partial(_attr(element, "birthdate"))
    if exact is not None:
        return [exact]
    first, last = _int(_attr(element, "yearRangeFrom")), _int(_attr(element, "yearRangeTo"))
    if first and last:
        return year_range(first, last)
    year = _int(_attr(element, "year"))
    if year is None:
        return []
    # `circa` dates are kept as given (not widened): how much to tolerate is the matcher's call.
    found = BirthDate.of(year, _int(_attr(element, "monthOfYear")), _int(_attr(element, "dayOfMonth")))
    return [found] if found else []


def _identifier(element: Element) -> Identifier | None:
    number = _attr(element, "number") or _attr(element, "latinNumber")
    if number is None:
        return None
    kind = _attr(element, "identificationTypeDescription") or _attr(element, "identificationTypeCode") or "id"
    return Identifier(type=kind, value=number, country=_country(element))


def _address(element: Element) -> Address:
    country = _country(element)
    description = _attr(element, "countryDescription")
    parts = [_attr(element, key) for key in ("street", "poBox", "zipCode", "city", "place", "region")]
    if description and description.upper() != "UNKNOWN":
        parts.append(description)
    return Address(text=", ".join(part for part in parts if part), country=country)
