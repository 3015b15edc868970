"""Folding and term matching for policy keywords in any script.

Policy terms are written by a compliance officer in their natural form ("Сімферополь",
"公安局", "الأمن العام", "IMSI-Catcher"). Text and terms are folded the same way: NFKD,
combining marks dropped (diacritics, Arabic harakat and the hamza on alef, the Cyrillic
breve of й), casefolded, hyphens and apostrophes evened out, then recomposed (NFC) so Hangul
syllables survive.

How a term matches depends on its script, because scripts mark word boundaries differently:
- Latin, Cyrillic, Greek ...: whole words (no letter or digit on either side). A trailing `*`
  makes the term a stem: "полици*" matches полиция, полиции, полицией.
- Chinese, Japanese, Korean (no spaces between words) and Arabic (the article ال and other
  prefixes attach to the word): substrings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Arabic letters that writers use interchangeably; the hamza forms of alef already lose their
# hamza when combining marks are dropped.
_CHAR_FOLDS = str.maketrans(
    {
        "ة": "ه",  # ta marbuta -> ha
        "ى": "ي",  # alef maqsura -> ya
        "ı": "i",  # Turkish/Crimean Tatar dotless i does not decompose
        "‐": " ",
        "‑": " ",
        "–": " ",
        "—": " ",
        "-": " ",
        "_": " ",
        "'": "",
        "’": "",
        "ʼ": "",
        "`": "",
        "ʻ": "",
    }
)

_SUBSTRING_SCRIPTS = (
    (0x0600, 0x06FF),  # Arabic
    (0x0750, 0x077F),  # Arabic supplement
    (0xFB50, 0xFDFF),  # Arabic presentation forms A
    (0xFE70, 0xFEFF),  # Arabic presentation forms B
    (0x1100, 0x11FF),  # Hangul jamo
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x31BF),  # Bopomofo
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
)


def fold(text: str) -> str:
    """The comparable form of a text or term (see the module docstring)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = unicodedata.normalize("NFC", stripped).casefold().translate(_CHAR_FOLDS)
    return " ".join(folded.split())


def is_substring_script(text: str) -> bool:
    """True when the text contains a script written without spaces between words (or Arabic)."""
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in _SUBSTRING_SCRIPTS)


@dataclass(slots=True, frozen=True)
class _Term:
    original: str
    folded: str
    pattern: re.Pattern[str] | None  # None: substring match on `folded`


def _compile(term: str) -> _Term | None:
    stem = term.endswith("*")
    folded = fold(term.rstrip("*"))
    if not folded:
        return None
    if is_substring_script(folded):
        return _Term(term, folded, None)
    tail = r"\w*" if stem else r"(?!\w)"
    return _Term(term, folded, re.compile(r"(?<!\w)" + re.escape(folded) + tail))


@dataclass(slots=True, frozen=True)
class TermSet:
    """A compiled set of policy terms; `find` returns the original spellings that occur in a text."""

    terms: tuple[_Term, ...] = ()

    @classmethod
    def of(cls, terms: Iterable[str]) -> TermSet:
        seen: dict[str, _Term] = {}
        for term in terms:
            compiled = _compile(term)
            if compiled is not None and compiled.folded + ("*" if term.endswith("*") else "") not in seen:
                seen[compiled.folded + ("*" if term.endswith("*") else "")] = compiled
        return cls(tuple(seen.values()))

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, folded_text: str) -> list[str]:
        """The terms found in `folded_text` (already passed through `fold`), in policy order."""
        if not folded_text:
            return []
        found: list[str] = []
        for term in self.terms:
            if term.pattern is None:
                hit = term.folded in folded_text
            else:
                hit = term.pattern.search(folded_text) is not None
            if hit:
                found.append(term.original)
        return found
