"""Which writing system a name is in, as ISO 15924 codes ("Latn", "Cyrl", "Arab", "Hani", "Jpan" ...).

Publishers rarely say which script a name is written in (UN's NAME_ORIGINAL_SCRIPT, OpenSanctions'
aliases, EU's nameLanguage is a language, not a script), so parsers infer it from the characters.
The script of a letter comes from the first word of its Unicode character name ("CYRILLIC SMALL
LETTER A"), which covers every Unicode version without a hand-kept table of code-point ranges.

Japanese mixes kana with Han characters; any kana makes the text "Jpan", since the Han characters
alone would be read as Chinese. Korean with Hanja stays "Hang" when Hangul is the majority.
"""

from __future__ import annotations

import functools
import unicodedata

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


@functools.lru_cache(maxsize=8192)
def _letter_script(char: str) -> str | None:
    words = unicodedata.name(char, "").split(" ", 2)
    if not words[0]:
        return None
    script = _SCRIPT_BY_NAME_WORD.get(words[0])
    if script == "" and len(words) > 1:
        script = _SCRIPT_BY_NAME_WORD.get(words[1])
    return script or None


def detect_script(text: str) -> str | None:
    """The ISO 15924 code of the script most letters of `text` are in; None when it has no letters.

    Digits, punctuation and spaces do not count. Any Hiragana or Katakana gives "Jpan".
    """
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        script = _letter_script(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    if _KANA & counts.keys():
        return "Jpan"
    # Ties go to the script met first, so the result does not depend on dict ordering quirks.
    return max(counts, key=lambda script: counts[script])


def alias_script(text: str) -> str | None:
    """The script to store on `Alias.script`: None for Latin (the model's default), else its code."""
    script = detect_script(text)
    return None if script == "Latn" else script
