"""Which candidate shapes are scored: the `max_candidates` with the most hits, ties at the cut by name length.

The cut decides which listed names a query is compared with at all, so its order must not depend on
anything but the hits, the names' lengths and the order the shapes were found in.
"""

from __future__ import annotations

import pytest

from service.matching.candidates import Candidates, SearchTuning
from service.matching.names import NameRecord, prepare

# Shape ids 0..4, in this order: their names have 3, 1, 2, 1 and 2 parts.
NAMES = ("Ivan Sergeyevich Petrov", "Maduro", "Banco Nacional", "Hamas", "Kim Jong")


@pytest.fixture(scope="module")
def candidates() -> Candidates:
    records = [
        NameRecord(number, prepare(text), tuple(1.0 for _ in text.split()), weak=False)
        for number, text in enumerate(NAMES)
    ]
    return Candidates(records, ["us_ofac_sdn"] * len(records), SearchTuning(max_candidates=3))


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param([(0, 1), (1, 3)], [(1, 3), (0, 1)], id="fewer-than-the-cut-all-by-hits"),
        pytest.param([], [], id="none-found"),
        pytest.param(
            [(0, 5), (1, 2), (2, 2), (3, 2), (4, 7)],
            [(4, 7), (0, 5), (1, 2)],
            id="tie-at-the-cut-shortest-name-then-first-id",
        ),
        pytest.param(
            [(2, 6), (0, 6), (4, 5), (3, 5), (1, 1)],
            [(2, 6), (0, 6), (3, 5)],
            id="equal-hits-above-the-cut-keep-their-order",
        ),
        pytest.param(
            [(2, 5), (0, 5), (1, 5), (3, 1)],
            [(1, 5), (2, 5), (0, 5)],
            id="the-whole-cut-tied-by-length",
        ),
        pytest.param(
            [(0, 4), (2, 4), (4, 4)],
            [(2, 4), (4, 4), (0, 4)],
            id="exactly-the-cut-tied-by-length",
        ),
        pytest.param(
            [(3, 9), (1, 8), (0, 7), (2, 7), (4, 1)],
            [(3, 9), (1, 8), (2, 7)],
            id="one-place-left-for-the-tied",
        ),
    ],
)
def test_the_cut_keeps_the_most_hits_and_breaks_ties_by_name_length(
    candidates: Candidates, items: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    assert candidates._cut(items) == expected
