"""OFAC's typed facts, shared by the legacy XML, the Enhanced XML and the CSL parsers.

All three carry the same OFAC labels: the legacy XML in `idList/id/idType`, the Enhanced XML in
`features/feature/type` and `identityDocuments`, the CSL in its `ids` column. Only some of them
identify the party (passport, registration number, SWIFT/BIC, IMO number, e-mail, website, digital
currency address ...); the rest describe the sanction itself ("Secondary sanctions risk:",
"Listing Date (CMIC)", "Executive Order 13662 Directive Determination -") or are facts the model
keeps elsewhere (gender, birth date, nationality). Matching an order party's identifiers against
"Subject to Directive 2" would only produce noise, so those labels are kept out of `identifiers`.
"""

from __future__ import annotations

from service.countries import to_iso_country
from service.sources.model import EntityType

# Compared with the start of the cleaned, lower-cased label.
_NOT_IDENTIFIERS = (
    "secondary sanctions risk",
    "executive order",
    "additional sanctions information",
    "transactions prohibited",
    "listing date",
    "effective date",
    "purchase/sales for divestment",
    "caatsa",
    "organization established",
    "organization type",
    "target type",
    "gender",
    "ifca",
    "issuer name",
    "aircraft model",
    "aircraft manufacture date",
    "aircraft operator",
    "previous aircraft",
    "vessel type",
    "other vessel type",
    "vessel year of build",
    "vessel flag",
    "former vessel flag",
    "other vessel flag",
    "vessel owner",
    "place of birth",
    "birthdate",
    "dob",
    "pob",
    "nationality",
    "citizenship",
    "location",
    "title",
    "for more information",
    "hizballah",
    "subject to",
    "linked to",
    "ship owner",  # a company name, not a number
)

# Labels whose value is a country of the party (a vessel's flag counts: it is where it is registered).
_COUNTRY_LABELS = ("nationality country", "citizenship country", "nationality of registration", "vessel flag")

_TYPES: dict[str, EntityType] = {
    "individual": "person",
    "entity": "organization",
    "vessel": "vessel",
    "aircraft": "aircraft",
}


def clean_label(label: str) -> str:
    """`Secondary sanctions risk:` -> `Secondary sanctions risk`; `... Determination -` -> `... Determination`.

    The Enhanced XML writes "Manufacturer\u2019s" where the other formats write "Manufacturer's".
    """
    return " ".join(label.replace("\u2019", "'").split()).rstrip(" :-").strip()


def is_identifier_label(label: str) -> bool:
    lowered = clean_label(label).lower()
    return bool(lowered) and not lowered.startswith(_NOT_IDENTIFIERS)


def is_country_label(label: str) -> bool:
    return clean_label(label).lower() in _COUNTRY_LABELS


def ofac_entity_type(text: str | None) -> EntityType:
    """OFAC's `Individual`/`Entity`/`Vessel`/`Aircraft`; like the CSV parser, anything else is an organization."""
    return _TYPES.get((text or "").strip().lower(), "organization")


def alias_kind(text: str | None) -> str:
    """`a.k.a.`, `A.K.A.`, `f.k.a.`, `n.k.a.` -> `aka`, `fka`, `nka` (the CSV parser's spelling)."""
    kind = (text or "aka").strip().lower().replace(".", "")
    return kind if kind in ("aka", "fka", "nka") else "aka"


def add_country(countries: list[str], value: str | None) -> None:
    """Append the ISO code of a country name or code when it is known and new."""
    code = to_iso_country(value)
    if code and code not in countries:
        countries.append(code)
