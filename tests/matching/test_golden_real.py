"""Golden spellings against every real list in ../shared/lists-data, at the production review threshold.

Each row: a query as a customer might write it and an entry it must find among the best three
(the same party is often listed by several publishers, each scoring alike).
"""

from __future__ import annotations

import pytest

from service.config import Settings
from service.matching import Index
from service.matching.types import MatchThresholds, Query

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

GOLDEN_REAL: list[tuple[str, tuple[str, str]]] = [
    ("Nicolas Maduro Moros", ("us_ofac_sdn", "22790")),
    ("MADURO MOROS, Nicolás", ("us_ofac_sdn", "22790")),
    ("Николас Мадуро Морос", ("us_ofac_sdn", "22790")),
    ("Jevgenij Prigoschin", ("us_ofac_sdn", "21171")),
    ("Евгений Пригожин", ("us_ofac_sdn", "21171")),
    ("Alexander Lukashenko", ("us_ofac_sdn", "9760")),
    ("Aleksandr Lukashenka", ("us_ofac_sdn", "9760")),
    ("Osama bin Laden", ("us_ofac_sdn", "6365")),
    ("أسامة بن لادن", ("us_ofac_sdn", "6365")),
    ("JOITN STOCK COMPANY ROSNEFT", ("us_ofac_cons", "17022")),
]


@pytest.mark.parametrize(("query", "expected"), GOLDEN_REAL, ids=[row[0] for row in GOLDEN_REAL])
def test_real_lists_find_the_party(real_index: Index, query: str, expected: tuple[str, str]) -> None:
    thresholds = MatchThresholds(review=Settings().review_threshold, block=Settings().block_threshold)
    matches = real_index.search(Query(query), thresholds=thresholds, limit=3)
    assert expected in [(match.entry.source, match.entry.entity_id) for match in matches]
