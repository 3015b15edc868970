"""The in-memory match index: candidates (`candidates.py`), then scoring of the few that count.

Each entry's primary name and aliases are prepared once, weighted by rarity across the
index, and filed under their shape. A search aligns each candidate shape once, keeps the
best name per entry, and explains and scores with attributes only the names that can
still reach the threshold.
"""

from __future__ import annotations

import contextlib
import gc
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from service.matching.attribute_state import named_attributes, set_attributes
from service.matching.attributes import (
    Attribute,
    birth_date,
    country,
    entity_type,
    identifier,
    legal_form,
    normalise_identifier,
)
from service.matching.candidates import Candidates, SearchTuning
from service.matching.keys import MIN_PHONETIC_KEY, PARTICLES
from service.matching.legal_forms import LEGAL_WORDS, is_legal_word
from service.matching.linking import lend_birth_dates
from service.matching.names import ABJAD, PLAIN, NameRecord, PreparedName, prepare
from service.matching.readings import invisible_readings, split_runs
from service.matching.scoring import Alignment, NameScore, PartCache, align, explain_name, explained_score, score_name
from service.matching.sharing import ValueSharer
from service.matching.types import FeatureScore, IndexedEntry, Match, MatchDecision, MatchThresholds, Query
from service.matching.weights import DEFAULT_WEIGHTS, FeatureWeights

FREEZE_MIN_NAMES = 20_000  # small (delta) indexes are not worth a full collection
PATRONYMIC_ENDINGS = ("ovich", "evich", "ovna", "evna", "ogly", "ogli", "kyzy")


# What a pickled index holds (`attribute_state.py`).
_STATE = (
    "weights",
    "tuning",
    "entries",
    "_identifiers",
    "_lent_birth_dates",
    "_name_total",
    "_idf",
    "_unseen_weight",
    "_common_parts",
    "names",
    "_candidates",
    "_offsets",
)


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
        sharer = ValueSharer()
        self.entries: list[IndexedEntry] = [sharer.share_fields(entry) for entry in entries]
        prepared_cache: dict[str, PreparedName] = {}
        raw: list[tuple[int, PreparedName, bool]] = []
        identifiers: dict[str, list[int]] = defaultdict(list)
        for number, entry in enumerate(self.entries):
            seen: set[tuple[str, ...]] = set()
            names = [(entry.name, False)] + [(alias.name, alias.strength == "weak") for alias in entry.aliases]
            for text, weak in names:
                prepared = prepared_cache.get(text)
                if prepared is None:
                    prepared = prepared_cache[text] = sharer.share(prepare(text))
                if not prepared.tokens or prepared.tokens in seen:
                    continue
                seen.add(prepared.tokens)
                raw.append((number, prepared, weak))
            for ident in entry.identifiers:
                value = normalise_identifier(ident.value)
                if len(value) >= 5:
                    identifiers[value].append(number)
        self._identifiers = dict(identifiers)
        self._lent_birth_dates = lend_birth_dates(
            self.entries, ((number, prepared.tokens, weak) for number, prepared, weak in raw)
        )
        document_frequency: Counter[str] = Counter()
        for _, prepared, _ in raw:
            document_frequency.update(set(prepared.tokens))
        self._name_total = max(len(raw), 1)
        self._idf = {token: self._weight(count) for token, count in document_frequency.items()}
        self._unseen_weight = self._weight(1)
        # Parts in more listed names than `rare_part_names`; the few of them are kept, not the many rare ones.
        self._common_parts = frozenset(
            token for token, count in document_frequency.items() if count > weights.rare_part_names
        )
        self.names: list[NameRecord] = []
        for number, prepared, weak in raw:
            part_weights = sharer.share(tuple(self.part_weight(token) for token in prepared.tokens))
            self.names.append(NameRecord(number, prepared, part_weights, weak))
        self._candidates = Candidates(
            self.names, [self.entries[record.entry].source for record in self.names], self.tuning
        )
        # Names are stored entry by entry: entry n owns names [offsets[n], offsets[n + 1]).
        self._offsets = array("i", [0] * (len(self.entries) + 1))
        for record in self.names:
            self._offsets[record.entry + 1] += 1
        for number in range(len(self.entries)):
            self._offsets[number + 1] += self._offsets[number]

    def __reduce__(self) -> tuple[type[Index], tuple[tuple[IndexedEntry, ...]], dict[str, object]]:
        return Index, ((),), named_attributes(self, _STATE)  # no entries, then the state

    def __setstate__(self, state: dict[str, object]) -> None:
        set_attributes(self, state)

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
                weights.append(self._weight(max(self._candidates.key_count(key), 1)))
        return tuple(weights)

    @property
    def entry_count(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return len(self.names)

    def search(self, query: Query, *, thresholds: MatchThresholds, limit: int) -> list[Match]:
        """Screen every reading of the query (`readings.py`: invisible characters, names run together);
        an entry keeps its best match."""
        readings = self._readings(query.name)
        if len(readings) == 1:
            return self._search(query, readings[0], thresholds=thresholds, limit=limit)
        best: dict[int, Match] = {}
        for reading in readings:
            for match in self._search(query, reading, thresholds=thresholds, limit=limit):
                key = id(match.entry)
                if key not in best or match.score > best[key].score:
                    best[key] = match
        return sorted(best.values(), key=lambda m: (-m.score, m.entry.source, m.entry.entity_id))[:limit]

    def _readings(self, text: str) -> list[PreparedName]:
        readings: dict[tuple[str, ...], PreparedName] = {}
        for written in invisible_readings(text):
            prepared = prepare(written)
            readings.setdefault(prepared.tokens, prepared)
            if prepared.mode == PLAIN:
                # Into listed parts; failing that, into listed adjacent parts written together as well
                # ("jaishi mohammed" for JAISH-I-MOHAMMED, whose one-letter part no piece can be).
                split = split_runs(prepared.tokens, self._idf) or split_runs(
                    prepared.tokens, self._candidates.filed_keys(), self._idf
                )
                if split is not None and split not in readings:
                    spaced = prepare(" ".join(split))
                    # A split must be name parts only: "Marchand" is no "March and" (a stopword dropped).
                    if spaced.tokens == split:
                        readings[split] = spaced
        return list(readings.values())

    def _search(self, query: Query, prepared: PreparedName, *, thresholds: MatchThresholds, limit: int) -> list[Match]:
        query_weights = self._query_weights(prepared)
        cache: PartCache = {}
        # Align every candidate once; the explanation is built only for the best name of an entry that
        # can still reach the threshold (most candidates cannot), once per shape.
        candidates = self._candidates
        alignments: dict[int, Alignment] = {}
        ranked: dict[int, tuple[float, NameRecord, int]] = {}
        wanted = query.sources
        for shape in candidates.find(prepared, wanted) if prepared.tokens else ():
            representative = candidates.shapes[shape]
            alignment = alignments[shape] = align(
                prepared, query_weights, representative.name, representative.weights, self.weights, cache
            )
            value = alignment[0]
            for name_id in candidates.members[shape]:
                record = self.names[name_id]
                if wanted is not None and self.entries[record.entry].source not in wanted:
                    continue
                current = ranked.get(record.entry)
                if current is None or value > current[0]:
                    ranked[record.entry] = (value, record, shape)
        identified = self._identified(query)
        headroom = self._attribute_headroom(query, prepared)
        rare_word = self._rare_single_word(prepared)
        lifted: set[int] = set()  # persons whose longer name holds the query's one rare word (class 7)
        explained: dict[int, tuple[NameScore, str]] = {}
        best: dict[int, tuple[NameScore, str, NameRecord]] = {}
        for number, (value, record, shape) in ranked.items():
            if rare_word is not None and self._lifts(number, record, rare_word):
                lifted.add(number)
            if value + headroom >= thresholds.review or number in identified or number in lifted:
                found = explained.get(shape)
                if found is None:
                    result = explained_score(prepared, record.name, alignments[shape])
                    found = explained[shape] = (result, explain_name(result))
                best[number] = (*found, record)
        for number in identified - best.keys():
            entry = self.entries[number]
            best_name = self._best_name_of(number, prepared, query_weights, cache)
            if best_name is not None and (wanted is None or entry.source in wanted):
                result, record = best_name
                best[number] = (result, explain_name(result), record)
        matches: list[Match] = []
        for number, (result, detail, record) in best.items():
            if result.score + headroom < thresholds.review and number not in identified and number not in lifted:
                continue  # attributes cannot lift it far enough
            match = self._match(query, prepared, number, result, detail, record, thresholds, rare_part=number in lifted)
            if match is not None:
                matches.append(match)
        matches.sort(key=lambda m: (-m.score, m.entry.source, m.entry.entity_id))
        return matches[:limit]

    def _rare_single_word(self, query: PreparedName) -> str | None:
        """The query's one name part (particles aside) when few listed names hold it; else None."""
        words = [token for token in query.tokens if token not in PARTICLES]
        if len(words) != 1 or query.mode != PLAIN:
            return None
        word = words[0]
        return word if word in self._idf and word not in self._common_parts else None

    def _lifts(self, number: int, record: NameRecord, word: str) -> bool:
        """Whether `word` is a part of this listed person's name of two or more parts (class 7 of issue 12)."""
        tokens = record.name.tokens
        return self.entries[number].type == "person" and word in tokens and len(set(tokens) - PARTICLES) >= 2

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
        number: int,
        result: NameScore,
        name_detail: str,
        record: NameRecord,
        thresholds: MatchThresholds,
        *,
        rare_part: bool = False,
    ) -> Match | None:
        weights = self.weights
        entry = self.entries[number]
        features = [FeatureScore("name", result.score, name_detail)]
        lent = self._lent_birth_dates.get(number)
        attributes: list[Attribute] = [
            attribute
            for attribute in (
                birth_date(query, entry, weights, lent),
                country(query, entry, weights),
                entity_type(query, entry, weights),
                legal_form(prepared.legal_form, record.name.legal_form, weights),
            )
            if attribute is not None
        ]
        if record.weak:
            attributes.append(Attribute(FeatureScore("weak_alias", weights.weak_alias, "matched a low-quality alias")))
        if rare_part and result.score < weights.rare_part_floor:
            # One rare word that is part of a listed person's name ("Maduro" alone): it outranks one-word aliases
            # merely spelt alike ("Mauro"), and is reviewed, never blocked, on one word.
            detail = "the one word given is a rare part of this listed person's name"
            lift = FeatureScore("rare_part", weights.rare_part_floor - result.score, detail)
            attributes.append(Attribute(lift, unverified=True))
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


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while millions of small objects are made that all stay alive.

    It would rescan them over and over (it doubles the build time, and more than doubles an unpickling).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _freeze_if_large(index: Index) -> Index:
    if index.name_count >= FREEZE_MIN_NAMES:
        # Move the index's objects out of the collector's generations: later collections
        # during queries would otherwise walk all of them (tens of milliseconds each).
        # Collect first so that no garbage cycle is frozen with them; the index holds no
        # cycles, so reference counting still frees it when it is replaced.
        gc.collect()
        gc.freeze()
    return index


def build_index(entries: Iterable[IndexedEntry], *, weights: FeatureWeights = DEFAULT_WEIGHTS) -> Index:
    """Build the in-memory index over list entries (at every replica start and list change)."""
    with collector_paused():
        index = Index(entries, weights=weights)
    return _freeze_if_large(index)
