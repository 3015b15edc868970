"""One person on several lists: the dates of birth one publisher gives, lent to another's undated entry.

Publishers describe the same person in different detail. Canada lists about half its persons
with no date of birth, where the UK or OFAC list the same person with one. On the undated entry
alone, a customer born a generation later who shares the full name cannot be told from the
listed person. Entries are linked only when they come from different lists (two entries of one name
on one list are two people), are both persons, share a full name of at least `MIN_LINK_PARTS`
distinct parts (in any order), and do not name disjoint countries. Lent dates serve only to tell a
namesake apart; they never confirm who someone is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.matching.types import IndexedEntry
from service.sources.model import BirthDate

# Two-part names ("Li Wei", "Mohammad Ali") are shared by too many people to link anyone by.
MIN_LINK_PARTS = 3


@dataclass(slots=True, frozen=True)
class LentBirthDates:
    dates: tuple[BirthDate, ...]
    lenders: tuple[str, ...]  # "source entity_id" of each entry the dates come from


def _link_key(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    distinct = tuple(sorted(set(tokens)))
    return distinct if len(distinct) >= MIN_LINK_PARTS else None


def _compatible(one: IndexedEntry, other: IndexedEntry) -> bool:
    return not one.countries or not other.countries or not set(one.countries).isdisjoint(other.countries)


def lend_birth_dates(
    entries: Sequence[IndexedEntry], names: Iterable[tuple[int, tuple[str, ...], bool]]
) -> dict[int, LentBirthDates]:
    """For each undated person entry, the dates of birth of the dated entries it is linked to.

    `names` holds (entry number, normalised name parts, weak alias?) for every indexed name; weak
    aliases ("Abu Ali") link nobody.
    """
    dated: dict[tuple[str, ...], list[int]] = defaultdict(list)
    undated: list[tuple[int, tuple[str, ...]]] = []
    for number, tokens, weak in names:
        entry = entries[number]
        key = _link_key(tokens) if entry.type == "person" and not weak else None
        if key is None:
            continue
        if entry.birth_dates:
            dated[key].append(number)
        else:
            undated.append((number, key))
    lent: dict[int, tuple[list[BirthDate], list[str]]] = {}
    for number, key in undated:
        entry = entries[number]
        for other_number in dated.get(key, ()):
            other = entries[other_number]
            if other.source == entry.source or not _compatible(entry, other):
                continue
            dates, lenders = lent.setdefault(number, ([], []))
            lender = f"{other.source} {other.entity_id}"
            if lender not in lenders:
                lenders.append(lender)
                dates.extend(date for date in other.birth_dates if date not in dates)
    return {number: LentBirthDates(tuple(dates), tuple(lenders)) for number, (dates, lenders) in lent.items()}
