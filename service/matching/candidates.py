"""Candidate generation: which listed names are worth scoring for a query.

Names that normalise to the same parts form one shape (the same name on the SDN, the CSL
and the UK list is one candidate, scored once). Postings map keys (`keys.py`: the part,
its phonetic skeleton, typo variants, adjacent parts written together) to tuples
of shape ids. A query collects, per query part, the shapes sharing any of its keys; a query
part no list uses also looks up the listed parts two edits away (`fuzzy_vocabulary.py`).
Parts whose postings are long (a common first name) only confirm shapes found through
rarer parts, so a query touches a small fraction of the corpus. A `sources` restriction
is applied before the cut; shapes are ranked by rarity-weighted part hits and only the
best `max_candidates` are scored in full.
"""

from __future__ import annotations

import bisect
import math
import operator
from array import array
from collections import defaultdict
from collections.abc import Iterable, KeysView
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, TypeVar

from service.matching.attribute_state import named_attributes, set_attributes
from service.matching.fuzzy_vocabulary import FuzzyVocabulary
from service.matching.keys import DELETED, PHONETIC, is_filler, key_groups
from service.matching.names import NameRecord, PreparedName

_HITS = operator.itemgetter(1)
_SIZE = operator.itemgetter(1)  # of a key group: its postings' total length


def _negative_hits(item: tuple[int, int]) -> int:
    return -item[1]


@dataclass(slots=True, frozen=True)
class SearchTuning:
    """Candidate-generation limits (speed against recall; see bench/speed.py)."""

    max_candidates: int = 20
    min_hit_share: float = 0.5
    large_posting: int = 700
    max_groups: int = 12
    # Unknown query parts looked up in the fuzzy vocabulary per query, and listed parts taken per lookup.
    max_near_lookups: int = 3
    max_near_parts: int = 8


Posting = tuple[int, ...]
Shape = TypeVar("Shape")  # a shape id (`_add`)


def _intersect(first: frozenset[int] | Posting, second: frozenset[int] | Posting) -> set[int]:
    if isinstance(first, frozenset):
        return set(first.intersection(second))
    if isinstance(second, frozenset):
        return set(second.intersection(first))
    return set(first).intersection(second)


_EmptyArguments = tuple[list[NameRecord], list[str], SearchTuning]  # of a `Candidates` with no names

# What a pickled `Candidates` holds (`attribute_state.py`).
_STATE = (
    "tuning",
    "shapes",
    "_source_bits",
    "_shape_sources",
    "members",
    "_shape_sizes",
    "_postings",
    "_vocabulary",
    "_shape_total",
    "_large",
)


class Candidates:
    """Shapes of the indexed names and their postings; immutable after construction."""

    def __init__(self, names: list[NameRecord], sources: list[str], tuning: SearchTuning) -> None:
        """`sources[n]` is the list of `names[n]`."""
        self.tuning = tuning
        shape_ids: dict[tuple[tuple[str, ...], int], int] = {}
        self.shapes: list[NameRecord] = []  # one representative name per shape
        members: list[list[int]] = []
        source_bits: dict[str, int] = {}
        masks: list[int] = []
        for name_id, record in enumerate(names):
            shape_key = (record.name.tokens, record.name.mode)
            shape = shape_ids.get(shape_key)
            if shape is None:
                shape = shape_ids[shape_key] = len(self.shapes)
                self.shapes.append(record)
                members.append([])
                masks.append(0)
            members[shape].append(name_id)
            source = sources[name_id]
            bit = source_bits.setdefault(source, 1 << len(source_bits))
            masks[shape] |= bit
        self._source_bits = source_bits
        self._shape_sources = masks
        self.members = [tuple(ids) for ids in members]  # name ids: each int object made once, by the enumeration
        self._shape_sizes = bytes(min(len(record.name.tokens), 255) for record in self.shapes)
        # Collected in compact arrays (the build's peak memory), then turned into tuples of one int object per shape.
        postings: defaultdict[str, array[int]] = defaultdict(lambda: array("i"))
        for shape, record in enumerate(self.shapes):
            for key in {key for group in key_groups(record.name, query=False) for key in group}:
                postings[key].append(shape)
        self._postings: dict[str, Posting] = _as_postings(postings, len(self.shapes))
        self._vocabulary = FuzzyVocabulary(token for record in self.shapes for token in record.name.tokens)
        self._shape_total = max(len(self.shapes), 1)
        self._large = self._large_postings()

    def _large_postings(self, keys: Iterable[str] | None = None) -> dict[str, frozenset[int]]:
        """Common keys are also kept as sets: a query intersects its pool with them in C.

        `keys` names them when known (a loaded index); otherwise every posting is measured."""
        if keys is None:
            keys = [key for key, ids in self._postings.items() if len(ids) > self.tuning.large_posting]
        return {key: frozenset(self._postings[key]) for key in keys}

    def __reduce__(self) -> tuple[type[Candidates], _EmptyArguments, dict[str, object]]:
        return Candidates, ([], [], self.tuning), self.__getstate__()  # no names, then the state

    def __getstate__(self) -> dict[str, object]:
        """Pickled with the postings and members as flat int arrays, and the sets of common keys as their keys.

        Pickle writes every int by value: tuples of shared int objects would load as a million
        separate ones (35 MB for the full lists). Each distinct posting is written once, and on load
        all of them are cut from one tuple of shared ints (C-level loops, not one per key).
        """
        state = named_attributes(self, _STATE)
        state["_large"] = list(self._large)  # the keys only
        state["_postings"] = _pack_postings(self._postings)
        state["members"] = _pack_sequences(self.members)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        keys, numbers, lengths, flat = state.pop("_postings")
        member_lengths, name_ids = state.pop("members")
        large_keys = state.pop("_large")
        set_attributes(self, state)
        distinct = _unpack_sequences(lengths, flat, len(self.shapes))
        self._postings = dict(zip(keys, map(distinct.__getitem__, numbers), strict=True))
        # Every name id is a member once: their number is the name count.
        self.members = _unpack_sequences(member_lengths, name_ids, len(name_ids))
        self._large = self._large_postings(large_keys)

    def filed_keys(self) -> KeysView[str]:
        """Every key a listed name is filed under: its parts and its adjacent parts written together among them."""
        return self._postings.keys()

    def key_count(self, key: str) -> int:
        """How many shapes a phonetic key files (the rarity of a consonant key)."""
        return len(self._postings.get(PHONETIC + key, ()))

    def _members(self, key: str) -> frozenset[int] | Posting:
        return self._large.get(key) or self._postings[key]

    def _add_near_parts(self, query: PreparedName, groups: list[tuple[str, ...]]) -> None:
        """Unknown query parts (a typo or an unlisted name) also look up listed parts two edits away."""
        looked_up = 0
        for position, part in enumerate(query.tokens):
            if part in self._postings or is_filler(part):
                continue
            near = self._vocabulary.near(part)[: self.tuning.max_near_parts]
            if near:
                groups[position] = (*groups[position], *near)
            looked_up += 1
            if looked_up == self.tuning.max_near_lookups:
                break

    def find(self, query: PreparedName, sources: frozenset[str] | None) -> list[int]:
        """Shape ids worth scoring, best first: names of the wanted lists sharing the query's rarest parts."""
        postings = self._postings
        # Shape -> rarity-weighted hits. Its insertion order (first hit first) orders shapes of equal hits.
        counter: dict[int, int] = {}
        large: list[tuple[list[str], int, int]] = []
        groups: list[tuple[list[str], int, int]] = []
        all_groups = key_groups(query, query=True)
        self._add_near_parts(query, all_groups)
        # Particles and legal-form words only find names when nothing else can.
        telling = [group for group in all_groups if not is_filler(group[0])]
        for group in telling or all_groups:
            keys = [key for key in group if key in postings]
            if keys:
                sizes = [len(postings[key]) for key in keys]
                groups.append((keys, sum(sizes), min(sizes)))
        # Very long names (a ministry and all its units): the rarest parts are enough.
        groups.sort(key=_SIZE)
        for keys, size, smallest in groups[: self.tuning.max_groups]:
            # Hits through a rare part count more (1..4 votes) than through a common one.
            votes = 1 + min(3, int(math.log10(max(self._shape_total / smallest, 1.0))))
            if size > self.tuning.large_posting:
                large.append((keys, size, votes))
                continue
            _add(counter, set().union(*(postings[key] for key in keys)), votes)
            # The same part outranks the same sound, which outranks a one-letter difference.
            for key in keys[:2]:
                if not key.startswith(DELETED):
                    _add(counter, postings[key], 1)
        if large and not counter:
            # Only common parts ("Mohammed Ali"): names having the two rarest, else the exact part.
            first = large.pop(0)
            if large:
                second = large.pop(0)
                hit: set[int] = set()
                for key in first[0]:
                    for other in second[0]:
                        hit.update(_intersect(self._members(key), self._members(other)))
                votes = first[2] + second[2]
                # As everywhere, the same part outranks the same sound or a one-letter difference.
                pool = frozenset(hit)
                for keys, _, _ in (first, second):
                    if keys[0] in query.tokens:
                        _add(counter, pool.intersection(self._members(keys[0])), 1)
            else:
                hit = set(postings[first[0][0]][: self.tuning.max_candidates * 4])
                votes = first[2]
            _add(counter, hit, votes)
        if large:
            pool = frozenset(counter)
            for keys, _, votes in large:
                confirmed: set[int] = set()
                for key in keys:
                    confirmed.update(pool.intersection(self._members(key)))
                _add(counter, confirmed, votes)
        items: list[tuple[int, int]] = list(counter.items())
        if sources is not None:
            # Filtered before the cut, so that names of other lists cannot crowd out the wanted ones.
            wanted = sum(bit for source, bit in self._source_bits.items() if source in sources)
            masks = self._shape_sources
            items = [item for item in items if masks[item[0]] & wanted]
        ranked = self._cut(items)
        if not ranked:
            return []
        # Names with under half the best name's rarity-weighted hits cannot win.
        cutoff = ranked[0][1] * self.tuning.min_hit_share
        return [shape for shape, hits in ranked if hits >= cutoff]

    def _cut(self, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The `max_candidates` shapes with the most hits; at the cut, the shorter names, then the earlier ones.

        Shorter first because the same hits cover more of a short name; earlier next so that the cut
        never depends on set iteration order. Above the cut, shapes of equal hits keep their order in
        `items` (the sort is stable); only the tied shapes at the cut are ordered by size.
        """
        size = self.tuning.max_candidates
        ranked = sorted(items, key=_HITS, reverse=True)
        if len(ranked) < size:
            return ranked
        floor = ranked[size - 1][1]
        # In descending hits the shapes at the floor are one run: found by bisection, not a scan.
        above = bisect.bisect_left(ranked, -floor, key=_negative_hits)
        tied_end = bisect.bisect_right(ranked, -floor, lo=size, key=_negative_hits)
        sizes = self._shape_sizes
        # (size, shape) packed in one int: the tied shapes are ordered by C comparisons, without a key function.
        tied = sorted([(sizes[shape] << 32) | shape for shape, _ in ranked[above:tied_end]])[: size - above]
        return ranked[:above] + [(packed & 0xFFFFFFFF, floor) for packed in tied]


def _as_postings(postings: dict[Any, array[int]], count: int) -> dict[Any, Posting]:
    """Postings as tuples of one shared int object per id below `count`, equal postings one tuple.

    Tuples of shared int objects: iterating them (set unions, counting) boxes no ints, and a short
    tuple is smaller than an array. `postings` is emptied on the way, each array freed once converted
    (the peak memory of a build or a load).
    """
    numbers = list(range(count))
    known: dict[Posting, Posting] = {}
    shared: dict[Any, Posting] = {}
    while postings:
        key, ids = postings.popitem()
        posting = tuple(map(numbers.__getitem__, ids))
        shared[key] = known.setdefault(posting, posting)
    return shared


def _pack_postings(postings: dict[str, Posting]) -> tuple[list[str], array[int], array[int], array[int]]:
    """Keys, each key's number among the distinct postings, and those postings packed by `_pack_sequences`."""
    numbered: dict[Posting, int] = {}
    numbers = array("i", (numbered.setdefault(ids, len(numbered)) for ids in postings.values()))
    return list(postings), numbers, *_pack_sequences(list(numbered))


def _pack_sequences(sequences: list[Posting]) -> tuple[array[int], array[int]]:
    """The sequences' lengths, and all their ids in one array."""
    flat = array("i")
    for ids in sequences:
        flat.extend(ids)
    return array("i", map(len, sequences)), flat


def _unpack_sequences(lengths: array[int], flat: array[int], count: int) -> list[Posting]:
    """`_pack_sequences` undone, into tuples of one shared int object per id below `count`."""
    numbers = list(range(count))
    ids = tuple(map(numbers.__getitem__, flat))
    ends = list(accumulate(lengths))
    return list(map(ids.__getitem__, map(slice, [0, *ends[:-1]], ends)))


def _add(counter: dict[Shape, int], shapes: Iterable[Shape], votes: int) -> None:
    """Add `votes` hits to each of `shapes`, in their order.

    A plain dict, not a Counter: compiled (`native.py`), setting an item of a dict subclass goes through
    its type's slots and costs three times as many instructions as on a dict. Generic in the shape id so
    that, compiled, ids pass through as the int objects they are: typed `int`, each would be unboxed from
    the set and boxed anew (a new int object above 256) for the dict lookup and again for the store.
    """
    if not counter:
        counter.update(dict.fromkeys(shapes, votes))  # into an empty dict: one C-level copy
        return
    for shape in shapes:
        counter[shape] = counter.get(shape, 0) + votes
