"""Ranking rows: for one query, the better listed name must outscore the worse one."""

from __future__ import annotations

import pytest

from service.matching import build_index
from service.matching.types import IndexedEntry, MatchThresholds, Query

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

LOW = MatchThresholds(review=0.0, block=0.97)


def _entry(entity_id: str, name: str, type_: str = "person") -> IndexedEntry:
    return IndexedEntry(source="test", entity_id=entity_id, type=type_, name=name)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "better", "worse"),
    [
        ("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", "PUTILIN, Vladimir"),  # exact part over a similar one
        ("Nicolas Maduro Moros", "MADURO MOROS, Nicolas", "MADURO, Nicolas Ernesto"),  # more parts agree
        ("Mohammed Rahimi", "Muhammad RAHIMI", "Mohammed KARIMI"),  # rare part decides, not the common one
        ("Yevgeny Prigozhin", "Evgeniy PRIGOZHIN", "Yevgeny PRIGOZHEV"),  # a spelling variant beats a different name
        ("Rosneft LLC", "ROSNEFT OOO", "ROSNEFT TRADING OOO"),  # the legal form is no name part
        ("Ali Hassan Trading", "ALI HASSAN TRADING LLC", "HASSAN TRADING CO"),
        ("Kim Jong Un", "KIM JONG UN", "KIM JONG NAM"),
        ("Sunrise Shipping", "SUNRISE SHIPPING", "SUNRISE SHIPPING AND TRADING INTERNATIONAL HOLDINGS"),
        ("J. Robert Smith", "SMITH, John Robert", "SMITH, Jane"),
    ],
)
def test_better_candidate_outscores_worse(query: str, better: str, worse: str) -> None:
    index = build_index([_entry("better", better), _entry("worse", worse)])
    scores = {match.entry.entity_id: match.score for match in index.search(Query(query), thresholds=LOW, limit=5)}
    assert scores.get("better", 0.0) > scores.get("worse", 0.0)
