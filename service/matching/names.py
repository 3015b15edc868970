"""A name prepared once for comparison: normalised parts and their phonetic keys."""

from __future__ import annotations

from dataclasses import dataclass

from service.matching.phonetic import metaphone, skeleton
from service.matching.text import normalise

# Scripts written without short vowels: their parts are compared by consonant key.
ABJADS = frozenset({"Arab", "Hebr"})


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
    abjad: bool


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
        abjad=normalised.script in ABJADS,
    )


@dataclass(slots=True, frozen=True)
class NameRecord:
    """One indexed name (primary name or alias) of one entry."""

    entry: int
    name: PreparedName
    weights: tuple[float, ...]
    weak: bool
