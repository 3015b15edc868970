"""Phonetic keys for name parts.

`skeleton` is a consonant key tuned to the way one name is spelt across the lists'
transliteration conventions: Mohammed/Muhammad/Mohamed -> "mgmd", Yevgeny/Evgeniy/
Jevgenij -> "avgn", Oleksandr/Aleksandr/Alexander -> "alksndr", Serhiy/Sergey -> "srg".
Vowels carry most of the disagreement between conventions (and all of it in Arabic,
which writes none), so they are dropped after the first letter; the first letter,
if a vowel, becomes "a". Ukrainian/Belarusian "h" for Russian "g" is folded the same way, and so are "dh" and "th",
which romanise the Arabic interdentals ذ and ث interchangeably (al-Badhali, al-Bathali).
jellyfish's Metaphone is kept as a second, independent key (English-centred, so it
catches the Anglicised spellings the skeleton misses).

`deletion_keys` are SymSpell-style: two skeletons within one edit share a key, which
lets the index find a misspelt part without scanning.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jellyfish

# Ordered: longer clusters first. Each maps a spelling cluster to one class letter.
_CLUSTERS: tuple[tuple[str, str], ...] = (
    ("schch", "s"), ("shch", "s"), ("tsch", "C"), ("dzh", "j"), ("dsch", "j"), ("sch", "s"), ("tch", "C"),
    ("sh", "s"), ("zh", "j"), ("kh", "g"), ("ch", "C"), ("ts", "C"), ("tz", "C"), ("cz", "C"),
    ("ph", "f"), ("th", "t"), ("dh", "t"), ("gh", "g"), ("dj", "j"), ("ck", "k"), ("qu", "k"),
    ("q", "k"), ("x", "ks"), ("w", "v"), ("z", "s"), ("h", "g"),
)  # fmt: skip
_CLUSTER_RE = re.compile("|".join(re.escape(src) for src, _ in _CLUSTERS))
_CLUSTER_MAP = dict(_CLUSTERS)
# Russian/Ukrainian iotated vowels at the start: Yevgeny/Evgeny, Yuri/Iouri/Jurij, Yakov/Iakov.
_IOTATED_START = re.compile(r"^(ye|je|ie|yu|ju|iu|iou|you|ya|ja|ia|yo|jo|io)(?=[^aeiouy])")
_ENDINGS = re.compile(r"(ij|iy|yj|yy|ii|ei|ey|oj|ej)$")
_VOWELS = frozenset("aeiouy")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """The consonant key of one ASCII, lower-case name part."""
    if not token:
        return ""
    if token.isdigit():
        return token
    token = _ENDINGS.sub("i", token)
    if len(token) > 3 and token[-1] == "h" and token[-2] in _VOWELS:
        token = token[:-1]  # a final h after a vowel is silent: Salameh = Salama, Fatimah = Fatima
    token = _IOTATED_START.sub(lambda m: m.group(1)[-1] if m.group(1)[-1] != "u" else "u", token)
    token = _CLUSTER_RE.sub(lambda m: _CLUSTER_MAP[m.group(0)], token)
    token = token.replace("c", "k")  # a bare Latin "c" is hard in the names lists carry
    head = "a" if token[0] in _VOWELS else token[0]
    tail = "".join(char for char in token[1:] if char not in _VOWELS)
    return _REPEATS.sub(r"\1", head + tail)


@lru_cache(maxsize=200_000)
def metaphone(token: str) -> str:
    return str(jellyfish.metaphone(token)) if token.isalpha() else token


def deletion_keys(key: str) -> tuple[str, ...]:
    """The key and every key one character shorter (only for keys long enough to be selective).

    In the order of the deleted position, never a set's: a query ranks shapes by which of its keys hit
    first, and a set's order of strings changes with each process's hash seed (two replicas would answer
    the same name differently)."""
    if len(key) < 4:
        return (key,)
    return (key, *dict.fromkeys(key[:i] + key[i + 1 :] for i in range(len(key))))
