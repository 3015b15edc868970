"""Other readings of a query written to slip past screening: invisible separators, names run together.

Format and control characters (Unicode categories Cf and Cc: zero-width space, word joiner, soft
hyphen, NUL, BEL ...) show nothing on screen, so a name can be split or joined by them unseen. Which
they mean cannot be told (a soft hyphen joins, a zero-width space separates), so both readings are
screened. A name written as one run ("NicolasMaduroMoros") is read again split into listed name
parts. The index screens every reading and keeps the best match per entry.
"""

from __future__ import annotations

import re
from collections.abc import Container

# Every code point of Unicode categories Cf and Cc (tests/matching check this against unicodedata),
# except the whitespace controls (tab, line feed, carriage return), which separate words already.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

# A run is split only when long enough to hold two names and unknown as it stands.
MIN_RUN_LENGTH = 8
MIN_PIECE_LENGTH = 3
MAX_PIECES = 4


def invisible_readings(text: str) -> list[str]:
    """The text with invisible characters read as separators, and read as nothing; [text] when it has none."""
    if INVISIBLE.search(text) is None:
        return [text]
    return [INVISIBLE.sub(" ", text), INVISIBLE.sub("", text)]


def split_run(token: str, vocabulary: Container[str], parts: Container[str] | None = None) -> list[str] | None:
    """The fewest pieces of `vocabulary` (at least two, each `MIN_PIECE_LENGTH`+ letters) that spell `token`;
    None when none do, or when `token` is itself one of the name `parts` (default: the vocabulary)."""
    if len(token) < MIN_RUN_LENGTH or token in (vocabulary if parts is None else parts):
        return None
    size = len(token)
    # best[i]: the fewest pieces spelling token[i:], as a list; None when none does.
    best: list[list[str] | None] = [None] * size + [[]]
    for start in range(size - MIN_PIECE_LENGTH, -1, -1):
        for end in range(size, start + MIN_PIECE_LENGTH - 1, -1):  # longest piece first: fewer pieces
            rest = best[end]
            if rest is None or len(rest) >= MAX_PIECES:
                continue
            piece = token[start:end]
            if piece in vocabulary and (best[start] is None or len(rest) + 1 < len(best[start] or ())):
                best[start] = [piece, *rest]
    pieces = best[0]
    return pieces if pieces is not None and len(pieces) >= 2 else None


def split_runs(
    tokens: tuple[str, ...], vocabulary: Container[str], parts: Container[str] | None = None
) -> tuple[str, ...] | None:
    """The tokens with every run that is no name part split into pieces of `vocabulary`; None when none splits."""
    changed = False
    out: list[str] = []
    for token in tokens:
        pieces = split_run(token, vocabulary, parts)
        if pieces is None:
            out.append(token)
        else:
            out.extend(pieces)
            changed = True
    return tuple(out) if changed else None
