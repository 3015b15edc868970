"""Canada's Consolidated Autonomous Sanctions List (SEMA and JVCFOA), XML `sema-lmes.xml`.

Wire-format quirks handled here:
- root `data-set`, one flat `record` per listing; any field may be missing;
- there is no stable id. The entry id is built from (Country, Schedule, Item) as
  `<regime>:<schedule>:<item>`, e.g. `russia:1-part-1:12`: the regime is the English half of the
  bilingual `Country` ("Russia / Russie" -> "russia"; "... Regulations (JVCFOR) / ..." -> "jvcfor"),
  the schedule is slugged ("1, Part 1" and "1,Part 3" -> "1-part-1", "1-part-3"; absent -> "")
  and the item is kept. Should the publisher repeat a key, later records get "~2", "~3" ... in
  file order (deterministic) and `stats["duplicate_keys"]` counts them;
- `Country` names the sanctions regime, not the person's nationality: it becomes the program,
  and its ISO code (when the regime is a country) is added to `countries` as the linked country;
- persons have LastName/GivenName; entities and ships have EntityOrShip; ships also have
  ShipIMONumber, their type in TitleOrShip and their build year in DateOfBirthOrShipBuildDate;
- `Aliases` is free text mixing ",", ";", " / ", " or ", language labels ("Russian: ...") and
  legal forms split off by a comma ("Невское ПКБ, АО"): see `split_aliases`;
- DateOfBirthOrShipBuildDate is free text ("1975-03-02", "1958", "1970 or 1971", "1960-1962").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from xml.etree.ElementTree import Element

from service.countries import to_iso_country
from service.errors import ListFileError
from service.sources.model import Alias, BirthDate, EntityType, Identifier, ParsedEntry, ParsedList
from service.sources.parsers.base import SourceFile, single_file
from service.sources.parsers.dates import add_unique, parse_iso_date, parse_iso_partial, year_range
from service.sources.parsers.xmlutil import parse_xml
from service.unicode_scripts import alias_script

CA_LIST_URL = (
    "https://www.international.gc.ca/world-monde/international_relations-relations_internationales/"
    "sanctions/consolidated-consolide.aspx?lang=eng"
)
_SLUG = re.compile(r"[^a-z0-9.]+")
_ACRONYM = re.compile(r"\(([A-Z]{3,})\)\s*$")
# Separators outside quotes and brackets; " / " joins Russian/Ukrainian/Belarusian spellings.
_SEPARATOR = re.compile(r"\s*[;,]\s*|\s+/\s+")
_LANGUAGE_LABEL = re.compile(
    r"\b(?:Belarus+ian|Russian|Ukrainian|Arabic|Farsi|Persian|Chinese|Korean|Armenian|Georgian|Burmese|Hebrew)\s*:\s*",
    re.IGNORECASE,
)
_LEADING_WORDS = re.compile(r"^(?:also known as|also|a\.?k\.?a\.?|formerly)\s+", re.IGNORECASE)
# Legal forms a comma splits off the name they belong to ("РЕСО-Гарантия, САО").
_LEGAL_FORMS = frozenset(
    (
        "ао оао зао пао сао ооо нао фгуп jsc ojsc cjsc pjsc llc ltd ltd. inc inc. co co. corp corp. gmbh sa s.a. plc"
    ).split()
)
_OPENING, _CLOSING = "(«“[", ")»”]"


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def _regime(country: str) -> str:
    """The English half of "Russia / Russie"."""
    return " ".join(country.split(" / ", 1)[0].split())


def _record_key(fields: dict[str, str]) -> str:
    regime = _regime(fields.get("Country", ""))
    acronym = _ACRONYM.search(regime)
    regime_slug = _slug(acronym.group(1) if acronym else regime)
    return f"{regime_slug}:{_slug(fields.get('Schedule', ''))}:{fields.get('Item', '')}"


def parse_ca_sema_xml(files: Sequence[SourceFile]) -> ParsedList:
    """Every `record` of the SEMA consolidated list; see the module docstring for the entry id."""
    file = single_file(files, "the Canadian SEMA list")
    root = parse_xml(file)
    if root.tag != "data-set":
        raise ListFileError(f"{file.name}: root element is <{root.tag}>, not the SEMA <data-set>")
    entries: list[ParsedEntry] = []
    keys: Counter[str] = Counter()
    for position, record in enumerate(root.findall("record"), 1):
        fields = _fields(record)
        key = _record_key(fields)
        keys[key] += 1
        entity_id = key if keys[key] == 1 else f"{key}~{keys[key]}"
        entries.append(_entry(entity_id, fields, file, position))
    return ParsedList(
        entries=entries,
        stats={
            "records": len(entries),
            "duplicate_keys": sum(count - 1 for count in keys.values()),
            "vessels": sum(1 for e in entries if e.type == "vessel"),
        },
    )


def _fields(record: Element) -> dict[str, str]:
    return {child.tag: " ".join(child.text.split()) for child in record if child.text and child.text.strip()}


def _entry(entity_id: str, fields: dict[str, str], file: SourceFile, position: int) -> ParsedEntry:
    entry_type: EntityType
    remarks: list[str] = []
    birth_dates: list[BirthDate] = []
    identifiers: list[Identifier] = []
    when = fields.get("DateOfBirthOrShipBuildDate")
    if person_name := " ".join(p for p in (fields.get("GivenName"), fields.get("LastName")) if p):
        entry_type, name = "person", person_name
        if title := fields.get("TitleOrShip"):
            remarks.append(f"Title: {title}")
        if when:
            birth_dates = parse_birth_dates(when)
            if not birth_dates:
                remarks.append(f"Date of birth: {when}")
    elif name := fields.get("EntityOrShip", ""):
        entry_type = "organization"
        if imo := fields.get("ShipIMONumber"):
            entry_type = "vessel"
            identifiers.append(Identifier(type="IMO Number", value=imo))
        if entry_type == "vessel" and (ship_type := fields.get("TitleOrShip")):
            remarks.append(f"Vessel type: {ship_type}")
        if when:
            remarks.append(f"Built: {when}" if entry_type == "vessel" else f"Date: {when}")
    else:
        raise ListFileError(f"{file.name}: record {position} ({entity_id}) has no name")

    country = fields.get("Country", "")
    regime = _regime(country)
    code = to_iso_country(regime)
    return ParsedEntry(
        entity_id=entity_id,
        type=entry_type,
        name=name,
        aliases=[
            Alias(name=alias, script=alias_script(alias))
            for alias in split_aliases(fields.get("Aliases"))
            if alias.casefold() != name.casefold()
        ],
        programs=[regime] if regime else [],
        countries=[code] if code else [],
        birth_dates=birth_dates,
        identifiers=identifiers,
        remarks="\n".join(remarks) or None,
        listed_on=parse_iso_date(fields.get("DateOfListing")),
        source_url=CA_LIST_URL,
    )


def parse_birth_dates(text: str) -> list[BirthDate]:
    """`1975-03-02`, `1958`, `1975-03`, `1970 or 1971`, `1960-1962`; empty for prose ("born in the early 1960s")."""
    found: list[BirthDate] = []
    for part in re.split(r"\s+or\s+", text.strip(), flags=re.IGNORECASE):
        part = part.strip()
        if span := re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", part):
            add_unique(found, year_range(int(span.group(1)), int(span.group(2))))
        elif (single := parse_iso_partial(part)) is not None:
            add_unique(found, [single])
        else:
            return []  # one unreadable part: keep the whole text in the remarks instead
    return found


def split_aliases(text: str | None) -> list[str]:
    """The names in a free-text `Aliases` cell, in order, without duplicates.

    "Valentina Novikova, Belarusian: Валянціна Новікава, Russian: Валентина Новикова" gives three
    names; "АО «Концерн «НПО «Аврора»" stays whole (separators inside quotes/brackets are kept);
    " or " and (between non-Latin names) " and " separate names only when both sides have at
    least two words, so "Katsiaryna or Katerina Smuschkovich" and "Trade and Industry Bank" stay whole.
    """
    if not text:
        return []
    names: list[str] = []
    for piece in _split_outside_brackets(text):
        for part in _LANGUAGE_LABEL.split(piece):
            for name in _split_conjunctions(_clean(part)):
                if not name:
                    continue
                if name.casefold() in _LEGAL_FORMS and names:
                    names[-1] = f"{names[-1]}, {name}"
                elif name.casefold() not in {n.casefold() for n in names}:
                    names.append(name)
    return names


def _clean(text: str) -> str:
    text = _LEADING_WORDS.sub("", " ".join(text.split()).strip(" ,;:"))
    text = text.lstrip(") ").rstrip("( ")
    # A bracket cut off by the split ("(Владимир ... / Володимир ...") is dropped, a balanced one kept.
    if text.startswith("(") and ")" not in text:
        text = text[1:]
    if text.endswith(")") and "(" not in text:
        text = text[:-1]
    return text.strip()


def _split_conjunctions(text: str) -> list[str]:
    for word in (" or ", " and "):
        left, sep, right = text.partition(word)
        if not sep or len(left.split()) < 2 or len(right.split()) < 2:
            continue
        if word == " and " and (alias_script(left) is None or alias_script(right) is None):
            continue  # an English "and" between Latin words is usually part of the name
        return [*_split_conjunctions(left.strip()), *_split_conjunctions(right.strip())]
    return [text]


def _split_outside_brackets(text: str, *, count_brackets: bool = True, count_quotes: bool = True) -> list[str]:
    """Split on the separators, except inside («»), (), “” and "" where names keep their commas.

    A cell with an unbalanced bracket or quote is split again ignoring that kind, so one stray
    quote does not glue the rest of the cell into one name.
    """
    pieces: list[str] = []
    depth, quoted, start, index = 0, False, 0, 0
    while index < len(text):
        char = text[index]
        if count_brackets and char in _OPENING:
            depth += 1
        elif count_brackets and char in _CLOSING:
            depth = max(0, depth - 1)
        elif count_quotes and char == '"':
            quoted = not quoted
        elif depth == 0 and not quoted and (match := _SEPARATOR.match(text, index)) and match.end() > index:
            pieces.append(text[start:index])
            start = index = match.end()
            continue
        index += 1
    if count_quotes and quoted:
        return _split_outside_brackets(text, count_brackets=count_brackets, count_quotes=False)
    if count_brackets and depth > 0:
        return _split_outside_brackets(text, count_brackets=False, count_quotes=count_quotes)
    pieces.append(text[start:])
    return pieces
