"""Listed name parts within two edits of a query part, found without scanning every part.

A misspelt distinctive word ("Abvabngard" for "Avangard") shares no exact or phonetic key with
the listed word when two letters are wrong, so the key postings of the index cannot find it. Here
every listed part is indexed by its letter pairs (with start and end marks). One edit changes at
most two pairs, so a part within k edits of the query shares at least `pairs - 2k` of the
query's distinct pairs. Counting shared pairs is one numpy
`bincount` over the postings of the query's pairs; the few parts that pass are checked with a
real edit distance (OSA: a swap of neighbours is one edit), in rapidfuzz's C loop.

Parts are numbered shortest first, so the parts of the lengths within reach of a query (its own,
give or take the edits) are one run of numbers, and a run of each posting: only those are counted
(a third of the work of counting every posting and then dropping the other lengths).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from service.matching.attribute_state import named_attributes, set_attributes

MIN_PART_LENGTH = 5  # one edit in a shorter part leaves too little of it to call it the same word
LONG_PART = 8  # parts this long reach two edits
# Answers remembered per vocabulary: a customer master repeats its unlisted given names and surnames
# ("Schmidt", "Kowalski") thousands of times, and each lookup costs tens of microseconds. Bounded, and
# emptied when full, so a stream of unique parts costs at most this many short lists.
REMEMBERED_PARTS = 10_000


# What a pickled vocabulary holds (`attribute_state.py`); not what it remembered.
_STATE = ("max_edits", "_parts", "_firsts", "_postings")


def _pairs(part: str) -> set[str]:
    marked = f"^{part}$"
    return {marked[i : i + 2] for i in range(len(marked) - 1)}


class FuzzyVocabulary:
    """The parts are fixed at construction; threads may share it (`near` remembers answers in a plain dict,
    whose single reads and writes are atomic)."""

    def __init__(self, parts: Iterable[str], *, max_edits: int = 2) -> None:
        self.max_edits = max_edits
        kept = {part for part in parts if len(part) >= MIN_PART_LENGTH and not part.isdigit()}
        self._parts = sorted(kept, key=lambda part: (len(part), part))
        # _firsts[n]: the number of the first part of n letters or more (of none: the part count).
        longest = len(self._parts[-1]) if self._parts else 0
        self._firsts = [bisect.bisect_left(self._parts, length, key=len) for length in range(longest + 2)]
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for number, part in enumerate(self._parts):
            for pair in _pairs(part):
                postings[pair].append(number)
        # Per pair: its parts' numbers (ascending) and, per length, where that length's parts start among them.
        self._postings: dict[str, tuple[npt.NDArray[np.int32], tuple[int, ...]]] = {}
        for pair, ids in postings.items():
            numbers = np.array(ids, dtype=np.int32)
            self._postings[pair] = (numbers, tuple(np.searchsorted(numbers, self._firsts).tolist()))
        self._remembered: dict[str, tuple[str, ...]] = {}

    def __reduce__(self) -> tuple[type[FuzzyVocabulary], tuple[tuple[str, ...]], dict[str, object]]:
        return FuzzyVocabulary, ((),), self.__getstate__()  # an empty vocabulary, then the state

    def __getstate__(self) -> dict[str, object]:
        """Saved without the remembered answers: they depend on the traffic, not on the lists."""
        state = named_attributes(self, _STATE)
        state["_remembered"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        set_attributes(self, state)

    def __len__(self) -> int:
        return len(self._parts)

    def near(self, part: str) -> list[str]:
        """Listed parts within reach of `part`, the closest first (the part itself excluded).

        Reach is `max_edits` from `LONG_PART` letters on and one edit below: two edits in a
        six-letter word leave too little of it, and would pass thousands of parts to the check.
        """
        if len(part) < MIN_PART_LENGTH or not self._parts:
            return []
        found = self._remembered.get(part)
        if found is None:
            if len(self._remembered) >= REMEMBERED_PARTS:
                self._remembered.clear()
            found = self._remembered[part] = tuple(self._look_up(part))
        return list(found)

    def _look_up(self, part: str) -> list[str]:
        edits = self.max_edits if len(part) >= LONG_PART else 1
        pairs = _pairs(part)
        needed = len(pairs) - 2 * edits
        if needed < 2:
            return []
        # The parts of `shortest` up to (not including) `too_long` letters.
        shortest = min(len(part) - edits, len(self._firsts) - 1)
        too_long = min(len(part) + edits + 1, len(self._firsts) - 1)
        arrays = []
        for pair in pairs:
            posting = self._postings.get(pair)
            if posting is not None:
                ids, starts = posting
                arrays.append(ids[starts[shortest] : starts[too_long]])
        if len(arrays) < needed:
            return []
        first = self._firsts[shortest]
        shared = np.bincount(np.concatenate(arrays) - first)
        numbers = np.flatnonzero(shared >= needed) + first
        parts = self._parts
        candidates = [parts[number] for number in numbers.tolist()]
        found = process.extract(part, candidates, scorer=OSA.distance, score_cutoff=edits, limit=None)
        return [other for other, distance, _ in sorted(found, key=lambda item: (item[1], item[0])) if distance > 0]
