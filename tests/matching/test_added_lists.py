"""Adding a list never hides a match from another list (issue 12, class 9), on the real files.

Beside every other real list, the Entity List's "HUAWEI TECHNOLOGIES CO., LTD." was lost: the
same name parts on dozens of other entries (and on the SDN and UK lists) filled the candidates.
It must be found with every list loaded, and stay found when a small EU excerpt is added, with
and without a `sources` restriction.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings
from service.matching import Index, build_index
from service.matching.types import IndexedEntry, MatchThresholds, Query
from tests.matching.real_lists import parse_real

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

EU_EXCERPTS = {
    excerpt: (("eu_fsf", "eu_fsf_xml", (f"eu_fsf/xmlFullSanctionsList_1_1_EXCERPT_{excerpt}_2020-04-15.xml",)),)
    for excerpt in ("A", "B")
}
HUAWEI = ("us_trade_csl", "HUAWEI TECHNOLOGIES CO., LTD.")
QUERIES = ("Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES CO LTD", "Huawei Technologies Company Limited")


def _found(index: Index, query: str, sources: frozenset[str] | None) -> set[tuple[str, str]]:
    thresholds = MatchThresholds(review=Settings().review_threshold, block=Settings().block_threshold)
    return {
        (match.entry.source, match.entry.name)
        for match in index.search(Query(query, sources=sources), thresholds=thresholds, limit=30)
    }


@pytest.mark.slow
@pytest.mark.parametrize("excerpt", sorted(EU_EXCERPTS))
def test_adding_a_list_keeps_every_match_of_the_others(
    real_entries: list[IndexedEntry], real_index: Index, lists_data_dir: Path, excerpt: str
) -> None:
    after = build_index(real_entries + parse_real(lists_data_dir, EU_EXCERPTS[excerpt]))
    for query in QUERIES:
        for sources in (None, frozenset({"us_trade_csl"})):
            found = _found(real_index, query, sources)
            assert HUAWEI in found, f"{query!r} (sources={sources}) misses the Entity List entry"
            assert found <= _found(after, query, sources), f"adding EU excerpt {excerpt} hid a match of {query!r}"
