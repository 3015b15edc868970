"""Term matching for policy keywords in any script.

Policy terms are written by a compliance officer in their natural form ("Сімферополь",
"公安局", "الأمن العام", "IMSI-Catcher"). Text and terms are folded the same way
(`service.folding.term_fold`): NFKD,
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
from collections.abc import Iterable
from dataclasses import dataclass

from service.folding import term_fold
from service.unicode_scripts import is_unspaced


@dataclass(slots=True, frozen=True)
class _Term:
    original: str
    folded: str
    pattern: re.Pattern[str] | None  # None: substring match on `folded`


def _compile(term: str) -> _Term | None:
    stem = term.endswith("*")
    folded = term_fold(term.rstrip("*"))
    if not folded:
        return None
    if is_unspaced(folded):
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
        """The terms found in `folded_text` (already passed through `term_fold`), in policy order."""
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
