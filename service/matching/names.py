"""A name prepared once for comparison: normalised parts and their phonetic keys."""

from __future__ import annotations

from dataclasses import dataclass

from service.matching.phonetic import metaphone, skeleton
from service.matching.text import normalise

# Scripts written without short vowels: their parts are compared by consonant key.
ABJADS = frozenset({"Arab", "Hebr"})
# How a name's parts compare with others (part of the similarity cache key).
PLAIN, ABJAD, SYLLABIC = 0, 1, 2


@dataclass(slots=True, frozen=True)
class PreparedName:
    """`text` is the name as listed or queried; the rest is derived from it."""

    text: str
    tokens: tuple[str, ...]
    skeletons: tuple[str, ...]
    metaphones: tuple[str, ...]
    legal_form: str | None
    script: str | None
    compact: str
    compact_skeleton: str
    # ABJAD: written without short vowels, compared by consonants. SYLLABIC: Chinese characters read as
    # pinyin, where each syllable is one character: "yang" and "ying" are different characters, not
    # spellings of one name, so only the same syllables (or a one-letter slip) agree.
    mode: int
    repeats: bool  # written in an abjad with some part twice (name chains: "Mubarak ... Mubarak al-Bathali")


def prepare(text: str) -> PreparedName:
    normalised = normalise(text)
    tokens = normalised.tokens
    compact = "".join(tokens)
    return PreparedName(
        text=text,
        tokens=tokens,
        skeletons=tuple(skeleton(token) for token in tokens),
        metaphones=tuple(metaphone(token) for token in tokens),
        legal_form=normalised.legal_form,
        script=normalised.script,
        compact=compact,
        compact_skeleton=skeleton(compact),
        repeats=normalised.script in ABJADS and len(set(tokens)) < len(tokens),
        mode=ABJAD if normalised.script in ABJADS else SYLLABIC if normalised.script == "Hani" else PLAIN,
    )


@dataclass(slots=True, frozen=True)
class NameRecord:
    """One indexed name (primary name or alias) of one entry."""

    entry: int
    name: PreparedName
    weights: tuple[float, ...]
    weak: bool
