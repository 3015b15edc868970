"""A first token Jaro-Winkler matcher, kept until the full engine replaces it behind the same interface."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import jellyfish
from anyascii import anyascii

from service.matching.types import FeatureScore, IndexedEntry, Match, MatchDecision, MatchThresholds, Query

_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")


def simple_tokens(text: str) -> list[str]:
    """NFKC, transliterate to ASCII, casefold, drop punctuation; "MADURO MOROS, Nicolas" -> 3 tokens."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower().replace("'", "")
    return [token for token in _NON_ALNUM.sub(" ", ascii_text).split() if token]


def _aligned_similarity(query: list[str], listed: list[str]) -> float:
    """Each query token takes its best listed token; unmatched listed tokens dilute the score."""
    if not query or not listed:
        return 0.0
    total = 0.0
    for token in query:
        total += max(jellyfish.jaro_winkler_similarity(token, other) for other in listed)
    coverage = total / len(query)
    return coverage * (2 * len(query)) / (len(query) + max(len(query), len(listed)))


@dataclass(slots=True)
class SimpleIndex:
    entries: list[IndexedEntry]
    names: list[tuple[int, str, list[str]]]
    by_prefix: dict[str, list[int]]

    @property
    def entry_count(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return len(self.names)

    def search(self, query: Query, *, thresholds: MatchThresholds, limit: int) -> list[Match]:
        tokens = simple_tokens(query.name)
        candidates: set[int] = set()
        for token in tokens:
            candidates.update(self.by_prefix.get(token[:3], ()))
        best: dict[int, Match] = {}
        for name_id in candidates:
            entry_id, name, name_tokens = self.names[name_id]
            entry = self.entries[entry_id]
            if query.sources is not None and entry.source not in query.sources:
                continue
            if query.type != "any" and entry.type not in (query.type, "unknown"):
                continue
            score = round(_aligned_similarity(tokens, name_tokens), 4)
            if score < thresholds.review:
                continue
            current = best.get(entry_id)
            if current is None or score > current.score:
                decision: MatchDecision = "block" if score >= thresholds.block else "review"
                detail = f"'{query.name}' ~ '{name}' (token Jaro-Winkler {score:.2f})"
                best[entry_id] = Match(entry, score, name, decision, [FeatureScore("name_tokens", score, detail)])
        ranked = sorted(best.values(), key=lambda match: (-match.score, match.entry.source, match.entry.entity_id))
        return ranked[:limit]


def build_simple_index(entries: Iterable[IndexedEntry]) -> SimpleIndex:
    entry_list = list(entries)
    names: list[tuple[int, str, list[str]]] = []
    by_prefix: dict[str, list[int]] = defaultdict(list)
    for entry_id, entry in enumerate(entry_list):
        for name in (entry.name, *(alias.name for alias in entry.aliases)):
            tokens = simple_tokens(name)
            if not tokens:
                continue
            name_id = len(names)
            names.append((entry_id, name, tokens))
            for prefix in {token[:3] for token in tokens}:
                by_prefix[prefix].append(name_id)
    return SimpleIndex(entry_list, names, dict(by_prefix))
