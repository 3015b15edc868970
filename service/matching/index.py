"""The in-memory match index: candidate generation, then scoring of a few candidates.

Names that normalise to the same parts form one shape (the same name on the SDN, the CSL
and the UK list is one candidate, scored once). Postings map keys (`keys.py`: the part,
its phonetic skeleton, typo variants, adjacent parts written together) to compact arrays
of shape ids. A query collects, per query part, the shapes sharing any of its keys; a query
part no list uses also looks up the listed parts two edits away (`fuzzy_vocabulary.py`).
Parts whose postings are long (a common first name) only confirm shapes found through
rarer parts, so a query touches a small fraction of the corpus. A `sources` restriction
is applied before the cut; shapes are ranked by rarity-weighted part hits and only the
best `max_candidates` are scored in full.
"""

from __future__ import annotations

import gc
import heapq
import math
import operator
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from service.matching.attributes import (
    Attribute,
    birth_date,
    country,
    entity_type,
    identifier,
    legal_form,
    normalise_identifier,
)
from service.matching.fuzzy_vocabulary import FuzzyVocabulary
from service.matching.keys import DELETED, MIN_PHONETIC_KEY, PARTICLES, PHONETIC, is_filler, key_groups
from service.matching.legal_forms import LEGAL_WORDS, is_legal_word
from service.matching.names import ABJAD, NameRecord, PreparedName, prepare
from service.matching.scoring import NameScore, PartCache, explain_name, name_score_value, score_name
from service.matching.types import FeatureScore, IndexedEntry, Match, MatchDecision, MatchThresholds, Query
from service.matching.weights import DEFAULT_WEIGHTS, FeatureWeights

_HITS = operator.itemgetter(1)
FREEZE_MIN_NAMES = 20_000  # small (delta) indexes are not worth a full collection
PATRONYMIC_ENDINGS = ("ovich", "evich", "ovna", "evna", "ogly", "ogli", "kyzy")


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


def _intersect(first: frozenset[int] | array[int], second: frozenset[int] | array[int]) -> set[int]:
    if isinstance(first, frozenset):
        return set(first.intersection(second))
    if isinstance(second, frozenset):
        return set(second.intersection(first))
    return set(first).intersection(second)


class Index:
    """Immutable after construction; `search` only reads, so threads may share it."""

    def __init__(
        self,
        entries: Iterable[IndexedEntry],
        *,
        weights: FeatureWeights = DEFAULT_WEIGHTS,
        tuning: SearchTuning | None = None,
    ) -> None:
        self.weights = weights
        self.tuning = tuning or SearchTuning()
        self.entries: list[IndexedEntry] = list(entries)
        prepared_cache: dict[str, PreparedName] = {}
        raw: list[tuple[int, PreparedName, bool]] = []
        identifiers: dict[str, list[int]] = defaultdict(list)
        for number, entry in enumerate(self.entries):
            seen: set[tuple[str, ...]] = set()
            names = [(entry.name, False)] + [(alias.name, alias.strength == "weak") for alias in entry.aliases]
            for text, weak in names:
                prepared = prepared_cache.get(text)
                if prepared is None:
                    prepared = prepare(text)
                    prepared_cache[text] = prepared
                if not prepared.tokens or prepared.tokens in seen:
                    continue
                seen.add(prepared.tokens)
                raw.append((number, prepared, weak))
            for ident in entry.identifiers:
                value = normalise_identifier(ident.value)
                if len(value) >= 5:
                    identifiers[value].append(number)
        self._identifiers = dict(identifiers)
        document_frequency: Counter[str] = Counter()
        for _, prepared, _ in raw:
            document_frequency.update(set(prepared.tokens))
        self._name_total = max(len(raw), 1)
        self._idf = {token: self._weight(count) for token, count in document_frequency.items()}
        self._unseen_weight = self._weight(1)
        self.names: list[NameRecord] = []
        for number, prepared, weak in raw:
            part_weights = tuple(self.part_weight(token) for token in prepared.tokens)
            self.names.append(NameRecord(number, prepared, part_weights, weak))
        self._build_shapes()
        # Names are stored entry by entry: entry n owns names [offsets[n], offsets[n + 1]).
        self._offsets = array("i", [0] * (len(self.entries) + 1))
        for record in self.names:
            self._offsets[record.entry + 1] += 1
        for number in range(len(self.entries)):
            self._offsets[number + 1] += self._offsets[number]

    def _build_shapes(self) -> None:
        """Group names that normalise alike: candidates are shapes, so the same name on many lists is one candidate.

        Scoring depends only on a name's parts (and how they compare, see `PreparedName.mode`), so a shape is
        scored once and every list's entry bearing it shares the score. Postings hold shape ids.
        """
        shape_ids: dict[tuple[tuple[str, ...], int], int] = {}
        self._shapes: list[NameRecord] = []  # one representative name per shape
        members: list[list[int]] = []
        source_bits: dict[str, int] = {}
        masks: list[int] = []
        for name_id, record in enumerate(self.names):
            shape_key = (record.name.tokens, record.name.mode)
            shape = shape_ids.get(shape_key)
            if shape is None:
                shape = shape_ids[shape_key] = len(self._shapes)
                self._shapes.append(record)
                members.append([])
                masks.append(0)
            members[shape].append(name_id)
            source = self.entries[record.entry].source
            bit = source_bits.setdefault(source, 1 << len(source_bits))
            masks[shape] |= bit
        self._source_bits = source_bits
        self._shape_sources = masks
        self._shape_members = [array("i", ids) for ids in members]
        self._shape_sizes = bytes(min(len(record.name.tokens), 255) for record in self._shapes)
        postings: defaultdict[str, array[int]] = defaultdict(lambda: array("i"))
        for shape, record in enumerate(self._shapes):
            for key in {key for group in key_groups(record.name, query=False) for key in group}:
                postings[key].append(shape)
        self._postings = dict(postings)
        self._vocabulary = FuzzyVocabulary(token for record in self._shapes for token in record.name.tokens)
        self._shape_total = max(len(self._shapes), 1)
        # Common keys are also kept as sets: a query intersects its pool with them in C.
        self._large = {
            key: frozenset(ids) for key, ids in self._postings.items() if len(ids) > self.tuning.large_posting
        }

    def _weight(self, count: int) -> float:
        return max(self.weights.min_part_weight, math.log(self._name_total / count))

    def part_weight(self, token: str) -> float:
        """Rarity weight of a name part; patronymics and particles weigh less (often left out)."""
        if token in PARTICLES or token in LEGAL_WORDS:
            return self.weights.particle
        if token not in self._idf and is_legal_word(token):
            return self.weights.particle  # a misspelt legal form ("Obschtchestvo", "Compay")
        weight = self._idf.get(token, self._unseen_weight)
        return weight * self.weights.patronymic if token.endswith(PATRONYMIC_ENDINGS) else weight

    def _query_weights(self, query: PreparedName) -> tuple[float, ...]:
        """Rarity weights of the query's parts.

        A part written in an abjad is transliterated without its vowels ("hashm"), so it is almost
        never a listed part as such: its rarity is that of its consonant key among the listed names.
        """
        if query.mode != ABJAD:
            return tuple(self.part_weight(token) for token in query.tokens)
        weights = []
        for token, key in zip(query.tokens, query.skeletons, strict=True):
            if token in self._idf or token in PARTICLES or len(key) < MIN_PHONETIC_KEY:
                weights.append(self.part_weight(token))
            else:
                weights.append(self._weight(max(len(self._postings.get(PHONETIC + key, ())), 1)))
        return tuple(weights)

    @property
    def entry_count(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return len(self.names)

    def _members(self, key: str) -> frozenset[int] | array[int]:
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

    def _candidates(self, query: PreparedName, sources: frozenset[str] | None) -> list[int]:
        """Shape ids worth scoring, best first: names of the wanted lists sharing the query's rarest parts."""
        counter: Counter[int] = Counter()
        large: list[tuple[list[str], int, int]] = []
        groups = []
        all_groups = key_groups(query, query=True)
        self._add_near_parts(query, all_groups)
        # Particles and legal-form words only find names when nothing else can.
        telling = [group for group in all_groups if not is_filler(group[0])]
        for group in telling or all_groups:
            keys = [key for key in group if key in self._postings]
            if keys:
                groups.append((keys, sum(len(self._postings[key]) for key in keys)))
        # Very long names (a ministry and all its units): the rarest parts are enough.
        groups.sort(key=lambda item: item[1])
        for keys, size in groups[: self.tuning.max_groups]:
            smallest = min(len(self._postings[key]) for key in keys)
            # Hits through a rare part count more (1..4 votes) than through a common one.
            votes = 1 + min(3, int(math.log10(max(self._shape_total / smallest, 1.0))))
            if size > self.tuning.large_posting:
                large.append((keys, size, votes))
                continue
            hit = set().union(*(self._postings[key] for key in keys))
            for _ in range(votes):
                counter.update(hit)
            # The same part outranks the same sound, which outranks a one-letter difference.
            for key in keys[:2]:
                if not key.startswith(DELETED):
                    counter.update(self._postings[key])
        if large and not counter:
            # Only common parts ("Mohammed Ali"): names having the two rarest, else the exact part.
            first = large.pop(0)
            if large:
                second = large.pop(0)
                hit = set()
                for key in first[0]:
                    for other in second[0]:
                        hit.update(_intersect(self._members(key), self._members(other)))
                votes = first[2] + second[2]
                # As everywhere, the same part outranks the same sound or a one-letter difference.
                pool = frozenset(hit)
                for keys, _, _ in (first, second):
                    if keys[0] in query.tokens:
                        counter.update(pool.intersection(self._members(keys[0])))
            else:
                hit = set(self._postings[first[0][0]][: self.tuning.max_candidates * 4])
                votes = first[2]
            for _ in range(votes):
                counter.update(hit)
        if large:
            pool = frozenset(counter)
            for keys, _, votes in large:
                confirmed: set[int] = set()
                for key in keys:
                    confirmed.update(pool.intersection(self._members(key)))
                for _ in range(votes):
                    counter.update(confirmed)
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
        never depends on set iteration order. Only the tied shapes at the cut are ordered in Python.
        """
        size = self.tuning.max_candidates
        ranked = heapq.nlargest(size, items, key=_HITS)
        if len(ranked) < size:
            return ranked
        floor = ranked[-1][1]
        above = [item for item in ranked if item[1] > floor]
        sizes = self._shape_sizes
        # (size, shape) packed in one int: the tied shapes are ordered by C comparisons, without a key function.
        tied = heapq.nsmallest(
            size - len(above), [(sizes[shape] << 32) | shape for shape, hits in items if hits == floor]
        )
        return above + [(packed & 0xFFFFFFFF, floor) for packed in tied]

    def search(self, query: Query, *, thresholds: MatchThresholds, limit: int) -> list[Match]:
        prepared = prepare(query.name)
        query_weights = self._query_weights(prepared)
        cache: PartCache = {}
        # Rank every candidate by its score alone; the explained score is built only for the best name of
        # an entry that can still reach the threshold (most candidates cannot).
        ranked: dict[int, tuple[float, NameRecord, int]] = {}
        wanted = query.sources
        for shape in self._candidates(prepared, wanted) if prepared.tokens else ():
            representative = self._shapes[shape]
            value = name_score_value(
                prepared, query_weights, representative.name, representative.weights, self.weights, cache
            )
            for name_id in self._shape_members[shape]:
                record = self.names[name_id]
                if wanted is not None and self.entries[record.entry].source not in wanted:
                    continue
                current = ranked.get(record.entry)
                if current is None or value > current[0]:
                    ranked[record.entry] = (value, record, shape)
        identified = self._identified(query)
        headroom = self._attribute_headroom(query, prepared)
        explained: dict[int, NameScore] = {}
        best: dict[int, tuple[NameScore, NameRecord]] = {}
        for number, (value, record, shape) in ranked.items():
            if value + headroom >= thresholds.review or number in identified:
                result = explained.get(shape)
                if result is None:
                    result = explained[shape] = score_name(
                        prepared, query_weights, record.name, record.weights, self.weights, cache
                    )
                best[number] = (result, record)
        for number in identified - best.keys():
            entry = self.entries[number]
            found = self._best_name_of(number, prepared, query_weights, cache)
            if found is not None and (wanted is None or entry.source in wanted):
                best[number] = found
        matches: list[Match] = []
        details: dict[int, str] = {}  # one explanation per name score: entries of one shape share it
        for number, (result, record) in best.items():
            if result.score + headroom < thresholds.review and number not in identified:
                continue  # attributes cannot lift it far enough
            detail = details.get(id(result))
            if detail is None:
                detail = details[id(result)] = explain_name(result)
            match = self._match(query, prepared, self.entries[number], result, detail, record, thresholds)
            if match is not None:
                matches.append(match)
        matches.sort(key=lambda m: (-m.score, m.entry.source, m.entry.entity_id))
        return matches[:limit]

    def _attribute_headroom(self, query: Query, prepared: PreparedName) -> float:
        """The most the query's attributes can add to a name score (a name below review minus this cannot match)."""
        weights = self.weights
        headroom = weights.birth_date_exact if query.birth_date is not None else 0.0
        headroom += weights.country_match if query.country is not None else 0.0
        return headroom + (weights.legal_form_match if prepared.legal_form is not None else 0.0)

    def _identified(self, query: Query) -> set[int]:
        found: set[int] = set()
        for ident in query.identifiers:
            found.update(self._identifiers.get(normalise_identifier(ident.value), ()))
        return found

    def _best_name_of(
        self, number: int, prepared: PreparedName, query_weights: tuple[float, ...], cache: PartCache
    ) -> tuple[NameScore, NameRecord] | None:
        scored = [
            (score_name(prepared, query_weights, record.name, record.weights, self.weights, cache), record)
            for record in self.names[self._offsets[number] : self._offsets[number + 1]]
        ]
        return max(scored, key=lambda item: item[0].score, default=None)

    def _match(
        self,
        query: Query,
        prepared: PreparedName,
        entry: IndexedEntry,
        result: NameScore,
        name_detail: str,
        record: NameRecord,
        thresholds: MatchThresholds,
    ) -> Match | None:
        weights = self.weights
        features = [FeatureScore("name", result.score, name_detail)]
        attributes: list[Attribute] = [
            attribute
            for attribute in (
                birth_date(query, entry, weights),
                country(query, entry, weights),
                entity_type(query, entry, weights),
                legal_form(prepared.legal_form, record.name.legal_form, weights),
            )
            if attribute is not None
        ]
        if record.weak:
            attributes.append(Attribute(FeatureScore("weak_alias", weights.weak_alias, "matched a low-quality alias")))
        features.extend(attribute.feature for attribute in attributes)
        score = max(0.0, min(1.0, result.score + sum(attribute.feature.score for attribute in attributes)))
        identified = identifier(query.identifiers, entry)
        decision: MatchDecision
        if identified is not None:
            features.append(identified.feature)
            score, decision = 1.0, "block"
        elif score < thresholds.review:
            return None
        elif (
            result.score >= thresholds.block
            and not record.weak
            and not any(attribute.contradicts or attribute.unverified for attribute in attributes)
        ):
            decision = "block"
        else:
            decision = "review"
        return Match(
            entry=entry, score=round(score, 4), matched_name=record.name.text, decision=decision, features=features
        )


def build_index(entries: Iterable[IndexedEntry], *, weights: FeatureWeights = DEFAULT_WEIGHTS) -> Index:
    """Build the in-memory index over list entries (at every replica start and list change)."""
    # The build allocates millions of small objects that all stay alive: the cyclic
    # garbage collector would rescan them over and over (it doubles the build time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        index = Index(entries, weights=weights)
    finally:
        if enabled:
            gc.enable()
    if index.name_count >= FREEZE_MIN_NAMES:
        # Move the index's objects out of the collector's generations: later collections
        # during queries would otherwise walk all of them (tens of milliseconds each).
        # Collect first so that no garbage cycle is frozen with them; the index holds no
        # cycles, so reference counting still frees it when it is replaced.
        gc.collect()
        gc.freeze()
    return index
