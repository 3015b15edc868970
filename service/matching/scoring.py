"""Name scoring: align the query's name parts with a listed name's parts.

Each query part takes at most one listed part (greedy, best pairs first), so word
order does not matter ("MADURO MOROS, Nicolas" = "Nicolas Maduro Moros"). A pair's
similarity is 1 for the same part, a Jaro-Winkler score lifted when both parts
share a phonetic key (a spelling variant: Mohammed/Muhammad), or 0 below a floor.
Parts weigh by rarity across the index (inverse document frequency), so a shared
"Mohammed" or "Trading" says little and a shared rare surname says a lot. The name
score blends how much of the query was matched with how much of the listed name was.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from service.matching.names import ABJAD, SYLLABIC, PreparedName
from service.matching.weights import FeatureWeights

# A listed part (and the mode it compares in) -> the query parts similar to it: (similarity, query part, how).
# Similarity depends on the listed part only through its text and mode, so one query's cache serves every name.
PartCache = dict[tuple[str, int], list[tuple[float, int, str]]]


@dataclass(slots=True, frozen=True)
class PartMatch:
    query_part: str
    listed_part: str
    similarity: float
    how: str


@dataclass(slots=True, frozen=True)
class NameScore:
    score: float
    pairs: tuple[PartMatch, ...]
    unmatched_query: tuple[str, ...]
    unmatched_listed: tuple[str, ...]
    compact: bool  # the score comes from comparing the names written without spaces


def _one_edit(a: str, b: str, weights: FeatureWeights) -> bool:
    return min(len(a), len(b)) >= weights.one_edit_length and OSA.distance(a, b, score_cutoff=1) <= 1


def part_similarity(
    query: PreparedName, index: int, listed: PreparedName, position: int, weights: FeatureWeights
) -> tuple[float, str]:
    a, b = query.tokens[index], listed.tokens[position]
    if a == b:
        return 1.0, "exact"
    if len(a) == 1 or len(b) == 1:
        return (weights.initial, "initial") if a[0] == b[0] else (0.0, "")
    if a.isdigit() or b.isdigit():
        return 0.0, ""
    if SYLLABIC in (query.mode, listed.mode):
        return (weights.one_edit, "one letter differs") if _one_edit(a, b, weights) else (0.0, "")
    jw = JaroWinkler.normalized_similarity(a, b)
    same_key = query.skeletons[index] == listed.skeletons[position] or (
        query.metaphones[index] == listed.metaphones[position] and len(query.metaphones[index]) > 2
    )
    abjad = ABJAD in (query.mode, listed.mode)
    if jw < weights.part_floor and not same_key and not abjad:
        return 0.0, ""  # most pairs: parts of different names, told apart without an edit distance
    # Jaro-Winkler is generous with shared prefixes (JING/JINGHUA 0.91): average it with
    # the edit-distance ratio (0.57 there), which is not. OSA counts a swap of two
    # neighbouring letters (COHCAN/COCHAN) as one edit.
    letters = (jw + OSA.normalized_similarity(a, b)) / 2
    if same_key and min(len(a), len(b)) >= weights.variant_length_ratio * max(len(a), len(b)):
        return max(letters, weights.phonetic_floor + weights.phonetic_gain * letters), "spelling variant"
    if abjad:
        # Unvowelled transliterations: compare consonant keys instead of letters. A key that is only
        # the start of the other (MH / MHMD) is another name.
        key, other = query.skeletons[index], listed.skeletons[position]
        if key != other and len(key) > 1 and len(other) > 1:
            # Waw is a consonant (w) or a long u: al-Rawi is written الراوي, "raui".
            key, other = key[0] + key[1:].replace("v", ""), other[0] + other[1:].replace("v", "")
        if min(len(key), len(other)) >= weights.abjad_key_ratio * max(len(key), len(other)):
            key_jw = JaroWinkler.normalized_similarity(key, other)
            if key_jw >= weights.part_floor and (key == other or min(len(key), len(other)) > 2):
                return 0.9 * key_jw, "same consonants"
    if jw >= weights.part_floor:
        similarity = 1.0 - weights.spelling_stretch * (1.0 - letters)
        if _one_edit(a, b, weights):
            return max(similarity, weights.one_edit), "one letter differs"
        if similarity >= weights.spelling_floor and min(len(a), len(b)) >= weights.variant_length_ratio * max(
            len(a), len(b)
        ):
            return similarity, "similar spelling"
    return 0.0, ""


AlignedPair = tuple[float, int, int, str]  # similarity, query part, listed part, how
Alignment = tuple[float, list[AlignedPair], bool]  # score, aligned pairs, whether the spaceless comparison gave it


def _query_total(
    query: PreparedName, query_weights: tuple[float, ...], pairs: list[AlignedPair], weights: FeatureWeights
) -> float:
    """The query's weight when some of its parts are not aligned.

    The listed name plus parts the list leaves out (a title, a second given name, a tribal name):
    once two or more parts align, extra query parts count `query_extra` of their weight; with
    fewer, a shared first name would become a match. A part an Arabic-script query repeats
    ("Mubarak ... Mubarak al-Bathali", a chain of fathers' names) says nothing more the second
    time: an unaligned repeat of an aligned part does not count at all.
    """
    aligned = {i for _, i, _, _ in pairs}
    aligned_parts = {query.tokens[i] for i in aligned} if query.repeats else set()
    extra = sum(
        weight for i, weight in enumerate(query_weights) if i not in aligned and query.tokens[i] not in aligned_parts
    )
    if len(pairs) >= 2:
        extra *= weights.query_extra
    return (sum(query_weights[i] for i in aligned) + extra) or 1.0


def align(
    query: PreparedName,
    query_weights: tuple[float, ...],
    listed: PreparedName,
    listed_weights: tuple[float, ...],
    weights: FeatureWeights,
    cache: PartCache,
) -> Alignment:
    """The name score, the aligned part pairs and whether the spaceless comparison gave the score."""
    # The hottest loop of a screening (up to 20 candidate names per query): kept flat on purpose.
    candidates: list[AlignedPair] = []
    mode = listed.mode
    query_parts = range(len(query.tokens))
    for j, token in enumerate(listed.tokens):
        key = (token, mode)
        similar = cache.get(key)
        if similar is None:
            similar = []
            for i in query_parts:
                similarity, how = part_similarity(query, i, listed, j, weights)
                if similarity > 0.0:
                    similar.append((similarity, i, how))
            cache[key] = similar
        for similarity, i, how in similar:
            candidates.append((similarity, i, j, how))
    pairs: list[AlignedPair] = []
    query_matched = 0.0
    listed_matched = 0.0
    if candidates:
        candidates.sort(reverse=True)
        used_query = 0  # bit sets of the parts already aligned
        used_listed = 0
        for pair in candidates:
            similarity, i, j, _how = pair
            if (used_query >> i) & 1 or (used_listed >> j) & 1:
                continue
            used_query |= 1 << i
            used_listed |= 1 << j
            pairs.append(pair)
            query_matched += query_weights[i] * similarity
            listed_matched += listed_weights[j] * similarity
    query_total = sum(query_weights) or 1.0
    if len(query.tokens) > len(pairs) and (len(pairs) >= 2 or query.repeats):
        query_total = _query_total(query, query_weights, pairs, weights)
    # Listed parts the query leaves out (middle names, "bin X" chains) count less than
    # query parts the listed name lacks: customers shorten names, lists spell them out.
    listed_missing = sum(listed_weights) - listed_matched
    listed_coverage = listed_matched / ((listed_matched + weights.listed_missing * listed_missing) or 1.0)
    score = weights.query_coverage * query_matched / query_total + weights.listed_coverage * listed_coverage
    if len(pairs) == 1 and len(listed.tokens) > 1:
        score *= weights.single_part  # one shared part ("Maduro", "Trading") is a weak signal
    compact = False
    if score < 0.97 and (len(query.tokens) > 1 or len(listed.tokens) > 1):
        # Spacing differences ("ALQAIDA" / "AL QAIDA", "Jinping" / "Jin Ping"). The sound
        # key only counts when the names split into a different number of parts.
        letters = Levenshtein.normalized_similarity(query.compact, listed.compact)
        together = letters if letters >= weights.compact_floor else 0.0
        if (
            len(query.tokens) != len(listed.tokens)
            and query.compact_skeleton == listed.compact_skeleton
            and len(query.compact_skeleton) >= 4
        ):
            together = max(together, weights.phonetic_floor + weights.phonetic_gain * letters)
        if together > score:
            score, compact = together, True
    return min(score, 1.0), pairs, compact


def explained_score(query: PreparedName, listed: PreparedName, alignment: Alignment) -> NameScore:
    """The aligned parts of an alignment, for the explanation (built only for names that can match)."""
    score, pairs, compact = alignment
    used_query = {i for _, i, _, _ in pairs}
    used_listed = {j for _, _, j, _ in pairs}
    return NameScore(
        score=score,
        pairs=tuple(
            PartMatch(query.tokens[i], listed.tokens[j], similarity, how)
            for similarity, i, j, how in sorted(pairs, key=lambda pair: pair[1])
        ),
        unmatched_query=tuple(t for i, t in enumerate(query.tokens) if i not in used_query),
        unmatched_listed=tuple(t for j, t in enumerate(listed.tokens) if j not in used_listed),
        compact=compact,
    )


def score_name(
    query: PreparedName,
    query_weights: tuple[float, ...],
    listed: PreparedName,
    listed_weights: tuple[float, ...],
    weights: FeatureWeights,
    cache: PartCache,
) -> NameScore:
    return explained_score(query, listed, align(query, query_weights, listed, listed_weights, weights, cache))


def explain_name(result: NameScore) -> str:
    if result.compact:
        return f"names agree when written without spaces ({result.score:.2f})"
    parts = []
    for pair in result.pairs:
        if pair.how == "exact":
            parts.append(f"'{pair.query_part}' = '{pair.listed_part}'")
        else:
            parts.append(f"'{pair.query_part}' ~ '{pair.listed_part}' ({pair.how}, {pair.similarity:.2f})")
    if result.unmatched_query:
        parts.append("query part(s) not in listed name: " + ", ".join(f"'{t}'" for t in result.unmatched_query))
    if result.unmatched_listed:
        parts.append("listed part(s) not in query: " + ", ".join(f"'{t}'" for t in result.unmatched_listed))
    return "; ".join(parts) if parts else "no name parts in common"
