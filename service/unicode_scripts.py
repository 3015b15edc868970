"""Which writing system a text is in. Two classifiers, because the service asks two questions.

- The script's name (`iso_script`, `detect_script`, `alias_script`, `is_unspaced`): ISO 15924 codes
  ("Latn", "Cyrl", "Arab", "Hani", "Jpan" ...) from the first word of the Unicode character name
  ("CYRILLIC SMALL LETTER A"). That covers every Unicode version without a hand-kept table of code
  points. Publishers rarely say which script a name is in (UN's NAME_ORIGINAL_SCRIPT, OpenSanctions'
  aliases; EU's nameLanguage is a language, not a script), so parsers infer it for `Alias.script`.
  Japanese mixes kana with Han characters, so any kana makes the text "Jpan": the Han characters
  alone would be read as Chinese. Korean with Hanja stays "Hang" when Hangul is the majority.
  Order policy terms use it to tell the scripts written without spaces between words.
- Matching's transliterator (`block_script`, `dominant_block_script`): coarse tags by code-point
  block (Grek, Cyrl, Hebr, Arab, Hang, Kana, Hani; "Other" goes through anyascii). Matching keeps
  its own blocks because the transliterator they pick shapes every index key, and they differ from
  the names at the edges: the prolonged sound mark ー counts as kana, and CJK extensions and
  compatibility ideographs go to anyascii. So they change only with a matching change measured by
  bench.quality.

Imports nothing from the service: matching (at the bottom) and every package above it use it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

# ISO 15924 codes by the first word of the Unicode character name.
_SCRIPT_BY_NAME_WORD: dict[str, str] = {
    "LATIN": "Latn",
    "CYRILLIC": "Cyrl",
    "ARABIC": "Arab",
    "CJK": "Hani",
    "HANGUL": "Hang",
    "HIRAGANA": "Hira",
    "KATAKANA": "Kana",
    "HALFWIDTH": "",  # resolved by the second word below ("HALFWIDTH KATAKANA LETTER A")
    "FULLWIDTH": "",  # "FULLWIDTH LATIN CAPITAL LETTER A"
    "GREEK": "Grek",
    "HEBREW": "Hebr",
    "GEORGIAN": "Geor",
    "ARMENIAN": "Armn",
    "THAI": "Thai",
    "LAO": "Laoo",
    "KHMER": "Khmr",
    "MYANMAR": "Mymr",
    "DEVANAGARI": "Deva",
    "BENGALI": "Beng",
    "GURMUKHI": "Guru",
    "GUJARATI": "Gujr",
    "TAMIL": "Taml",
    "TELUGU": "Telu",
    "KANNADA": "Knda",
    "MALAYALAM": "Mlym",
    "SINHALA": "Sinh",
    "ETHIOPIC": "Ethi",
    "SYRIAC": "Syrc",
    "THAANA": "Thaa",
    "TIBETAN": "Tibt",
    "MONGOLIAN": "Mong",
    "BOPOMOFO": "Bopo",
}

_KANA = frozenset({"Hira", "Kana"})
# Written without spaces between words (Chinese, Japanese, Korean), or with the article and other
# prefixes joined to the word (Arabic): a term in them is found as a substring.
_UNSPACED = frozenset({"Arab", "Hani", "Hang", "Hira", "Kana", "Bopo"})


@functools.lru_cache(maxsize=8192)
def iso_script(char: str) -> str | None:
    """The ISO 15924 code of one character's script, None when its Unicode name names none."""
    words = unicodedata.name(char, "").split(" ", 2)
    if not words[0]:
        return None
    script = _SCRIPT_BY_NAME_WORD.get(words[0])
    if script == "" and len(words) > 1:
        script = _SCRIPT_BY_NAME_WORD.get(words[1])
    return script or None


def block_script(char: str, *, ascii_latin: bool = False) -> str | None:
    """Matching's tag for one character by code-point block: None below U+0370 (Latin, common), else
    Grek, Cyrl, Hebr, Arab, Hang, Kana, Hani or Other. With `ascii_latin`, an ASCII letter is "Latn",
    so that look-alike letters can be counted against Latin ones (`matching/homoglyphs.py`)."""
    code = ord(char)
    if code < 0x0370:
        return "Latn" if ascii_latin and char.isascii() and char.isalpha() else None
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return "Grek"
    if 0x0400 <= code <= 0x052F:
        return "Cyrl"
    if 0x0590 <= code <= 0x05FF:
        return "Hebr"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "Arab"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "Hang"
    if 0x3040 <= code <= 0x30FF:
        return "Kana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
        return "Hani"
    return "Other"


def script_counts(text: str, classify: Callable[[str], str | None], *, letters_only: bool = True) -> dict[str, int]:
    """How many characters of `text` (letters only, unless told otherwise) `classify` puts in each script,
    in the order the scripts first appear."""
    counts: dict[str, int] = {}
    for char in text:
        if letters_only and not char.isalpha():
            continue
        script = classify(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    return counts


def _majority(counts: dict[str, int]) -> str | None:
    # Ties go to the script met first, so the result does not depend on dict ordering quirks.
    return max(counts, key=counts.__getitem__) if counts else None


def detect_script(text: str) -> str | None:
    """The ISO 15924 code of the script most letters of `text` are in; None when it has no letters.

    Digits, punctuation and spaces do not count. Any Hiragana or Katakana gives "Jpan".
    """
    counts = script_counts(text, iso_script)
    if _KANA & counts.keys():
        return "Jpan"
    return _majority(counts)


def alias_script(text: str) -> str | None:
    """The script to store on `Alias.script`: None for Latin (the model's default), else its code."""
    script = detect_script(text)
    return None if script == "Latn" else script


def is_unspaced(text: str) -> bool:
    """True when `text` holds a character of a script written without spaces between words, or Arabic."""
    return any(iso_script(char) in _UNSPACED for char in text)


def dominant_block_script(text: str) -> str | None:
    """The block (`block_script`) most letters of `text` are in, None for Latin: which transliterator reads it."""
    if max(text, default="a") < "\u0370":  # Latin (with diacritics) and punctuation only
        return None
    return _majority(script_counts(text, block_script))
