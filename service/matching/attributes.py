"""Secondary attributes: date of birth, country, entity type, identifiers, legal form.

Each returns a `FeatureScore` (an adjustment added to the name score, and a sentence
for the compliance officer) or None when the attribute is missing on either side:
absence is never evidence against a match. (A date of birth another list gives for the same
full name is no absence: `linking.py` lends it, and only a generation's gap counts.)
`contradicts` marks features that forbid an automatic block; so does `unverified`: a person's
date of birth the customer record gives but the listed entry cannot confirm (a namesake of
another generation would otherwise be blocked on the name alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.matching.linking import LentBirthDates
from service.matching.types import FeatureScore, IndexedEntry, Query
from service.matching.weights import FeatureWeights
from service.sources.model import BirthDate, Identifier

_ID_CHARS = re.compile(r"[^0-9A-Z]")
MIN_IDENTIFIER_LENGTH = 5  # shorter values (e.g. "123") collide by chance


@dataclass(slots=True, frozen=True)
class Attribute:
    feature: FeatureScore
    contradicts: bool = False
    unverified: bool = False


def normalise_identifier(value: str) -> str:
    """Upper-case letters and digits only; "IMO 9187629" and "9187629" are one IMO number."""
    value = _ID_CHARS.sub("", value.upper())
    return value[3:] if value.startswith("IMO") and value[3:].isdigit() else value


def _compare_dates(query: BirthDate, listed: BirthDate, weights: FeatureWeights) -> tuple[float, str, bool]:
    if query.year != listed.year:
        gap = abs(query.year - listed.year)
        if gap == 1:
            return weights.birth_date_near, f"birth year {query.year} is one off the listed {listed.value}", False
        if gap >= weights.generation_gap_years:
            # Another generation: a namesake (father, son), not a slip of the pen.
            detail = f"born {query.value}, listed {listed.value}: {gap} years apart"
            return weights.birth_date_generation, detail, True
        return weights.birth_date_contradiction, f"born {query.value}, listed {listed.value}: different year", True
    if query.month is None or listed.month is None:
        return weights.birth_date_year, f"birth year {query.year} agrees (listed {listed.value})", False
    if query.month == listed.month:
        if query.day is None or listed.day is None or query.day == listed.day:
            return weights.birth_date_exact, f"date of birth {query.value} agrees (listed {listed.value})", False
        return weights.birth_date_year, f"birth year and month agree, day differs (listed {listed.value})", False
    if query.day is not None and (query.day, query.month) == (listed.month, listed.day):
        return weights.birth_date_swapped, f"date of birth {query.value} agrees with day and month swapped", False
    return weights.birth_date_year, f"birth year agrees, month differs (listed {listed.value})", False


def birth_date(
    query: Query, entry: IndexedEntry, weights: FeatureWeights, lent: LentBirthDates | None = None
) -> Attribute | None:
    """Compare with the listed dates; for an undated person, with dates `lent` by linked entries of other lists.

    Lent dates count only when they set the query a generation apart: they tell a namesake apart
    (father, son), while a few years' difference or an agreement would stand on the link alone.
    """
    if query.birth_date is None:
        return None
    if not entry.birth_dates:
        if entry.type != "person":
            return None
        if lent is not None:
            generation = _generation_apart(query.birth_date, lent, weights)
            if generation is not None:
                return generation
        detail = f"born {query.birth_date.value}; the listed entry gives no date of birth to compare"
        return Attribute(FeatureScore("birth_date", 0.0, detail), unverified=True)
    best = max((_compare_dates(query.birth_date, listed, weights) for listed in entry.birth_dates), key=lambda r: r[0])
    return Attribute(FeatureScore("birth_date", best[0], best[1]), contradicts=best[2])


def _generation_apart(query: BirthDate, lent: LentBirthDates, weights: FeatureWeights) -> Attribute | None:
    gap = min(abs(query.year - listed.year) for listed in lent.dates)
    if gap < weights.generation_gap_years:
        return None
    listed = ", ".join(date.value for date in lent.dates)
    detail = (
        f"born {query.value}; the listed entry gives no date of birth, and the same full name listed as "
        f"{'; '.join(lent.lenders)} is born {listed}: {gap} years apart"
    )
    return Attribute(FeatureScore("birth_date", weights.birth_date_generation, detail), contradicts=True)


def country(query: Query, entry: IndexedEntry, weights: FeatureWeights) -> Attribute | None:
    if query.country is None or not entry.countries:
        return None
    wanted = query.country.upper()
    if wanted in entry.countries:
        return Attribute(FeatureScore("country", weights.country_match, f"country {wanted} agrees"))
    listed = ", ".join(entry.countries)
    return Attribute(
        FeatureScore("country", weights.country_contradiction, f"country {wanted} differs from listed {listed}"),
        contradicts=True,
    )


def entity_type(query: Query, entry: IndexedEntry, weights: FeatureWeights) -> Attribute | None:
    if query.type == "any" or entry.type == "unknown":
        return None
    if query.type == entry.type:
        return Attribute(FeatureScore("entity_type", 0.0, f"both are {entry.type}s"))
    return Attribute(
        FeatureScore(
            "entity_type", weights.type_contradiction, f"query is a {query.type}, listed entry is a {entry.type}"
        ),
        contradicts=True,
    )


def identifier(query_ids: tuple[Identifier, ...], entry: IndexedEntry) -> Attribute | None:
    """An identical identifier value (passport, registration, IMO ...) is decisive."""
    if not query_ids or not entry.identifiers:
        return None
    listed = {normalise_identifier(ident.value): ident for ident in entry.identifiers}
    for ident in query_ids:
        value = normalise_identifier(ident.value)
        found = listed.get(value)
        if found is not None and len(value) >= MIN_IDENTIFIER_LENGTH:
            return Attribute(FeatureScore("identifier", 1.0, f"{found.type} {found.value} is identical"))
    return None


def legal_form(query_form: str | None, listed_form: str | None, weights: FeatureWeights) -> Attribute | None:
    if query_form is None or listed_form is None or "company" in (query_form, listed_form):
        return None
    if query_form == listed_form:
        return Attribute(FeatureScore("legal_form", weights.legal_form_match, f"legal form agrees ({query_form})"))
    return Attribute(
        FeatureScore(
            "legal_form", weights.legal_form_contradiction, f"legal form differs ({query_form} vs {listed_form})"
        )
    )
