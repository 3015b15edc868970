"""Tricks that hide a listed name from screening: invisible characters and names run together (issue 15).

Each row is written as an evader would write it; the lists are small and hand-made.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest

from service.matching import build_index
from service.matching.readings import INVISIBLE, invisible_readings, split_run
from service.matching.types import IndexedEntry, MatchThresholds, Query

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

DEFAULT = MatchThresholds()
LISTED = [
    IndexedEntry(source="test", entity_id="person", type="person", name="KOROLENKO, Arkady Viktorovich"),
    IndexedEntry(source="test", entity_id="company", type="organization", name="NORTHERN STAR SHIPPING LLC"),
    IndexedEntry(source="test", entity_id="other", type="person", name="MARCH, Antoine"),
    IndexedEntry(source="test", entity_id="movement", type="organization", name="TEHRIK-I-AZADI"),
]
INDEX = build_index(LISTED)
INVISIBLES = {
    "zero-width space": "\u200b",
    "word joiner": "\u2060",
    "soft hyphen": "\u00ad",
    "zero-width non-joiner": "\u200c",
    "byte order mark": "\ufeff",
    "NUL": "\x00",
    "BEL": "\x07",
    "left-to-right mark": "\u200e",
}


def _decisions(query: str) -> dict[str, str]:
    return {m.entry.entity_id: m.decision for m in INDEX.search(Query(query), thresholds=DEFAULT, limit=5)}


@pytest.mark.parametrize("character", INVISIBLES.values(), ids=INVISIBLES.keys())
def test_an_invisible_separator_still_blocks(character: str) -> None:
    assert _decisions(character.join(["Arkady", "Viktorovich", "Korolenko"])) == {"person": "block"}


@pytest.mark.parametrize("character", INVISIBLES.values(), ids=INVISIBLES.keys())
def test_an_invisible_character_inside_a_word_still_blocks(character: str) -> None:
    assert _decisions(f"Arkady Vik{character}torovich Koro{character}lenko") == {"person": "block"}


@pytest.mark.parametrize(
    "query",
    [
        "ArkadyViktorovichKorolenko",
        "KorolenkoArkady",
        "Arkady ViktorovichKorolenko",
        "NorthernStarShipping LLC",
        "NORTHERNSTAR SHIPPING",
        "TEHRIKIAZADI",  # a one-letter part: the run splits into listed parts written together ("tehriki")
    ],
)
def test_a_name_run_together_is_read_as_its_parts(query: str) -> None:
    assert set(_decisions(query).values()) == {"block"}


@pytest.mark.parametrize(
    ("run", "parts"),
    [
        ("nicolasmaduromoros", ["nicolas", "maduro", "moros"]),
        ("northernstar", ["northern", "star"]),
        ("kaufhausnord", None),  # its pieces are not listed parts
        ("korolenko", None),  # a listed part as it stands
        ("starship", ["star", "ship"]),
        ("shipsta", None),  # too short to hold two names worth splitting
    ],
)
def test_runs_split_only_into_listed_parts(run: str, parts: list[str] | None) -> None:
    vocabulary = {"nicolas", "maduro", "moros", "northern", "star", "korolenko", "ship", "sta"}
    assert split_run(run, vocabulary) == parts


def test_a_surname_that_splits_into_a_listed_word_and_a_stopword_is_not_split() -> None:
    # "March" is listed and "and" is a word lists hold, but "and" is no name part: a real surname stays whole.
    assert _decisions("Antoine Marchand") == {}


def test_both_readings_of_invisible_characters_are_screened() -> None:
    assert invisible_readings("Ma\u00adduro\u200bMoros") == ["Ma duro Moros", "MaduroMoros"]
    assert invisible_readings("Maduro Moros") == ["Maduro Moros"]


def test_every_format_and_control_character_counts_as_invisible() -> None:
    missing = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cf", "Cc")
        and chr(code) not in "\t\n\r"
        and not INVISIBLE.match(chr(code))
    ]
    assert missing == []
