"""Attribute rows: how date of birth, country, entity type and identifiers move a match."""

from __future__ import annotations

import pytest

from service.matching import Index
from service.matching.types import MatchThresholds, Query, QueryType
from service.sources.model import BirthDate, Identifier

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

THRESHOLDS = MatchThresholds()


def _born(value: str) -> BirthDate:
    return BirthDate(value, "day" if len(value) == 10 else "month" if len(value) == 7 else "year")


@pytest.mark.parametrize(
    ("born", "country", "type_", "decision", "feature_detail"),
    [
        (None, None, "any", "block", None),
        ("1962-11-23", "VE", "person", "block", "date of birth 1962-11-23 agrees (listed 1962-11-23)"),
        ("1962", None, "any", "block", "birth year 1962 agrees (listed 1962-11-23)"),
        ("1962-11-22", None, "any", "block", "birth year and month agree, day differs (listed 1962-11-23)"),
        ("1963", None, "any", "block", "birth year 1963 is one off the listed 1962-11-23"),
        ("1980-01-01", None, "any", "review", "born 1980-01-01, listed 1962-11-23: different year"),
        (None, "CO", "any", "review", "country CO differs from listed VE"),
        (None, None, "organization", None, "query is a organization, listed entry is a person"),
    ],
)
def test_attributes_move_the_decision(
    index: Index,
    born: str | None,
    country: str | None,
    type_: QueryType,
    decision: str | None,
    feature_detail: str | None,
) -> None:
    query = Query("Nicolas Maduro Moros", type=type_, country=country, birth_date=_born(born) if born else None)
    matches = [m for m in index.search(query, thresholds=THRESHOLDS, limit=5) if m.entry.entity_id == "maduro"]
    assert [m.decision for m in matches] == ([decision] if decision else [])
    if matches and feature_detail:
        assert feature_detail in [feature.detail for feature in matches[0].features]


@pytest.mark.parametrize(
    ("born", "detail", "decision"),
    [
        ("1977-02-03", "date of birth 1977-02-03 agrees (listed 1977-02-03)", "block"),
        ("1977-03-02", "date of birth 1977-03-02 agrees with day and month swapped", "block"),
        ("1975-02-03", "born 1975-02-03, listed 1977-02-03: different year", "review"),
    ],
)
def test_day_month_swap_is_not_a_contradiction(index: Index, born: str, detail: str, decision: str) -> None:
    [match] = index.search(Query("John Robert Smith", birth_date=_born(born)), thresholds=THRESHOLDS, limit=1)
    assert (match.entry.entity_id, match.decision) == ("smith", decision)
    assert detail in [feature.detail for feature in match.features]


@pytest.mark.parametrize(
    ("query", "entity_id"),
    [
        (Query("Completely Different Name", identifiers=(Identifier("IMO", "IMO 9187629"),)), "vessel-1"),
        (Query("Sunrise Trading", identifiers=(Identifier("Registration Number", "cn778812"),)), "sunrise"),
        (Query("", identifiers=(Identifier("Cedula", "5.892.464"),)), "maduro"),  # no name at all
    ],
)
def test_an_identical_identifier_blocks(index: Index, query: Query, entity_id: str) -> None:
    matches = index.search(query, thresholds=THRESHOLDS, limit=5)
    assert (matches[0].entry.entity_id, matches[0].score, matches[0].decision) == (entity_id, 1.0, "block")
    assert "identifier" in [feature.feature for feature in matches[0].features]


def test_short_identifier_values_are_not_decisive(index: Index) -> None:
    query = Query("Completely Different Name", identifiers=(Identifier("IMO", "9187"),))
    assert index.search(query, thresholds=THRESHOLDS, limit=5) == []


def test_country_agreement_lifts_a_borderline_name(index: Index) -> None:
    plain = index.search(Query("Oleksandr Kovalenko"), thresholds=THRESHOLDS, limit=1)[0].score
    with_country = index.search(Query("Oleksandr Kovalenko", country="UA"), thresholds=THRESHOLDS, limit=1)[0].score
    with_other = index.search(Query("Oleksandr Kovalenko", country="PL"), thresholds=MatchThresholds(0.5), limit=1)
    assert with_country > plain > with_other[0].score


def test_sources_filter_restricts_matches(index: Index) -> None:
    assert (
        index.search(Query("Nicolas Maduro Moros", sources=frozenset({"other"})), thresholds=THRESHOLDS, limit=5) == []
    )
