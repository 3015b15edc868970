"""Lookup keys of name parts: what a listed name is filed under and what a query looks up.

Per listed part: the part itself, its phonetic skeleton (`~` prefix) and, for long
skeletons, the skeleton's one-deletion variants (`^` prefix, SymSpell-style typos); per
adjacent pair of parts, the pair written together (spacing variants). A query part looks
up the mirror set: its own deletions and letter-level slips, so that one edit on either
side meets.
"""

from __future__ import annotations

from functools import lru_cache

from service.matching.legal_forms import LEGAL_WORDS, is_legal_word
from service.matching.names import PreparedName
from service.matching.phonetic import deletion_keys, skeleton

PHONETIC = "~"  # prefix of phonetic keys; never part of a normalised token
DELETED = "^"  # prefix of phonetic keys with one letter deleted
MIN_PHONETIC_KEY = 2  # one-letter keys join unrelated names
MIN_TYPO_KEY = 5  # one-deletion variants of shorter keys join unrelated names
PARTICLES = frozenset(
    {"al", "bin", "bint", "abu", "ould", "y", "de", "da", "di", "du", "van", "von", "der", "la", "le"}
)


@lru_cache(maxsize=500_000)
def _indexed_part_keys(token: str) -> tuple[str, ...]:
    """The part, its phonetic key and (long keys only) the key's one-deletion variants."""
    key = skeleton(token)
    keys = [token]
    if len(key) >= MIN_PHONETIC_KEY:
        keys.append(PHONETIC + key)
    if len(key) >= MIN_TYPO_KEY:
        keys.extend(DELETED + deleted for deleted in deletion_keys(key))
    return tuple(keys)


# A query part's keys hold some 30 strings (1.4 KB) and cost 4 us to make: a small cache keeps a customer
# master's common parts, where 100,000 entries would let a long-running replica grow by 140 MB.
@lru_cache(maxsize=10_000)
def _query_part_keys(token: str) -> tuple[str, ...]:
    """SymSpell lookup: same key, query dropped a letter, query added one, one letter differs."""
    key = skeleton(token)
    keys = [token]
    if len(key) >= MIN_PHONETIC_KEY:
        keys.append(PHONETIC + key)
    if len(key) >= MIN_TYPO_KEY - 1:
        keys.append(DELETED + key)
    if len(key) >= MIN_TYPO_KEY:
        for deleted in deletion_keys(key)[1:]:
            keys.extend((PHONETIC + deleted, DELETED + deleted))
    if len(token) >= MIN_TYPO_KEY:
        # Letter-level typos that change the phonetic key (MELNYCUHK, COHCAN): the listed
        # part is the query part with one letter dropped or two neighbours swapped.
        keys.extend(token[:i] + token[i + 1 :] for i in range(len(token)))
        keys.extend(token[:i] + token[i + 1] + token[i] + token[i + 2 :] for i in range(len(token) - 1))
    return tuple(keys)


def is_filler(part: str) -> bool:
    """Particles and legal-form words (misspelt ones too) only find names when nothing else can."""
    return part in PARTICLES or part in LEGAL_WORDS or is_legal_word(part)


def _join_keys(first: str, second: str) -> tuple[str, ...]:
    joined = first + second
    return (joined, PHONETIC + skeleton(joined))


def key_groups(name: PreparedName, *, query: bool) -> list[tuple[str, ...]]:
    """One group of keys per part (the part itself first), then one per adjacent pair written together."""
    tokens = name.tokens
    part_keys = _query_part_keys if query else _indexed_part_keys
    groups = [part_keys(token) for token in tokens]
    groups.extend(_join_keys(tokens[i], tokens[i + 1]) for i in range(len(tokens) - 1))
    return groups
