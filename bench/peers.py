"""Peer engines run in-process on the same corpus, for bench/quality.py.

- `WatchmanJW`: a re-implementation of Moov Watchman's scoring (v0.2x "BestPairsJaroWinkler"):
  lower-case, strip diacritics and punctuation (no transliteration), reorder "LAST, First",
  drop company suffixes; then per query token the best Jaro-Winkler against the listed
  tokens (with Watchman's length and first-letter adjustments), greedy unique pairs, a
  length-weighted average, and a penalty for unmatched listed characters.
- `Nomenklatura`: nomenklatura's `logic-v2` (yente's default) and `ofac` algorithms, which
  compare two FollowTheMoney entities.

Neither peer has an index of its own here (Watchman scans everything; yente asks
ElasticSearch). So that each peer sees a fair candidate set, `Blocker` emulates a
full-text search: entries sharing a folded word with the query, ranked by summed
rarity, top `limit`; the harness adds our engine's candidates too, so a peer never
misses a target merely because of candidate generation that ours had.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

from service.matching.types import IndexedEntry, Query

_WORD = re.compile(r"[a-z0-9]+")
_WATCHMAN_SUFFIXES = frozenset({"co", "corp", "corporation", "inc", "incorporated", "llc", "ltd", "limited", "company"})
_WATCHMAN_STOPWORDS = frozenset({"the", "of", "and", "a", "an", "in", "for", "de", "la", "el"})


def _fold(text: str) -> list[str]:
    return _WORD.findall(anyascii(text).lower())


class Blocker:
    """A stand-in for a search engine's first pass: shared words, rarest first."""

    def __init__(self, entries: Sequence[IndexedEntry]) -> None:
        postings: dict[str, set[int]] = defaultdict(set)
        for number, entry in enumerate(entries):
            for name in (entry.name, *(alias.name for alias in entry.aliases)):
                for word in _fold(name):
                    postings[word].add(number)
        self.postings = dict(postings)
        self.total = len(entries)

    def candidates(self, name: str, limit: int = 50) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        for word in set(_fold(name)):
            ids = self.postings.get(word, ())
            if not ids or len(ids) > self.total // 10:
                continue
            weight = math.log(self.total / len(ids))
            for number in ids:
                scores[number] += weight
        return sorted(scores, key=scores.__getitem__, reverse=True)[:limit]


# --- Watchman -------------------------------------------------------------------------


def _watchman_tokens(name: str) -> list[str]:
    decomposed = unicodedata.normalize("NFD", name)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    if "," in stripped:  # "MADURO MOROS, Nicolas" -> "Nicolas MADURO MOROS"
        last, _, first = stripped.partition(",")
        stripped = f"{first} {last}"
    words = re.findall(r"\w+", stripped)
    words = [word for word in words if word not in _WATCHMAN_STOPWORDS]
    while len(words) > 1 and words[-1] in _WATCHMAN_SUFFIXES:
        words.pop()
    return words


def _watchman_pair(search: str, index: str) -> float:
    score = JaroWinkler.normalized_similarity(search, index)
    length_metric = min(len(search), len(index)) / max(len(search), len(index))
    score *= 0.9 + 0.1 * length_metric  # Watchman's lengthDifferencePenaltyWeight = 0.1 (approx.)
    if search[:1] != index[:1]:
        score *= 0.9  # differentLetterPenaltyWeight
    return score


def watchman_score(query: str, listed: str) -> float:
    search_tokens = _watchman_tokens(query)
    index_tokens = _watchman_tokens(listed)
    if not search_tokens or not index_tokens:
        return 0.0
    if " ".join(search_tokens) == " ".join(index_tokens):
        return 1.0
    pairs = sorted(
        ((_watchman_pair(s, t), i, j) for i, s in enumerate(search_tokens) for j, t in enumerate(index_tokens)),
        reverse=True,
    )
    used_search: set[int] = set()
    used_index: set[int] = set()
    total = 0.0
    for score, i, j in pairs:
        if i in used_search or j in used_index:
            continue
        used_search.add(i)
        used_index.add(j)
        total += score * len(search_tokens[i])
    search_chars = sum(len(token) for token in search_tokens)
    weighted = total / search_chars
    index_chars = sum(len(token) for token in index_tokens)
    matched_index_chars = sum(len(index_tokens[j]) for j in used_index)
    unmatched_fraction = 1 - matched_index_chars / index_chars
    return weighted * (1 - 0.15 * unmatched_fraction)  # unmatchedIndexTokenWeight


def watchman_entry_score(query: Query, entry: IndexedEntry) -> float:
    names = (entry.name, *(alias.name for alias in entry.aliases))
    return max(watchman_score(query.name, name) for name in names)


# --- nomenklatura ---------------------------------------------------------------------


class Nomenklatura:
    """Adapter from our entries and queries to FollowTheMoney entities."""

    def __init__(self, algorithm_name: str) -> None:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm

        algorithm = get_algorithm(algorithm_name)
        if algorithm is None:
            raise ValueError(f"nomenklatura has no algorithm {algorithm_name!r}")
        self.algorithm = algorithm
        self.config = algorithm.default_config()
        self.model = model
        self.cache: dict[tuple[str, str], Any] = {}
        self.queries = 0

    def _schema(self, type_: str) -> str:
        return {"person": "Person", "organization": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}.get(
            type_, "LegalEntity"
        )

    def entity(self, entry: IndexedEntry) -> Any:
        key = (entry.source, entry.entity_id)
        found = self.cache.get(key)
        if found is not None:
            return found
        entity = self.model.make_entity(self._schema(entry.type))
        entity.id = f"{entry.source}-{entry.entity_id}"
        entity.add("name", entry.name)
        for alias in entry.aliases:
            entity.add("alias", alias.name)
        if entry.type == "person":
            for birth in entry.birth_dates:
                entity.add("birthDate", birth.value, quiet=True)
            for country in entry.countries:
                entity.add("nationality", country, quiet=True)
        else:
            for country in entry.countries:
                entity.add("country", country, quiet=True)
        for ident in entry.identifiers:
            if ident.type.upper() == "IMO" and entry.type == "vessel":
                prop = "imoNumber"
            else:
                prop = "idNumber" if entry.type == "person" else "registrationNumber"
            entity.add(prop, ident.value, quiet=True)
        self.cache[key] = entity
        return entity

    def query_entity(self, query: Query) -> Any:
        entity = self.model.make_entity(self._schema(query.type))
        # nomenklatura caches per entity id: every query needs its own.
        self.queries += 1
        entity.id = f"query-{self.queries}"
        entity.add("name", query.name)
        if query.birth_date is not None and query.type == "person":
            entity.add("birthDate", query.birth_date.value)
        if query.country:
            entity.add("nationality" if query.type == "person" else "country", query.country)
        return entity

    def score(self, query_entity: Any, entry: IndexedEntry) -> float:
        return float(self.algorithm.compare(query_entity, self.entity(entry), self.config).score)
